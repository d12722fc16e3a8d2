"""Issue 5 item 7 in a real Chromium: the enterprise admin sees what its roster earns under
Heyuan's scheme (line by line, with the reasons and the exclusions), tries the park rent waiver
with its monthly rent, applies (a forgotten declaration is refused in Chinese first); 高新区's
command approves; the payment list (发放清单) downloads with the approved lines and no full ID
number."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.e2e.browsing import log_in, menu_link
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

HEYUAN = "河源高新区复工稳岗补贴"
RENT = "园区承租企业租金减免"


def shot(page: Any, step: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"subsidy-flow-{step}.png"), full_page=True)


def switch_user(page: Any, product: Any, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username, product.password(username))
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def card(page: Any, scheme: str) -> Any:
    return page.get_by_test_id("scheme-computation").filter(has_text=scheme)


def test_the_enterprise_applies_for_its_computed_subsidy_the_command_approves_and_the_payment_list_downloads(
        page: Any, product: Any, console: Any, tmp_path: Path) -> None:
    page.on("dialog", lambda d: d.accept())

    # (1) The enterprise admin opens 补贴申领 and its enterprise's computed subsidies
    switch_user(page, product, "ent_admin")
    menu_link(page, "补贴申领").click()
    page.wait_for_url(re.compile(r"/subsidies/(\?.*)?$"))
    page.get_by_test_id("own-subsidies").first.click()
    page.wait_for_url(re.compile(r"/subsidies/enterprises/\d+/$"))
    heyuan = card(page, HEYUAN)
    lines = heyuan.get_by_test_id("subsidy-line")
    assert lines.count() >= 1
    assert re.search(r"返岗|介绍|入职|来源地", heyuan.get_by_test_id("subsidy-lines").inner_text())
    total = Decimal(heyuan.get_by_test_id("grand-total").inner_text().strip())
    assert total > 0
    # the exclusions are explained
    heyuan.get_by_test_id("exclusions").locator("summary").click()
    assert heyuan.get_by_test_id("exclusion").count() >= 1
    shot(page, "1-computed")

    # (2) The park rent waiver: the monthly rent typed and tried (试算), nothing applied yet
    rent = card(page, RENT)
    if rent.count():
        rent.get_by_label("每月租金（元）").fill("12000")
        rent.get_by_test_id("preview").click()
        page.wait_for_load_state()
        rent = card(page, RENT)
        assert "租金全免（月租金12000.00元）" in rent.get_by_test_id("subsidy-lines").inner_text()
        assert rent.get_by_label("每月租金（元）").input_value() == "12000"
        shot(page, "2-rent-preview")

    # (3) Applying without the declaration is refused in Chinese; with it, the application is made
    heyuan = card(page, HEYUAN)
    heyuan.get_by_test_id("apply").click()
    page.wait_for_load_state()
    heyuan = card(page, HEYUAN)
    assert "请阅读并勾选承诺后再提交申请。" in heyuan.get_by_test_id("error-declared").inner_text()
    heyuan.locator("input[name=declared]").check()
    heyuan.get_by_test_id("apply").click()
    page.wait_for_url(re.compile(r"/subsidies/[0-9a-f-]{36}/$"))
    application_url = page.url
    assert page.get_by_test_id("application-status").inner_text().strip() == "待审核"
    assert Decimal(page.get_by_test_id("grand-total").inner_text().strip()) == total
    shot(page, "3-applied")

    # (4) 高新区's command approves it
    switch_user(page, product, "hitech_cmd")
    page.goto(application_url)
    page.get_by_test_id("approve").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("application-status").inner_text().strip() == "已批准"
    assert "已批准" in page.get_by_role("alert").first.inner_text()
    shot(page, "4-approved")

    # (5) The totals per scheme count it, and the payment list downloads with its lines
    page.goto("/subsidies/summary/")
    row = page.get_by_test_id("summary-row").filter(has_text=HEYUAN)
    assert Decimal(row.get_by_test_id("amount-approved").inner_text().strip()) >= total
    shot(page, "5-summary")
    row.get_by_role("link", name=re.compile(HEYUAN)).click()
    page.wait_for_url(re.compile(r"/subsidies/schemes/\d+/$"))
    with page.expect_download() as download:
        page.get_by_test_id("payment-list").click()
    assert download.value.suggested_filename.startswith("发放清单-")
    saved = tmp_path / "发放清单.xlsx"
    download.value.save_as(saved)
    rows = [list(r) for r in load_workbook(saved, read_only=True).active.iter_rows(values_only=True)]  # type: ignore[union-attr]
    header, body = rows[0], rows[1:]
    assert header[:5] == ["序号", "企业", "统一社会信用代码", "镇街", "姓名"]
    assert body and sum(Decimal(str(r[7])) for r in body) >= total
    assert all("*" in str(r[5]) for r in body if r[5])  # ID numbers masked, never in full
    shot(page, "6-scheme")
    assert not console.errors, console.errors
