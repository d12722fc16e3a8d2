"""Issue 5's help-request flow in a real Chromium, as the people involved do it: the enterprise
files a help request (a missing field is named in Chinese and what was typed is kept), the
platform routes it by its category to 高新区经贸办, whose reviewer finds it in the inbox and the
list and answers it, and the enterprise confirms it solved — closed, with the response times on
the request and in the list."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.e2e.browsing import log_in, menu_link
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e


def shot(page: Any, step: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"assistance-flow-{step}.png"), full_page=True)


def switch_user(page: Any, product: Any, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username, product.password(username))
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def test_enterprise_files_department_answers_enterprise_confirms_and_times_are_shown(page: Any, product: Any) -> None:
    page.on("dialog", lambda d: d.accept())
    title = f"流程测试：急需口罩贷款{int(time.time()) % 100000}"

    # (1) The enterprise admin files a request from the menu 企业帮扶 → 企业诉求 → 提交诉求
    switch_user(page, product, "ent_admin")
    menu_link(page, "企业诉求").click()
    page.wait_for_url(re.compile(r"/assistance/(\?.*)?$"))
    page.get_by_test_id("file-request").click()
    page.wait_for_url("**/assistance/new/")
    page.get_by_label("诉求类别").select_option(label="融资")
    page.get_by_label("诉求摘要").fill(title)
    page.get_by_test_id("submit-request").click()
    # forgot the details: told in Chinese, and the summary typed is still there
    assert page.get_by_test_id("error-description").inner_text().strip() == "该字段是必填项。"
    assert page.get_by_label("诉求摘要").input_value() == title
    shot(page, "1-missing-description")
    page.get_by_label("诉求内容").fill("受疫情影响回款延迟，希望对接银行疫情专项贷款约300万元。")
    page.get_by_test_id("submit-request").click()
    page.wait_for_url(re.compile(r"/assistance/\d+/$"))
    request_url = page.url
    # routed by its category (融资) to 高新区经贸办, the rule named
    assert "高新区经贸办" in page.get_by_test_id("handler").inner_text()
    assert "分派规则" in page.get_by_test_id("handler").inner_text()
    assert page.get_by_test_id("request-status").inner_text().strip() == "待答复"
    assert page.get_by_test_id("response-time").inner_text().strip() == "—"
    shot(page, "2-filed-and-routed")

    # (2) 高新区经贸办's reviewer is told in the inbox, finds it in the list and answers
    switch_user(page, product, "jmb_reviewer")
    page.goto("/accounts/inbox/")
    assert page.get_by_text(title).count() >= 1 or page.get_by_text("新的企业诉求").count() >= 1
    menu_link(page, "企业诉求").click()
    page.wait_for_url(re.compile(r"/assistance/(\?.*)?$"))
    with page.expect_response(lambda r: "q=" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("#id_q").fill(title)
    row = page.get_by_test_id("request-row").filter(has_text=title)
    row.wait_for()
    assert row.count() == 1
    row.get_by_role("link", name=title).click()
    page.wait_for_url(request_url)
    page.get_by_label("答复内容").fill("已将需求推送至农商行，客户经理两个工作日内上门对接，可申请疫情专项贷款。")
    page.get_by_test_id("answer").click()
    page.wait_for_url(request_url)
    assert page.get_by_test_id("request-status").inner_text().strip() == "已答复待确认"
    response_time = page.get_by_test_id("response-time").inner_text().strip()
    assert response_time != "—" and re.search(r"分钟|小时|天", response_time)
    shot(page, "3-answered")

    # (3) The enterprise reads the answer and confirms it solved: closed
    switch_user(page, product, "ent_admin")
    page.goto(request_url)
    confirm = page.get_by_test_id("confirm-form")
    assert "农商行" in confirm.inner_text()
    page.get_by_label("已解决，确认办结").check()
    page.get_by_test_id("confirm").click()
    page.wait_for_url(request_url)
    assert page.get_by_test_id("request-status").inner_text().strip() == "已办结"
    assert page.get_by_test_id("resolution-time").inner_text().strip() != "—"
    assert page.get_by_test_id("confirm-form").count() == 0
    events = page.get_by_test_id("event").all_inner_texts()
    assert [e.split()[0] for e in events] == ["提交诉求", "分派", "答复", "企业确认已解决"]
    shot(page, "4-closed")

    # (4) The list shows it closed with its response times
    page.goto("/assistance/?status=closed")
    row = page.get_by_test_id("request-row").filter(has_text=title)
    assert row.get_by_test_id("request-status").inner_text().strip() == "已办结"
    assert row.get_by_test_id("response-time").inner_text().strip() == response_time
    assert row.get_by_test_id("resolution-time").inner_text().strip() != "—"
    shot(page, "5-list")
