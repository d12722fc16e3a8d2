"""The command centre in a real Chromium: each level's dashboard (county, town, grid, a
department's reviewer) draws its ECharts charts under the strict CSP, a figure clicks through to
its list with the same number, and the flags ledger lists red ones first. Screenshots are kept in
var/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.browsing import log_in, shown_count
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("username", ["county_cmd", "hitech_cmd", "grid_officer", "jmb_reviewer"])
def test_each_level_sees_its_dashboard_with_charts(page: Any, product: Any, username: str) -> None:
    log_in(page, username, product.password(username))
    page.goto("/command/")
    page.get_by_test_id("dashboard-title").wait_for()
    page.locator('[data-chart="areas"][data-rendered="1"]').wait_for()
    assert page.locator("[data-chart] svg").count() >= 2
    red = page.get_by_test_id("figure-flag_red").locator("a")
    shown = int(red.inner_text())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"command_dashboard_{username}.png"), full_page=True)
    red.click()
    page.wait_for_url("**/command/flags/**")
    assert shown_count(page) == shown
    flags = page.get_by_test_id("flag-row").evaluate_all("rows => rows.map(r => r.dataset.flag)")
    assert all(flag == "red" for flag in flags)
