"""The employee's health declaration on a phone, in a real Chromium: the travel places are picked
province → city → county from the region tree (app.js asks the divisions endpoint as each select
changes), a refused form comes back with the places still picked, and a sent one lands on the
employee's own page. And the enterprise admin shows a person's personal link as a QR code."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.browsing import log_in

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


def pick(row: Any, level: int, value: str) -> None:
    """Choose ``value`` in the row's select of ``level``, once app.js has filled it."""
    select = row.locator(f"select[data-division-level='{level}']")
    select.locator(f"option[value='{value}']").wait_for(state="attached")
    select.select_option(value)


def test_employee_declares_a_trip_picked_from_the_region_tree_on_a_phone(page: Any, product: Any) -> None:
    # Given the demo employee signed in on a phone, on their declaration page
    page.set_viewport_size(PHONE)
    log_in(page, "employee", product.password("employee"))
    page.goto("/people/me/")
    page.get_by_test_id("declare-button").click()
    assert "《中华人民共和国传染病防治法》第十二条、第三十一条" in page.get_by_test_id("legal-basis").inner_text()
    # When they pick 湖北省 → 武汉市 → 武昌区 with yesterday's date, and send it without the promise ticked
    row = page.get_by_test_id("trip-row").first
    pick(row, 1, "420000")
    pick(row, 2, "420100")
    pick(row, 3, "420106")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    row.locator("input[name$='-start']").fill(yesterday)
    row.locator("input[name$='-end']").fill(yesterday)
    page.get_by_label("家庭成员均健康").check()
    page.get_by_test_id("declare-submit").click()
    # Then the form comes back asking for the promise, with the places still picked
    assert "请阅读告知内容并勾选承诺后再提交" in page.get_by_test_id("error-consent").inner_text()
    row = page.get_by_test_id("trip-row").first
    assert row.locator("select[data-division-level='3']").input_value() == "420106"
    # And when they tick it and send again, they are back on their page with the declaration taken
    page.locator("input[name=consent]").check()
    page.get_by_test_id("declare-submit").click()
    page.wait_for_url("**/people/me/")
    assert "健康申报已提交" in page.locator("main").inner_text()


def test_enterprise_admin_shows_a_persons_link_as_a_qr_code(page: Any, product: Any) -> None:
    log_in(page, "ent_admin", product.password("ent_admin"))
    page.goto("/people/")
    page.get_by_test_id("person-table").locator("tbody tr td a").first.click()
    with page.expect_response(lambda response: response.url.endswith("/link.svg")) as qr:
        page.get_by_test_id("personal-link").locator("summary").click()
    assert qr.value.status == 200 and qr.value.headers["content-type"] == "image/svg+xml"
    assert "/p/" in page.get_by_test_id("personal-link-url").input_value()
