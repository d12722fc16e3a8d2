"""Issue 4's whole flow in a real Chromium, as the people involved do it: the enterprise imports
its roster from Excel (one row mangled by Excel is refused and named in the error report), the
platform classifies the workers (a local worker may get a pass after approval, one back from
another province waits out an isolation first), the grid officer approves the local worker's pass,
the gate guard scans it with a fever and is told to refuse entry, and the enterprise places the
worker in isolation from the fever alert — which closes the alert and leaves the pass revoked."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook

from fugong.core.idcard import check_character
from tests.e2e.browsing import log_in, menu_link
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The product's database lives for the session: serials in a range no other browser test uses
# (test_gate_camera counts from 771), on a birth date of their own.
ID_BODY = "44160219870412"
LOCAL_SERIAL, AWAY_SERIAL = 901, 902
LOCAL_NAME, AWAY_NAME, BAD_NAME = "流程测试甲", "流程测试乙", "流程测试丙"
# What Excel shows (and keeps) of an 18-digit number typed into a cell of number format.
MANGLED_ID = 4.41602e17

POLICY = """
import json
from fugong.accounts.models import Membership
from fugong.policy.services import current

policy = current(Membership.objects.get(user__username="ent_admin").enterprise.region)
print(json.dumps({key: str(getattr(policy, key)) for key in ("outside_city_isolation_days", "central_quarantine_days")}))
"""


def id_number(serial: int) -> str:
    body = f"{ID_BODY}{serial:03d}"
    return body + check_character(body)


def roster(path: Path, *, returned: date) -> Path:
    """The roster as an enterprise keeps it: Chinese headers, a title row above them, one row
    whose ID number Excel turned into 4.41602E+17."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["某某公司员工花名册"])
    sheet.append(["姓名", "身份证号", "手机号", "现住址", "户籍地", "返岗日期", "交通方式", "岗位", "来源地"])
    sheet.append([LOCAL_NAME, id_number(LOCAL_SERIAL), "13912340901", "河源市源城区新风路1号", "广东省河源市源城区", None, "", "一线",
                  "本地未外出"])
    sheet.append([AWAY_NAME, id_number(AWAY_SERIAL), "13912340902", "河源市高新区兴业大道8号", "湖南省衡阳市", returned, "火车", "一线",
                  "外省"])
    sheet.append([BAD_NAME, MANGLED_ID, "13912340903", "河源市源城区", "广东省河源市", returned, "自驾", "其他", "省内其他城市"])
    workbook.save(path)
    return path


# -- helpers ---------------------------------------------------------------------------------


def shot(page: Any, step: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"workforce-flow-{step}.png"), full_page=True)


