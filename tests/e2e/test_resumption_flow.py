"""A resumption application from start to finish in the browser, as the people involved do it:
the enterprise finishes its draft and submits; the routed department, the town (and the county
when needed) approve; the grid officer accepts on site with a phone; the enterprise downloads
the notice, whose text is read with ``pdftotext``; anybody verifies it without logging in. And a
return-for-revision round: the reviewer returns, the enterprise corrects and resubmits, the
reviewer sees what changed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.browsing import log_in, menu_link
from tests.e2e.conftest import REPORT_CSP_VIOLATIONS, SCREENSHOTS

pytestmark = pytest.mark.e2e

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Enough for the upload check (magic bytes %PDF-); the content is never rendered.
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def tiny_png() -> bytes:
    """A real 1×1 PNG, standing in for a photo taken on site."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + (zlib.crc32(kind + data) & 0xFFFFFFFF).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") + (1).to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xaa\xaa\xa0")) + chunk(b"IEND", b"")


# -- helpers ---------------------------------------------------------------------------------


class Shots:
    """Screenshots of the major steps: ``var/screenshots/<test>-<step>.png``."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.name = re.sub(r"[^\w.-]+", "_", request.node.name)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, page: Any, step: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{self.name}-{step}.png"), full_page=True)


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shots:
    return Shots(request)


def switch_user(page: Any, product: Any, username: str) -> None:
    """Another person at the same browser: the session is dropped, then they log in."""
    page.context.clear_cookies()
    # Accounts the demo made for its stories are not in the accounts file; they share the demo password.
    password = product.password(username) if username in product.accounts else product.password("ent_admin")
    log_in(page, username, password)
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def navigate(page: Any, action: Any) -> None:
    """Do what makes the page load again (a form posted to the same URL, a redirect back to it),
    and wait for the new page: a URL pattern alone would already match the old one."""
    with page.expect_navigation():
        action()
    page.wait_for_load_state()


def status_of(page: Any) -> str:
    return str(page.get_by_test_id("status-badge").get_attribute("data-status"))


def pending_step(page: Any) -> tuple[str, str]:
    """(stage, who) of the step the application waits on, read from the detail page's timeline."""
    step = page.get_by_test_id("timeline-current").locator("[data-testid=timeline-step][data-status=pending]").first
    stage = str(step.get_attribute("data-stage"))
    who = step.locator("span.text-muted").first.inner_text().strip().lstrip("·").strip()
    return stage, who


def decider(product: Any, stage: str, who: str) -> str:
    """Who decides a step: the reviewer of the named department (the demo accounts' scope is the
    department's name), else the command of the town (高新区) or the county (源城区)."""
    if stage == "department":
        found = [name for name, a in product.accounts.items() if a["role"] == "reviewer" and a["scope"] == who]
        if found:
            return found[0]
        # A department whose reviewer the accounts file does not list (the demo staffs every one).
        code = (
            "from fugong.accounts.models import Membership\n"
            "for m in Membership.objects.filter(role='reviewer').select_related('user', 'department__region'):\n"
            f"    if str(m.department) == {who!r}:\n"
            "        print(m.user.username); break\n"
        )
        return product.shell(code).strip().splitlines()[-1]
    return {"town": "hitech_cmd", "county": "county_cmd"}[stage]


def open_in_queue(page: Any, number: str) -> None:
    """From the menu's 审核待办 to the decision page of one application."""
    menu_link(page, "审核待办").click()
    page.wait_for_url(re.compile(r"/applications/queue/(\?.*)?$"))
    row = page.locator(f"[data-testid=queue-row][data-number='{number}']")
    assert row.count() == 1, f"{number} is not in the queue"
    row.get_by_test_id("decide-link").click()
    page.wait_for_url(re.compile(r"/applications/[0-9a-f-]+/decide/$"))


def approve(page: Any, comment: str) -> None:
    page.get_by_test_id("comment").fill(comment)
    page.get_by_test_id("decision-approve").click()
    page.wait_for_url(re.compile(r"/applications/queue/(\?.*)?$"))
    assert page.get_by_role("alert").first.inner_text().startswith("已通过")


def five_days_ahead(hour: int = 9) -> datetime:
    """A planned start well past the 48-hour lead time, as the browser's datetime-local wants it."""
    return (datetime.now(SHANGHAI) + timedelta(days=5)).replace(hour=hour, minute=0, second=0, microsecond=0)


