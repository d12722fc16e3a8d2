"""What people see in a real browser: login, jurisdiction, the enterprise list, phones,
languages, the Content-Security-Policy, and an enterprise correcting its own details."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.browsing import column, log_in, menu_link, shown_count, wait_until_column_is

pytestmark = pytest.mark.e2e

NOT_FOUND = "页面不存在，或不在您的管辖范围内。"


def test_town_officer_sees_only_their_town_and_another_towns_enterprise_is_not_found(page: Any, product: Any) -> None:
    # Given the 高新区 command officer, logged in through the form
    log_in(page, "hitech_cmd", product.password("hitech_cmd"))
    assert "/accounts/login/" not in page.url

    # When they open the enterprise list from the menu
    menu_link(page, "企业").click()
    page.wait_for_url("**/enterprises/")

    # Then the count is what their jurisdiction holds, and every row on every page is in 高新区
    expected = product.facts["hitech_enterprises"]
    assert expected > 0
    assert shown_count(page) == expected
    towns: list[str] = []
    while True:
        towns += column(page, "镇街")
        next_link = page.get_by_role("link", name="下一页")
        if not next_link.count():
            break
        next_link.click()
        page.wait_for_load_state()
    assert len(towns) == expected
    assert set(towns) == {"高新区"}

    # And a 鹤山市 enterprise's page, opened by its URL, is "not found" (404), not "forbidden"
    heshan_id = product.facts["heshan_enterprise_id"]
    assert isinstance(heshan_id, int)  # a real enterprise: /enterprises/None/ would be a 404 too
    for url in (f"/enterprises/{heshan_id}/", f"/enterprises/{heshan_id}/edit/"):
        response = page.goto(url)
        assert response is not None and response.status == 404, url
        assert page.get_by_text(NOT_FOUND).is_visible()


def test_command_officer_logs_in_with_their_mobile_number(page: Any, product: Any, demo_mobiles: dict[str, str]) -> None:
    # Given county_cmd's mobile number from the demo
    mobile = demo_mobiles["county_cmd"]
    assert re.fullmatch(r"1\d{10}", mobile)

    # When they log in with it instead of the username
    log_in(page, mobile, product.password("county_cmd"))

    # Then they are on the home page as themselves, with their county role
    assert page.url.rstrip("/") == product.base_url
    assert page.get_by_test_id("current-user").inner_text().strip() == product.accounts["county_cmd"]["display_name"]
    assert product.accounts["county_cmd"]["scope"] in page.get_by_test_id("membership").first.inner_text()


def test_five_wrong_passwords_lock_the_account_with_a_page_in_chinese(page: Any, product: Any) -> None:
    # Given a user nobody else in this session logs in as
    username = "gongh_grid"

    # When the password is wrong four times, the login form says so, in Chinese
    for _ in range(4):
        log_in(page, username, "wrong-password-1")
        assert "用户名/手机号或密码错误" in page.get_by_test_id("login-error").inner_text()

    # And the fifth wrong password locks the account
    log_in(page, username, "wrong-password-1")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "已被锁定" in page.get_by_test_id("locked-out").inner_text()

    # Then even the right password is refused while the lock lasts
    log_in(page, username, product.password(username))
    assert page.get_by_test_id("locked-out").is_visible()


def test_sector_filter_updates_the_table_in_place_and_keeps_the_filter_in_the_url(page: Any, product: Any) -> None:
    # Given the county officer's enterprise list
    log_in(page, "county_cmd", product.password("county_cmd"))
    page.goto("/enterprises/")
    everything = shown_count(page)
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    # When they choose a sector in the select
    with page.expect_response(lambda r: "sector=construction" in r.url) as answer:
        page.get_by_label("行业").select_option("construction")
    assert answer.value.request.headers.get("hx-request") == "true"
    page.wait_for_url(re.compile(r"[?&]sector=construction(&|$)"))
    wait_until_column_is(page, "行业", "建筑工地")

    # Then the table shows only that sector, without a full page load, and the URL keeps the filter
    assert page.evaluate("window.__sameDocument === true")
    construction = shown_count(page)
    assert 0 < construction < everything
    assert set(column(page, "行业")) == {"建筑工地"}

    # And reloading (or sharing) that URL shows the same filtered list
    page.reload()
    assert page.get_by_label("行业").input_value() == "construction"
    assert shown_count(page) == construction


def test_on_a_phone_the_menu_collapses_into_the_toggler_and_the_list_still_works(page: Any, product: Any) -> None:
    # Given a phone-sized screen
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "hitech_cmd", product.password("hitech_cmd"))

    # Then the menu is folded behind the toggler
    toggler = page.locator(".navbar-toggler")
    enterprises = menu_link(page, "企业")
    assert toggler.is_visible()
    assert not enterprises.is_visible()

    # When they open it and choose 企业
    toggler.click()
    enterprises.wait_for(state="visible")
    enterprises.click()
    page.wait_for_url("**/enterprises/")

    # Then the list fits the screen (the table scrolls inside its own box) and works
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_test_id("enterprise-table").is_visible()
    with page.expect_response(lambda r: "size=above" in r.url):
        page.get_by_label("规模").select_option("above")
    page.wait_for_url(re.compile(r"[?&]size=above(&|$)"))
    wait_until_column_is(page, "规模", "规上")
    first = page.get_by_test_id("enterprise-table").locator("tbody tr td a").first
    name = first.inner_text().strip()
    first.click()
    page.wait_for_url(re.compile(r"/enterprises/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text().strip() == name


def test_language_switch_turns_the_page_english_and_back_keeping_the_filtered_list(page: Any, product: Any) -> None:
    # Given a filtered list in Chinese
    log_in(page, "hitech_cmd", product.password("hitech_cmd"))
    page.goto("/enterprises/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.get_by_label("行业").select_option("industry")
    page.wait_for_url(re.compile(r"[?&]sector=industry(&|$)"))

    # When they switch to English
    page.get_by_test_id("lang-en").click()
    page.wait_for_function("document.documentElement.lang === 'en'")

    # Then the page is English, still on the filtered list
    assert page.locator("html").get_attribute("lang") == "en"
    assert re.search(r"[?&]sector=industry(&|$)", page.url)

    # And switching back gives Chinese again
    page.get_by_test_id("lang-zh-hans").click()
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    assert re.search(r"[?&]sector=industry(&|$)", page.url)


def test_pages_raise_no_csp_violation_and_no_console_error(page: Any, product: Any, console: Any) -> None:
    # Given the system administrator, who sees every menu entry
    page.goto("/accounts/login/")
    log_in(page, "admin", product.password("admin"))

    # When they walk through every page of the menu, a filter, an enterprise and its form
    menu = page.locator("#nav .nav-link[href], #nav .dropdown-item[href]")
    urls = [menu.nth(i).get_attribute("href") for i in range(menu.count())]
    assert "/enterprises/" in urls
    visited = []
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("networkidle")
        visited.append(url)
    page.goto("/enterprises/")
    page.get_by_label("规模").select_option("below")
    page.wait_for_url(re.compile(r"[?&]size=below"))
    page.get_by_placeholder("名称、信用代码、地址、联系人").fill("有限公司")
    page.wait_for_url(re.compile(r"[?&]q="))
    page.get_by_test_id("enterprise-table").locator("tbody tr td a").first.click()
    page.wait_for_url(re.compile(r"/enterprises/\d+/$"))
    page.get_by_role("link", name="修改").click()
    page.wait_for_url(re.compile(r"/enterprises/\d+/edit/$"))
    page.wait_for_load_state("networkidle")

    # Then the browser reported nothing: no CSP violation, no error, no uncaught exception
    assert not console.csp_violations, "\n".join(console.csp_violations)
    assert not console.errors, "\n".join(console.errors)


def test_enterprise_admin_sees_a_chinese_error_for_a_bad_credit_code_keeps_their_input_and_saves(page: Any, product: Any) -> None:
    # Given the enterprise's own admin on the edit form of their enterprise
    log_in(page, "ent_admin", product.password("ent_admin"))
    enterprise_id = product.facts["ent_admin_enterprise_id"]
    page.get_by_role("link", name="企业信息").first.click()
    page.wait_for_url(f"**/enterprises/{enterprise_id}/")
    page.get_by_role("link", name="修改").click()
    page.wait_for_url(f"**/enterprises/{enterprise_id}/edit/")
    uscc = page.get_by_label("统一社会信用代码")
    good_code = uscc.input_value()
    bad_code = good_code[:-1] + ("1" if good_code[-1] != "1" else "2")  # a wrong check character

    # When they change several fields but mistype the credit code, and save
    page.get_by_label("防疫联系人").fill("黄晓琳")
    page.get_by_label("员工总数").fill("321")
    uscc.fill(bad_code)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()

    # Then the form comes back with the error in Chinese, and everything they typed is kept
    assert page.get_by_test_id("form-errors").is_visible()
    error = page.get_by_test_id("error-uscc").inner_text()
    assert "统一社会信用代码校验位错误" in error and f"应为“{good_code[-1]}”" in error
    assert "is-invalid" in (uscc.get_attribute("class") or "")
    assert uscc.input_value() == bad_code
    assert page.get_by_label("防疫联系人").input_value() == "黄晓琳"
    assert page.get_by_label("员工总数").input_value() == "321"

    # When they correct the code and save again
    uscc.fill(good_code)
    page.get_by_role("button", name="保存").click()

    # Then the enterprise is saved with their changes
    page.wait_for_url(f"**/enterprises/{enterprise_id}/")
    assert page.get_by_text("已保存。").is_visible()
    details = page.locator("dl").inner_text()
    assert "黄晓琳" in details and "321" in details and good_code in details