def switch_user(page: Any, product: Any, username: str) -> None:
    """Another person at the same browser: the session is dropped, then they log in."""
    page.context.clear_cookies()
    log_in(page, username, product.password(username))
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def search(page: Any, text: str, *, until: Callable[[], Any]) -> None:
    """Type into a list's search box; the list asks the server once typing pauses and htmx swaps
    the table in. Wait for that answer, then until ``until()`` is true of the new table."""
    with page.expect_response(lambda r: "q=" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("#id_q").fill(text)
    until()


def flash(page: Any) -> str:
    """The message the page shows after a form was sent."""
    return str(page.get_by_role("alert").first.inner_text())


# -- the flow --------------------------------------------------------------------------------


def test_roster_to_quarantine_through_classification_passes_and_a_fever_at_the_gate(page: Any, product: Any, console: Any,
                                                                                    tmp_path: Path) -> None:
    page.on("dialog", lambda d: d.accept())
    today = datetime.now(SHANGHAI).date()
    returned = today - timedelta(days=3)
    policy = json.loads(product.shell(POLICY).strip().splitlines()[-1])
    isolation_days = int(policy["outside_city_isolation_days"])
    quarantine_days = int(policy["central_quarantine_days"])

    # (1) The enterprise admin imports the roster from 人员档案 → 导入花名册
    switch_user(page, product, "ent_admin")
    menu_link(page, "人员档案").click()
    page.wait_for_url(re.compile(r"/people/(\?.*)?$"))
    page.get_by_test_id("import-link").click()
    page.wait_for_url("**/people/import/")
    page.get_by_label("花名册文件").set_input_files(str(roster(tmp_path / "员工花名册.xlsx", returned=returned)))
    shot(page, "1-import-form")
    page.get_by_role("button", name="开始导入").click()
    page.wait_for_url(re.compile(r"/people/import/[^/]+/$"))
    # the progress page finishes (Celery runs eagerly in the product): two imported, one refused
    result = page.get_by_test_id("roster-result")
    result.wait_for()
    assert page.get_by_test_id("imported").inner_text().strip() == "2"
    assert page.get_by_test_id("refused").inner_text().strip() == "1"
    assert "共 3 行" in result.inner_text()
    shot(page, "2-import-finished")
    # and the error report names the refused row and why: the ID number Excel turned into a number
    with page.expect_download() as download:
        page.get_by_test_id("report-link").click()
    assert download.value.suggested_filename == "员工花名册-错误报告.xlsx"
    report = tmp_path / "report.xlsx"
    download.value.save_as(report)
    sheet = load_workbook(report, read_only=True)["未导入的行"]
    rows = [[str(c) if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    header, refused = rows[0], rows[1:]
    assert header[0] == "行号" and header[-1] == "错误原因"
    assert len(refused) == 1, refused
    bad = dict(zip(header, refused[0], strict=False))
    assert bad["行号"] == "5" and bad["姓名"] == BAD_NAME
    assert bad["身份证号"] == "4.41602E+17"
    assert "Excel" in bad["错误原因"] and "科学计数法" in bad["错误原因"], bad["错误原因"]

    # (2) The person list, searched by name, shows each worker's classification
    page.get_by_test_id("people-link").click()
    page.wait_for_url(re.compile(r"/people/\?enterprise=\d+$"))
    table = page.get_by_test_id("person-table")
    search(page, LOCAL_NAME, until=lambda: table.get_by_test_id("person-row").filter(has_text=LOCAL_NAME).wait_for())
    local_row = table.get_by_test_id("person-row").filter(has_text=LOCAL_NAME)
    assert local_row.count() == 1
    assert local_row.get_by_test_id("category").inner_text().strip() == "审核后发证"
    assert "本地未外出" in local_row.inner_text()
    shot(page, "3-local-worker-in-list")
    search(page, AWAY_NAME, until=lambda: table.get_by_test_id("person-row").filter(has_text=AWAY_NAME).wait_for())
    away_row = table.get_by_test_id("person-row").filter(has_text=AWAY_NAME)
    assert away_row.count() == 1
    assert away_row.get_by_test_id("category").inner_text().strip() == "单人单间隔离后发证"
    # the person page says until when, and why (the rule and the policy's days)
    eligible = returned + timedelta(days=isolation_days)
    away_row.get_by_role("link", name=AWAY_NAME).click()
    page.wait_for_url(re.compile(r"/people/[0-9a-f-]+/$"))
    classification = page.get_by_test_id("classification")
    assert page.get_by_test_id("category").inner_text().strip() == "单人单间隔离后发证"
    assert page.get_by_test_id("eligible-on").inner_text().strip() == f"{eligible:%Y-%m-%d}"
    reason = page.get_by_test_id("category-reason").inner_text()
    assert f"须单人单间隔离 {isolation_days} 天" in reason and f"{eligible:%Y-%m-%d} 起方可申领出入证" in reason, reason
    assert f"市外返岗人员：单人单间隔离 {isolation_days} 天后方可发放出入证" in classification.inner_text()
    shot(page, "4-away-worker-classified")

    # (3) The grid officer approves the local worker's pass from 出入证 → 待发证
    switch_user(page, product, "grid_officer")
    menu_link(page, "出入证").click()
    page.wait_for_url(re.compile(r"/people/passes/(\?.*)?$"))
    page.get_by_test_id("pending-link").click()
    page.wait_for_url(re.compile(r"/people/passes/pending/(\?.*)?$"))
    pending = page.get_by_test_id("pending-table")
    # the worker back from another province is not there: not eligible until the isolation ends
    search(page, AWAY_NAME, until=lambda: page.wait_for_function(
        "() => document.querySelector('[data-testid=result-count]').textContent.includes('共 0 人')"))
    assert pending.get_by_test_id("pending-row").count() == 0
    search(page, LOCAL_NAME, until=lambda: pending.get_by_test_id("pending-row").filter(has_text=LOCAL_NAME).wait_for())
    row = pending.get_by_test_id("pending-row").filter(has_text=LOCAL_NAME)
    assert row.count() == 1
    assert "审核后发证" in row.inner_text()
    shot(page, "5-pending")
    with page.expect_navigation():
        row.get_by_test_id("issue-one").click()
    page.wait_for_load_state()
    assert f"已为 {LOCAL_NAME} 发放出入证" in flash(page)
    # the pass, found in the pass list, shows its QR code and the code to type when scanning fails
    page.get_by_test_id("pass-list-link").click()
    page.wait_for_url(re.compile(r"/people/passes/(\?.*)?$"))
    search(page, LOCAL_NAME, until=lambda: page.get_by_test_id("pass-row").filter(has_text=LOCAL_NAME).wait_for())
    issued = page.get_by_test_id("pass-row").filter(has_text=LOCAL_NAME)
    assert issued.count() == 1
    assert issued.get_by_test_id("pass-row-state").inner_text().strip() == "有效"
    issued.get_by_role("link", name=LOCAL_NAME).click()
    page.wait_for_url(re.compile(r"/people/passes/[0-9a-f-]+/$"))
    pass_url = page.url
    assert page.get_by_test_id("pass-state").inner_text().strip() == "有效"
    assert page.get_by_test_id("pass-name").inner_text().strip() == LOCAL_NAME[0] + "*"
    qr = page.get_by_test_id("pass-qr")
    assert qr.evaluate("img => img.tagName") == "IMG"
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    token = page.get_by_test_id("pass-token").inner_text().strip()
    assert token.count(".") == 1, token
    shot(page, "6-pass")

    # (4) The gate guard pastes the code, types 38.2 and presses 进: refused in red
    switch_user(page, product, "gate_guard")
    menu_link(page, "门岗").click()
    page.wait_for_url(re.compile(r"/gates/\d+/$"))
    page.locator("#scan_token").fill(token)
    page.locator("#scan_temperature").fill("38.2")
    page.get_by_test_id("scan-in").click()
    answer = page.get_by_test_id("gate-answer")
    answer.wait_for()
    assert answer.get_attribute("data-outcome") == "refused"
    assert "text-bg-danger" in str(answer.get_attribute("class"))
    assert page.get_by_test_id("gate-headline").inner_text().strip() == "禁止入内"
    assert "体温 38.2℃ 发热" in page.get_by_test_id("gate-reason").inner_text()
    assert LOCAL_NAME[0] + "*" in answer.inner_text()
    shot(page, "7-gate-fever")

    # (5) The enterprise admin sees the open fever alert in 预警处置 and places the worker from it
    switch_user(page, product, "ent_admin")
    menu_link(page, "预警处置").click()
    page.wait_for_url(re.compile(r"/health/alerts/(\?.*)?$"))
    alerts = page.get_by_test_id("alert-list")
    search(page, LOCAL_NAME, until=lambda: alerts.locator("a", has_text=LOCAL_NAME).first.wait_for())
    item = alerts.locator("a", has_text=LOCAL_NAME)
    assert item.count() == 1
    assert item.get_by_test_id("alert-state").inner_text().strip() == "待处置"
    assert "发热" in item.inner_text() and "体温 38.2℃" in item.inner_text()
    shot(page, "8-alert-list")
    item.click()
    page.wait_for_url(re.compile(r"/health/alerts/[0-9a-f-]+/$"))
    alert_url = page.url
    assert page.get_by_test_id("alert-status").inner_text().strip() == "待处置"
    page.get_by_test_id("place-quarantine").click()
    page.wait_for_url(re.compile(r"/quarantine/place/alert/[0-9a-f-]+/$"))
    assert "38.2" in page.get_by_test_id("from-alert").inner_text()
    # into the enterprise's own observation area, from today, for a fever
    page.get_by_label("隔离方式").select_option(label="企业观察区")
    assert page.get_by_label("隔离原因").input_value() == "fever"
    site = page.get_by_label("隔离点")
    own_area = [o for o in site.locator("option").all_inner_texts() if o.startswith("企业观察区")]
    assert own_area, site.inner_text()
    site.select_option(label=own_area[0])
    area_name = own_area[0].split(" · ")[1]
    assert page.get_by_label("开始日期").input_value() == f"{today:%Y-%m-%d}"
    shot(page, "9-place-form")
    page.get_by_test_id("place").click()
    page.wait_for_url(re.compile(r"/quarantine/[0-9a-f-]+/$"))
    # the placement: in isolation, planned end = start + the policy's days, the pass revoked, the alert closed
    planned_end = today + timedelta(days=quarantine_days)
    message = flash(page)
    assert f"计划 {planned_end:%Y-%m-%d} 解除" in message and "已处置为“已隔离”" in message, message
    assert page.get_by_role("heading", level=1).inner_text().startswith(LOCAL_NAME)
    assert page.get_by_test_id("placement-status").inner_text().strip() == "隔离中"
    assert page.get_by_test_id("planned-end").inner_text().startswith(f"{planned_end:%Y-%m-%d}")
    assert page.get_by_test_id("where").inner_text().startswith(area_name)
    shot(page, "10-placement")

    page.goto(alert_url)
    assert page.get_by_test_id("alert-status").inner_text().strip() == "已处置"
    assert "已隔离" in page.get_by_test_id("alert-outcome").inner_text()
    assert page.get_by_test_id("place-quarantine").count() == 0
    # and on the worker's file: the alert dealt with (isolated), the pass revoked
    page.get_by_test_id("person-link").click()
    page.wait_for_url(re.compile(r"/people/[0-9a-f-]+/$"))
    assert page.get_by_test_id("person-name").inner_text().strip() == LOCAL_NAME
    closed = page.get_by_test_id("alert-row").filter(has_text="38.2")
    assert closed.count() == 1 and "已处置" in closed.inner_text() and "已隔离" in closed.inner_text(), closed.all_inner_texts()
    held = page.get_by_test_id("person-pass")
    assert held.count() == 1
    assert held.get_by_test_id("person-pass-state").inner_text().strip() == "已吊销"
    shot(page, "11-person-after")
    # the pass itself no longer shows a QR code, and the pass list says 已吊销
    page.goto(pass_url)
    assert page.get_by_test_id("pass-state").inner_text().strip() == "已吊销"
    assert page.get_by_test_id("pass-qr").count() == 0
    menu_link(page, "出入证").click()
    page.wait_for_url(re.compile(r"/people/passes/(\?.*)?$"))
    search(page, LOCAL_NAME, until=lambda: page.get_by_test_id("pass-row").filter(has_text=LOCAL_NAME).wait_for())
    revoked = page.get_by_test_id("pass-row").filter(has_text=LOCAL_NAME)
    assert revoked.get_by_test_id("pass-row-state").inner_text().strip() == "已吊销"
    shot(page, "12-pass-revoked")

    assert not console.errors, "\n".join(console.errors)