# -- the whole flow ----------------------------------------------------------------------------


def test_enterprise_to_notice_in_the_browser_and_the_pdf_text_checked(page: Any, product: Any, browser: Any, console: Any,
                                                                       shot: Shots, tmp_path: Path) -> None:
    page.on("dialog", lambda d: d.accept())

    # (1) The enterprise admin opens their draft from the menu
    switch_user(page, product, "ent_admin")
    menu_link(page, "复工申请").click()
    page.wait_for_url(re.compile(r"/applications/$"))
    page.get_by_test_id("application-table").locator("tbody tr td a").first.click()
    page.wait_for_url(re.compile(r"/applications/[0-9a-f-]+/$"))
    detail_url = page.url
    assert status_of(page) == "draft"
    enterprise_name = page.get_by_role("heading", level=1).inner_text().replace("复工申请", "").strip()

    # and sees the shortfall of masks computed by the platform
    masks = page.get_by_test_id("checks-panel").locator("[data-code=masks]")
    assert masks.get_attribute("data-level") == "error"
    shortfall = masks.inner_text()
    assert re.search(r"缺 \d+ 只", shortfall), shortfall
    need = int(re.search(r"需 (\d+) 只", shortfall).group(1))  # type: ignore[union-attr]
    shot(page, "1-draft-with-shortfall")

    # They open the form and remove the documents of the earlier sitting (to upload them again below)
    page.get_by_test_id("edit-link").click()
    page.wait_for_url("**/edit/")
    kinds = [k.strip() for k in page.get_by_test_id("attachment").locator(".badge").all_inner_texts()]
    assert kinds, "the demo's draft has its documents"
    while page.get_by_test_id("attachment").count():
        # asks first; the dialog is accepted
        navigate(page, page.get_by_test_id("attachment").first.get_by_role("button").click)
        assert page.get_by_role("alert").first.inner_text().startswith("已删除")

    # raise the masks, set the planned start two days and more ahead, and save the draft
    start = five_days_ahead()
    page.locator("#id_planned_start").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("口罩（只）").fill(str(need + 100))
    navigate(page, page.get_by_test_id("save-button").click)
    assert "草稿已保存" in page.get_by_role("alert").first.inner_text()
    panel = page.get_by_test_id("checks-panel")
    assert panel.locator("[data-code=masks]").get_attribute("data-level") == "ok"
    assert panel.locator("[data-code=attachments]").get_attribute("data-level") == "error"
    assert panel.locator("[data-code=lead_time]").get_attribute("data-level") == "ok"
    for index, kind in enumerate(kinds):
        document = tmp_path / f"材料{index}.pdf"
        document.write_bytes(TINY_PDF)
        page.get_by_label("材料类型").select_option(label=kind)
        page.get_by_label("文件", exact=True).set_input_files(str(document))
        navigate(page, page.get_by_test_id("upload-button").click)
        assert f"已上传{kind}" in page.get_by_role("alert").first.inner_text()
    assert sorted(page.get_by_test_id("attachment").locator(".badge").all_inner_texts()) == sorted(kinds)

    # Every blocking check passes now
    panel = page.get_by_test_id("checks-panel")
    assert panel.locator("[data-level=error]").count() == 0, panel.inner_text()
    assert "必备条件已满足" in page.get_by_test_id("checks-summary").inner_text()
    shot(page, "2-all-checks-pass")

    # and they submit (confirming): the department reviews it now
    page.get_by_test_id("submit-button").click()
    page.wait_for_url(detail_url)
    assert status_of(page) == "department_review"
    assert page.get_by_test_id("status-badge").inner_text().strip() == "主管部门审核中"
    number = page.get_by_test_id("application-number").inner_text().strip()
    assert number
    shot(page, "3-submitted")

    # (2)(3) Each step of the chain, as the timeline names it, is approved by its decider
    stage, who = pending_step(page)
    assert stage == "department"
    first = True
    decided: list[str] = []
    while status_of(page) in ("department_review", "town_review", "county_review"):
        stage, who = pending_step(page)
        username = decider(product, stage, who)
        switch_user(page, product, username)
        open_in_queue(page, number)
        if first:
            # An empty comment is refused in Chinese, and nothing changes
            navigate(page, page.get_by_test_id("decision-approve").click)
            assert page.get_by_test_id("error-comment").inner_text().strip() == "请填写审核意见。"
            assert re.search(r"/decide/$", page.url)
            shot(page, "4-empty-comment-refused")
            page.goto(detail_url)
            assert status_of(page) == "department_review"
            assert pending_step(page) == (stage, who)
            open_in_queue(page, number)
            first = False
        approve(page, f"同意（{who}）。")
        decided.append(f"{stage}:{who}")
        page.goto(detail_url)
        shot(page, f"5-approved-{len(decided)}-{stage}")
    assert any(d.startswith("town:") for d in decided), decided
    assert status_of(page) == "inspection"
    assert page.get_by_test_id("status-badge").inner_text().strip() == "待现场验收"

    # (4) The grid officer, on a phone, starts the acceptance from 现场检查
    page.set_viewport_size({"width": 390, "height": 844})
    switch_user(page, product, "grid_officer")
    page.locator(".navbar-toggler").click()
    menu_link(page, "现场检查").click()
    page.wait_for_url(re.compile(r"/inspections/(\?.*)?$"))
    waiting = page.get_by_test_id("awaiting-acceptance").locator("li", has_text=enterprise_name)
    assert waiting.count() == 1
    waiting.get_by_test_id("start-acceptance").click()
    page.wait_for_url(re.compile(r"/inspections/[0-9a-f-]+/$"))

    # every item 合格
    items = page.locator("section[data-testid^=item-]")
    total = items.count()
    assert total >= 8
    for i in range(total):
        items.nth(i).locator("label[for$='-pass']").click()
    # a photo of the first item, through the camera input (uploaded as soon as it is taken, with the results)
    photo = tmp_path / "photo.png"
    photo.write_bytes(tiny_png())
    navigate(page, lambda: page.get_by_test_id("item-1").locator("input[type=file]").set_input_files(str(photo)))
    assert "已上传照片 1 张" in page.get_by_role("alert").first.inner_text()
    thumbnail = page.get_by_test_id("item-1").locator("img.photo-thumb")
    assert thumbnail.count() == 1
    served = page.request.get(str(thumbnail.get_attribute("src")))
    assert served.status == 200 and served.headers["content-type"] == "image/png"
    assert page.get_by_test_id("progress").inner_text().strip() == f"已检查 {total}/{total}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the opinion and the signature, then the confirmation
    page.get_by_label("检查意见").fill("经现场验收，各项防控措施落实到位，同意复工。")
    page.get_by_label("检查人签名").fill("网格长 王伟")
    shot(page, "6-acceptance-on-phone")
    page.get_by_test_id("complete").click()
    page.wait_for_url(detail_url)
    assert "已签发复工通知书" in page.get_by_role("alert").first.inner_text()
    assert status_of(page) == "approved"
    shot(page, "7-approved-on-phone")

    # (5) The enterprise downloads the notice; its text is what the page says
    page.set_viewport_size({"width": 1280, "height": 900})
    switch_user(page, product, "ent_admin")
    page.goto(detail_url)
    notice_number = page.get_by_test_id("notice-number").inner_text().strip()
    assert notice_number
    shot(page, "8-notice-on-detail")
    href = page.get_by_test_id("notice-link").get_attribute("href")
    answer = page.request.get(href)
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(answer.body())
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = pdftotext(pdf)
    flat = re.sub(r"\s+", "", text)
    assert "复工复产通知书" in flat
    assert notice_number in flat
    assert re.sub(r"\s+", "", enterprise_name) in flat
    assert number in flat
    verify = re.search(r"核验网址：(https?://\S+?/applications/verify/[A-Za-z0-9_-]+/)", flat)
    assert verify, text
    verify_url = verify.group(1)
    assert verify_url.startswith(product.base_url)

    # (6) Anybody opens the verification URL without logging in: 有效, and no contact phone
    phone = product.shell(
        "from fugong.accounts.models import Membership\n"
        "print(Membership.objects.get(user__username='ent_admin').enterprise.contact_phone)\n"
    ).strip().splitlines()[-1]
    stranger = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844})
    try:
        stranger.add_init_script(REPORT_CSP_VIOLATIONS)
        public = stranger.new_page()
        public.on("console", lambda m: console.entries.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        response = public.goto(verify_url)
        assert response is not None and response.status == 200
        assert "/accounts/login/" not in public.url
        assert public.get_by_test_id("verify-state").inner_text().strip() == "有效"
        assert public.get_by_test_id("verify-number").inner_text().strip() == notice_number
        body = public.locator("body").inner_text()
        assert enterprise_name in body
        assert phone and phone not in body
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", body)
        shot(public, "9-public-verification")
    finally:
        stranger.close()

    # and no page on the way raised an error in the browser
    assert not console.errors, "\n".join(console.errors)


def pdftotext(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: apt-get install -y poppler-utils")
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, timeout=30, check=True)
    return result.stdout


# -- returned for revision ------------------------------------------------------------------------


def test_reviewer_returns_enterprise_corrects_and_resubmits_and_reviewer_sees_the_change(page: Any, product: Any, shot: Shots) -> None:
    page.on("dialog", lambda d: d.accept())
    own = product.facts["ent_admin_enterprise_id"]

    # Given an application waiting for 经贸办 (another enterprise than ent_admin's)
    switch_user(page, product, "jmb_reviewer")
    menu_link(page, "审核待办").click()
    page.wait_for_url(re.compile(r"/applications/queue/(\?.*)?$"))
    rows = page.get_by_test_id("queue-row")
    assert rows.count() > 0
    uuids = [rows.nth(i).get_attribute("data-uuid") for i in range(rows.count())]
    by_uuid: dict[str, str] = json.loads(product.shell(
        "import json\n"
        "from fugong.accounts.models import Membership\n"
        "from fugong.resumption.models import Application\n"
        "found = {}\n"
        f"for a in Application.objects.filter(uuid__in={uuids!r}).exclude(enterprise_id={own}):\n"
        "    m = Membership.objects.filter(role='enterprise', enterprise_id=a.enterprise_id).select_related('user').first()\n"
        "    if m:\n"
        "        found[str(a.uuid)] = m.user.username\n"
        "print(json.dumps(found))\n"
    ).strip().splitlines()[-1])
    uuid = next((u for u in uuids if u in by_uuid), None)
    assert uuid, f"no application of another enterprise in 经贸办's queue: {uuids}"
    enterprise_admin = by_uuid[uuid]
    row = page.locator(f"[data-testid=queue-row][data-uuid='{uuid}']")
    number = str(row.get_attribute("data-number"))

    # When the reviewer returns it with a comment
    row.get_by_test_id("decide-link").click()
    page.wait_for_url(f"**/applications/{uuid}/decide/")
    comment = "计划复工时间已过，请重新填写计划复工时间后再提交。"
    page.get_by_test_id("comment").fill(comment)
    page.get_by_test_id("decision-return").click()
    page.wait_for_url(re.compile(r"/applications/queue/(\?.*)?$"))
    assert page.locator(f"[data-testid=queue-row][data-uuid='{uuid}']").count() == 0

    # Then the enterprise sees 退回修改 and the comment
    switch_user(page, product, enterprise_admin)
    page.goto(f"/applications/{uuid}/")
    assert status_of(page) == "returned"
    assert page.get_by_test_id("status-badge").inner_text().strip() == "退回修改"
    assert comment in page.get_by_test_id("timeline").inner_text()
    shot(page, "1-returned")

    # and corrects the one field, then resubmits
    page.get_by_test_id("edit-link").click()
    page.wait_for_url("**/edit/")
    assert comment in page.get_by_test_id("returned-comment").inner_text()
    start = five_days_ahead(hour=8)
    page.locator("#id_planned_start").fill(start.strftime("%Y-%m-%dT%H:%M"))
    navigate(page, page.get_by_test_id("save-button").click)
    assert page.get_by_test_id("checks-panel").locator("[data-level=error]").count() == 0, page.get_by_test_id("checks-panel").inner_text()
    page.get_by_test_id("submit-button").click()
    page.wait_for_url(f"**/applications/{uuid}/")
    assert status_of(page) == "department_review"
    stage, who = pending_step(page)
    shot(page, "2-resubmitted")

    # And the reviewer now deciding sees what changed since the last submission
    switch_user(page, product, decider(product, stage, who))
    open_in_queue(page, number)
    changes = page.get_by_test_id("changes")
    assert changes.is_visible()
    change = changes.locator("[data-testid=change-row][data-field=planned_start]")
    assert change.count() == 1
    assert start.strftime("%Y-%m-%d %H:%M") in change.inner_text()
    assert changes.get_by_test_id("change-row").count() == 1, changes.inner_text()
    shot(page, "3-reviewer-sees-change")
