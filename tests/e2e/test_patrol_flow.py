"""Patrol finding → rectification → verified, in the browser: the grid officer patrols ent_admin's
enterprise on a phone and fails one item; a rectification item appears with the policy's
deadline; the enterprise admin answers with text and a photo; the officer verifies (销号); the
counts per town follow."""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browsing import log_in, menu_link
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
PROBLEM = "门口测温点无人值守，外来人员未测温"


def tiny_png() -> bytes:
    """A real 1×1 PNG, standing in for a photo of the rectified checkpoint."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + (zlib.crc32(kind + data) & 0xFFFFFFFF).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") + (1).to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xaa\xaa\xa0")) + chunk(b"IEND", b"")


def shot(page: Any, step: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"patrol-flow-{step}.png"), full_page=True)


def switch_user(page: Any, product: Any, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username, product.password(username))
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def flash(page: Any) -> str:
    return str(page.get_by_role("alert").first.inner_text())


def town_counts(page: Any) -> tuple[int, int]:
    """(found, rectified) of 高新区 on the summary page."""
    page.goto("/inspections/rectifications/summary/")
    row = page.get_by_test_id("town-441602-GXQ")
    if not row.count():  # nothing found in the officer's places yet
        return 0, 0
    cells = row.locator("td").all_inner_texts()
    return int(cells[1]), int(cells[2])


def test_patrol_finding_to_rectification_to_verified(page: Any, product: Any, tmp_path: Path) -> None:
    enterprise = product.shell(
        "from fugong.accounts.models import Membership\n"
        "print(Membership.objects.get(user__username='ent_admin', role='enterprise').enterprise.name)\n"
    ).strip().splitlines()[-1]

    # (1) The grid officer, on a phone, reads the counts and opens 日常巡查 from the menu
    page.set_viewport_size(PHONE)
    switch_user(page, product, "grid_officer")
    found_before, rectified_before = town_counts(page)
    page.goto("/")
    page.locator(".navbar-toggler").click()
    menu_link(page, "日常巡查").click()
    page.wait_for_url(re.compile(r"/inspections/patrol/(\?.*)?$"))
    assert page.get_by_test_id("due").locator("[data-testid=patrol-row]").count() >= 1
    shot(page, "1-patrol-page")
    # finds the enterprise and starts a visit
    page.get_by_label("查找企业").fill(enterprise[-8:])
    page.get_by_label("查找企业").press("Enter")
    page.wait_for_url(re.compile(r"/inspections/patrol/\?find="))
    page.get_by_test_id("found").get_by_test_id("start-patrol").first.click()
    page.wait_for_url(re.compile(r"/inspections/[0-9a-f-]+/$"))
    assert "日常巡查" in page.get_by_test_id("inspection-header").inner_text()

    # (2) Every item passed but the gate checkpoint (item 2), which fails with what was seen
    items = page.locator("section[data-testid^=item-]")
    total = items.count()
    assert total >= 7
    for i in range(total):
        items.nth(i).locator("label[for$='-pass']").click()
    page.get_by_test_id("item-2").locator("label[for$='-fail']").click()
    page.get_by_test_id("item-2").locator("textarea").fill(PROBLEM)
    page.get_by_label("检查意见").fill("测温点无人值守，责令限期整改。")
    page.get_by_label("检查人签名").fill("网格长 王伟")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "2-visit-on-phone")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("complete").click()
    page.wait_for_url(re.compile(r"/inspections/patrol/$"))
    assert "巡查发现 1 项问题" in flash(page) and PROBLEM in flash(page)
    shot(page, "3-finding")
    assert town_counts(page) == (found_before + 1, rectified_before)

    # (3) The rectification item is in the ledger, due by the policy's deadline
    page.goto("/inspections/rectifications/?source=patrol&q=" + enterprise[-8:])
    link = page.get_by_test_id("item-link").filter(has_text=PROBLEM)
    assert link.count() == 1
    link.click()
    page.wait_for_url(re.compile(r"/inspections/rectifications/\d+/$"))
    item_url = page.url
    assert page.get_by_test_id("status").inner_text().strip() == "待整改"

    # (4) The enterprise admin answers with text and a photo
    switch_user(page, product, "ent_admin")
    page.goto(item_url)
    photo = tmp_path / "值守照片.png"
    photo.write_bytes(tiny_png())
    page.locator("#id_answer").fill("已安排两名保安轮班值守测温点，外来人员一律测温登记。")
    page.locator("#id_photos").set_input_files(str(photo))
    page.get_by_test_id("submit-answer").click()
    page.wait_for_url(item_url)
    assert "已提交整改情况" in flash(page)
    assert page.get_by_test_id("status").inner_text().strip() == "已整改待核验"
    thumbnail = page.get_by_test_id("history").locator("img.photo-thumb")
    assert thumbnail.count() == 1
    served = page.request.get(str(thumbnail.get_attribute("src")))
    assert served.status == 200 and served.headers["content-type"] == "image/png"
    shot(page, "4-answered")

    # (5) The officer verifies: 销号
    switch_user(page, product, "grid_officer")
    page.goto(item_url)
    assert page.get_by_test_id("history").locator("img.photo-thumb").count() == 1
    page.get_by_test_id("verify").click()
    page.wait_for_url(item_url)
    assert "已核验销号" in flash(page)
    assert page.get_by_test_id("status").inner_text().strip() == "已核验销号"
    history = page.get_by_test_id("history").inner_text()
    assert "发现问题" in history and "企业填报整改" in history and "核验销号" in history
    shot(page, "5-verified")

    # (6) The counts follow: one more found, one more rectified
    assert town_counts(page) == (found_before + 1, rectified_before + 1)
    shot(page, "6-counts")
