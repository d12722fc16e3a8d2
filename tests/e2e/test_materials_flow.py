"""Issue 5's materials flow in a real Chromium: an enterprise short of masks shows red; 高新区's
command officer proposes an allocation from the 高新区 stockpile by need and confirms it; the
enterprise admin receives it; the enterprise's days of supply of masks go up."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from tests.e2e.browsing import log_in, menu_link
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

STOCKPILE = "高新区防疫物资储备库"


def shot(page: Any, step: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"materials-flow-{step}.png"), full_page=True)


def switch_user(page: Any, product: Any, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username, product.password(username))
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def mask_days(page: Any) -> tuple[Decimal, str]:
    """The masks row of the enterprise's stock table: its days of supply and the badge's colour."""
    cell = page.locator("[data-testid=stock-row][data-material=mask] .badge")
    text = cell.inner_text().strip()
    match = re.search(r"[\d.]+", text)
    assert match, text
    return Decimal(match.group()), "danger" if "text-bg-danger" in (cell.get_attribute("class") or "") else "success"


def flash(page: Any) -> str:
    return str(page.get_by_role("alert").first.inner_text())


def test_shortage_to_allocation_to_received(page: Any, product: Any) -> None:
    page.on("dialog", lambda d: d.accept())
    enterprise_id = product.facts["ent_admin_enterprise_id"]

    # (1) The enterprise admin opens 防控物资: masks are under the 7 days the policy asks, in red, with a forecast
    switch_user(page, product, "ent_admin")
    menu_link(page, "企业物资").click()
    page.wait_for_url(f"**/materials/enterprises/{enterprise_id}/")
    before, colour = mask_days(page)
    assert colour == "danger" and before < 7, before
    assert page.locator("[data-testid=stock-row][data-material=mask] [data-testid=runs-out]").inner_text().strip()
    assert "不足" in page.get_by_test_id("supply-state").inner_text()
    shot(page, "1-enterprise-short")
    # the stock figure links to the movements behind it
    page.locator("[data-testid=stock-row][data-material=mask] [data-testid=stock-link]").click()
    page.wait_for_url(re.compile(r"/movements/\?material=mask$"))
    assert "口罩库存 = 以下各笔之和" in page.get_by_test_id("movement-total").inner_text()
    shot(page, "2-movements")

    # (2) 高新区's command officer sees it among the short enterprises …
    switch_user(page, product, "hitech_cmd")
    menu_link(page, "企业物资").click()
    page.wait_for_url(re.compile(r"/materials/enterprises/(\?.*)?$"))
    page.get_by_test_id("short-filter").click()
    page.wait_for_url(re.compile(r"state=short"))
    assert page.get_by_test_id("supply-table").get_by_role("link", name=re.compile(".")).count() > 0
    shot(page, "3-short-list")
    # … proposes masks from 高新区's stockpile by need, and confirms the one for that enterprise
    menu_link(page, "按需调拨").click()
    page.wait_for_url(re.compile(r"/materials/allocations/propose/"))
    with page.expect_navigation():
        page.get_by_label("储备库", exact=True).select_option(label=STOCKPILE)
    with page.expect_navigation():
        page.get_by_label("物资", exact=True).select_option(label="口罩（只）")
    rows = page.get_by_test_id("proposal-row")
    ours = page.locator(f"[data-testid=proposal-row][data-enterprise='{enterprise_id}']")
    ours.wait_for()
    for index in range(rows.count()):
        box = rows.nth(index).locator("input[type=checkbox]")
        if box.is_checked():
            box.uncheck()
    ours.locator("input[type=checkbox]").check()
    quantity = Decimal(ours.locator("input[type=text]").input_value())
    assert quantity > 0
    shot(page, "4-proposals")
    with page.expect_navigation():
        page.get_by_test_id("confirm-selected").click()
    assert "已确认调拨 1 家企业" in flash(page)
    shot(page, "5-confirmed")

    # (3) The enterprise admin receives it from 待接收调拨
    switch_user(page, product, "ent_admin")
    menu_link(page, "待接收调拨").click()
    page.wait_for_url("**/materials/allocations/incoming/")
    waiting = page.get_by_test_id("waiting-row").filter(has_text=f"口罩 {quantity}只")
    assert waiting.count() == 1
    shot(page, "6-incoming")
    with page.expect_navigation():
        waiting.get_by_test_id("receive").click()
    assert "已计入库存" in flash(page)
    assert page.get_by_test_id("waiting-row").filter(has_text=f"口罩 {quantity}只").count() == 0

    # (4) … and the enterprise's days of supply of masks went up, to the minimum
    menu_link(page, "企业物资").click()
    page.wait_for_url(f"**/materials/enterprises/{enterprise_id}/")
    after, colour = mask_days(page)
    assert after > before and after >= 7 and colour == "success", (before, after)
    shot(page, "7-enterprise-supplied")
