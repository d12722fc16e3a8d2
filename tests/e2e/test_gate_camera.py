"""The gate on a phone, in a real Chromium: the guard points the camera at a worker's pass (a fake
camera plays a video of the pass's QR code), the vendored jsQR reads it, the guard types the
temperature and presses 进, and the answer comes back big without the page reloading."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import segno

from fugong.core.idcard import check_character
from tests.e2e.browsing import log_in, menu_link
from tests.e2e.conftest import BROWSER_LOCALE, CHROMIUM, CHROMIUM_FLAGS, REPORT_CSP_VIOLATIONS, SCREENSHOTS, ConsoleLog

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
WIDTH, HEIGHT = 640, 480
SERIALS = itertools.count(771)  # the product's database lives for the session: a new person per test

MAKE_PASS = """
from fugong.accounts.models import Membership, User
from fugong.workforce.choices import PersonOrigin
from fugong.workforce.services import pass_issue, person_create

admin = User.objects.get(username="admin")
enterprise = Membership.objects.get(user__username="ent_admin").enterprise
person = person_create(enterprise=enterprise, acting_user=admin,
                       data={"name": "扫码测试", "id_number": %r, "phone": "13900000000", "origin": PersonOrigin.LOCAL_NOT_AWAY})
print(pass_issue(person=person, acting_user=admin).token)
"""


def qr_video(text: str, path: Path, frames: int = 10) -> Path:
    """A Y4M video (what Chromium's fake camera plays) of the QR code of ``text`` on white."""
    matrix = segno.make(text, error="m").matrix_iter(border=4)
    rows = [list(row) for row in matrix]
    scale = min(WIDTH, HEIGHT) * 9 // 10 // len(rows)
    size = len(rows) * scale
    left, top = (WIDTH - size) // 2, (HEIGHT - size) // 2
    luma = bytearray(b"\xeb" * (WIDTH * HEIGHT))
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (top + y * scale + dy) * WIDTH + left + x * scale
                    luma[start:start + scale] = b"\x10" * scale
    chroma = b"\x80" * (WIDTH * HEIGHT // 4)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + bytes(luma) + chroma + chroma)
    return path


@pytest.fixture
def pass_token(product: Any) -> str:
    body = f"44162219860301{next(SERIALS):03d}"
    token = product.shell(MAKE_PASS % (body + check_character(body))).strip().splitlines()[-1]
    assert token.count(".") == 1, token
    return token


@pytest.fixture
def camera_page(browser: Any, product: Any, pass_token: str, tmp_path: Path, console: ConsoleLog,
                request: pytest.FixtureRequest) -> Iterator[Any]:
    """A phone-sized page in a Chromium whose camera shows the pass's QR code."""
    video = qr_video(pass_token, tmp_path / "pass.y4m")
    flags = [*CHROMIUM_FLAGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
             f"--use-file-for-fake-video-capture={video}"]
    camera_browser = browser.browser_type.launch(executable_path=CHROMIUM, args=flags, headless=True)
    context = camera_browser.new_context(base_url=product.base_url, locale=BROWSER_LOCALE, timezone_id="Asia/Shanghai", viewport=PHONE,
                                         is_mobile=True, has_touch=True, permissions=["camera"])
    context.set_default_timeout(15_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.on("console", lambda m: console.entries.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.entries.append(f"pageerror: {e}"))
    try:
        yield page
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
        context.close()
        camera_browser.close()
    assert not console.csp_violations, console.csp_violations
    assert not console.errors, console.errors


def test_gate_guard_scans_a_pass_with_the_phone_camera_and_lets_the_worker_in(camera_page: Any, product: Any, pass_token: str) -> None:
    page = camera_page
    # Given the 东门 guard, signed in on a phone: the gates menu goes straight to their gate
    log_in(page, "gate_guard", product.password("gate_guard"))
    page.goto("/gates/")
    page.wait_for_url("**/gates/*/")
    assert page.get_by_test_id("gate-page").is_visible()
    # When they open the camera and hold the worker's pass in front of it
    page.get_by_test_id("camera-toggle").click()
    page.wait_for_function("() => document.getElementById('scan_token').value.length > 0")
    # Then the code is read into the code field and the temperature field waits for them
    assert page.locator("#scan_token").input_value() == pass_token
    assert page.evaluate("document.activeElement.id") == "scan_temperature"
    # When they type the temperature and press 进
    page.locator("#scan_temperature").fill("36.5")
    page.get_by_test_id("scan-in").click()
    # Then the answer is 放行 with the enterprise and the masked name, without leaving the page
    answer = page.get_by_test_id("gate-answer")
    answer.wait_for()
    assert answer.get_attribute("data-outcome") == "allowed"
    assert page.get_by_test_id("gate-headline").inner_text().strip() == "放行"
    assert "扫*" in answer.inner_text()
    # And the form is blank for the next person, the day's count went up, the camera still looks —
    # without reading again the pass that is still in front of it
    assert int(page.get_by_test_id("count-in").inner_text()) >= 1
    assert page.locator("video.qr-video").is_visible()
    page.wait_for_timeout(2500)
    assert page.locator("#scan_token").input_value() == ""


def test_a_fever_typed_on_the_phone_is_refused_in_red_with_what_to_do(camera_page: Any, product: Any, pass_token: str) -> None:
    page = camera_page
    log_in(page, "gate_guard", product.password("gate_guard"))
    page.goto("/gates/")
    page.wait_for_url("**/gates/*/")
    # The guard pastes the code (no camera) and types 38.1
    page.locator("#scan_token").fill(pass_token)
    page.locator("#scan_temperature").fill("38.1")
    page.get_by_test_id("scan-in").click()
    answer = page.get_by_test_id("gate-answer")
    answer.wait_for()
    assert answer.get_attribute("data-outcome") == "refused"
    assert page.get_by_test_id("gate-headline").inner_text().strip() == "禁止入内"
    assert "体温 38.1℃ 发热，禁止入内，已生成预警" in page.get_by_test_id("gate-reason").inner_text()
    assert "留观室" in page.get_by_test_id("gate-advice").inner_text()
    # And the same pass, tried again, is revoked
    page.locator("#scan_token").fill(pass_token)
    page.locator("#scan_temperature").fill("36.5")
    page.get_by_test_id("scan-in").click()
    page.wait_for_function("() => (document.querySelector('[data-testid=gate-reason]') || {}).textContent === '出入证已吊销'")
    assert json.loads(product.shell("from fugong.gates.models import Passage; import json; "
                                    "print(json.dumps(Passage.objects.filter(refusal='fever').count()))").strip().splitlines()[-1]) >= 1


def test_enterprise_admin_reads_the_gate_log_filters_it_in_place_and_sees_visitors_in_full(page: Any, product: Any) -> None:
    # Given the enterprise's prevention officer, from the menu to their gate's log
    log_in(page, "ent_admin", product.password("ent_admin"))
    menu_link(page, "门岗").click()
    page.wait_for_url("**/gates/")
    page.get_by_text("东门").first.click()
    page.get_by_test_id("log-link").click()
    page.wait_for_url("**/log/")
    # Yesterday's log, a whole day of it whatever the hour the tests run at (today's starts at the morning rush)
    yesterday = (datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=1)).isoformat()
    page.goto(f"{page.url}?date={yesterday}")
    total = int(page.get_by_test_id("count-in").first.inner_text())
    assert total > 0, "the demo's log shows yesterday's entries"
    # When they pick 访客 in the type filter (the table changes in place, the address keeps the filter)
    page.get_by_label("类型").select_option("visitor")
    page.wait_for_url("**kind=visitor**")
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=passage-table] tbody tr')].every("
                           "(tr) => tr.textContent.includes('访客') || tr.textContent.includes('没有'))")
    # Then visitors' names are shown in full to the enterprise (no star), with their phones
    names = page.locator("[data-testid=passage-table] tbody tr td:nth-child(3)").all_inner_texts()
    assert names and all("*" not in name for name in names)
