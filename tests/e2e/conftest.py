"""Browser tests against the real product, started as a user starts it.

One session-wide server: a temporary ``FUGONG_VAR_DIR`` and its own database (a fresh
PostgreSQL database next to the test database when the session runs on PostgreSQL, else an
SQLite file), seeded with ``fugong demo --no-serve --accounts-json``, served by granian with two
workers. Debian's Chromium (``/usr/bin/chromium``) is driven by Playwright's sync API; every
test gets its own browser context and page, and leaves a full-page screenshot in
``var/screenshots/<test name>.png``.
"""

from __future__ import annotations

import ast
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
DEMO_SOURCE = ROOT / "src" / "fugong" / "core" / "demo.py"
# The console scripts of the interpreter running the tests (the project's .venv); not resolved,
# so a symlinked venv python still points at the venv's bin/.
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps knocking on the closed network.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# A browser in China asks for Chinese; the product's default language is zh-hans.
BROWSER_LOCALE = "zh-CN"
SERVER_START_SECONDS = 30

# Reported by the browser when the Content-Security-Policy blocks something (the console text,
# or our own securitypolicyviolation listener below).
CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy", "CSP violation")
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Run the browser tests last. Playwright's sync API keeps an asyncio loop running on the main
    thread while the browser is open, and Django refuses ORM calls from such a thread
    (SynchronousOnlyOperation); the session-wide browser would break every database test
    collected after ``tests/e2e``."""
    browser_tests = [item for item in items if "e2e" in item.keywords]
    for item in browser_tests:
        # In parallel runs (pytest-xdist, --dist loadgroup) one process takes them all, last: one
        # product and one browser, and no database test after them there.
        item.add_marker(pytest.mark.xdist_group("browser"))
    if browser_tests:
        items[:] = [item for item in items if "e2e" not in item.keywords] + browser_tests


# -- the product ---------------------------------------------------------------------------


@dataclass
class Product:
    """The running product: where it answers, who can log in, and its environment."""

    base_url: str
    accounts: dict[str, dict[str, str]]
    env: dict[str, str]
    facts: dict[str, Any] = field(default_factory=dict)

    def password(self, username: str) -> str:
        return self.accounts[username]["password"]

    def shell(self, code: str) -> str:
        """Run Python in ``fugong shell`` against the product's database; return its stdout."""
        result = _run([BIN / "fugong", "shell", "-c", code], env=self.env, timeout=120)
        return result.stdout


def _run(args: list[Any], *, env: dict[str, str], timeout: int) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode:
        raise RuntimeError(f"{' '.join(str(a) for a in args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url(tmp: Path) -> tuple[str, Any]:
    """The product's own database: a fresh PostgreSQL database on the session's server when the
    session runs on PostgreSQL, else an SQLite file. Returns the URL and a function that drops it."""
    from django.conf import settings

    if not settings.DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
        return f"sqlite:///{tmp / 'fugong-e2e.sqlite3'}", lambda: None

    import psycopg
    from psycopg import sql

    db = settings.DATABASES["default"]
    # One database per test process, so two runs on one server (two CI runs, xdist workers) never
    # drop each other's; it is dropped again when the session ends.
    name = f"fugong_e2e_{os.getpid()}"
    connect = {"host": db.get("HOST") or None, "port": db.get("PORT") or None, "user": db.get("USER") or None,
               "password": db.get("PASSWORD") or None, "dbname": "postgres", "autocommit": True}

    def drop() -> None:
        with psycopg.connect(**connect) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    drop()
    with psycopg.connect(**connect) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl(), drop


FACTS = """
import json
from fugong.accounts.models import Membership
from fugong.core.demo import HESHAN_COUNTY
from fugong.enterprises.models import Enterprise
from fugong.regions.models import Region

hitech = Membership.objects.get(user__username="hitech_cmd").region
heshan = Region.objects.get(code=HESHAN_COUNTY)
print(json.dumps({
    "hitech_enterprises": Enterprise.objects.filter(region__path__startswith=hitech.path).count(),
    "heshan_enterprise_id": Enterprise.objects.filter(region__path__startswith=heshan.path).order_by("pk").values_list("pk", flat=True).first(),
    "ent_admin_enterprise_id": Membership.objects.get(user__username="ent_admin").enterprise_id,
}))
"""


@pytest.fixture(scope="session")
def product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    """The product as a user starts it: ``fugong demo --no-serve``, then granian."""
    tmp = tmp_path_factory.mktemp("e2e")
    database_url, drop_database = _database_url(tmp)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "REDIS_", "DEBUG"))}
    env.update({
        "FUGONG_ENV": "development",
        # DEBUG off, as users see it: with DEBUG on Django answers a 404 with its technical page
        # (inline styles, URL list) instead of our "not in your jurisdiction" page. Static files
        # are still served through the finders outside production (WHITENOISE_USE_FINDERS).
        "DEBUG": "false",
        "FUGONG_VAR_DIR": str(tmp / "var"),
        "DATABASE_URL": database_url,
        # No REDIS_URL: Celery runs eagerly in the web process, as in the embedded demo.
    })
    accounts_file = tmp / "accounts.json"
    try:
        _run([BIN / "fugong", "demo", "--no-serve", "--accounts-json", accounts_file], env=env, timeout=300)
        accounts = {a["username"]: a for a in json.loads(accounts_file.read_text(encoding="utf-8"))}
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        log = (tmp / "granian.log").open("w")
        server = subprocess.Popen(
            [str(BIN / "granian"), "--interface", "wsgi", "fugong.wsgi:application", "--host", "127.0.0.1", "--port", str(port),
             "--workers", "2", "--no-ws", "--access-log"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
    except BaseException:
        drop_database()
        raise
    try:
        _wait_until_answering(server, f"{base_url}/accounts/login/", tmp / "granian.log")
        product = Product(base_url=base_url, accounts=accounts, env=env)
        product.facts = json.loads(product.shell(FACTS).strip().splitlines()[-1])
        yield product
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        drop_database()


def _wait_until_answering(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"granian exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own http://127.0.0.1 URL
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"granian did not answer {url} within {SERVER_START_SECONDS} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def demo_mobiles() -> dict[str, str]:
    """The demo's mobile numbers, read from ``core/demo.py`` (the accounts file has none):
    every ``self.user("name", …, mobile="…")`` call."""
    mobiles: dict[str, str] = {}
    for node in ast.walk(ast.parse(DEMO_SOURCE.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "user" and node.args:
            username = node.args[0]
            mobile = next((k.value for k in node.keywords if k.arg == "mobile"), None)
            if isinstance(username, ast.Constant) and isinstance(mobile, ast.Constant):
                mobiles[str(username.value)] = str(mobile.value)
    return mobiles


# -- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"browser tests need Debian's Chromium at {CHROMIUM}: run `python3 dev.py test`, which installs it, "
                    "or apt-get install chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@dataclass
class ConsoleLog:
    """What the page said: console messages of type error/warning, uncaught exceptions."""

    entries: list[str] = field(default_factory=list)

    @property
    def csp_violations(self) -> list[str]:
        return [e for e in self.entries if any(marker in e for marker in CSP_MARKERS)]

    @property
    def errors(self) -> list[str]:
        return [e for e in self.entries if e.startswith(("error:", "pageerror:"))]


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def page(browser: Any, product: Product, console: ConsoleLog, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh context (no cookies) and page per test; a full-page screenshot when it ends; and
    no test may pass while the page reports a Content-Security-Policy violation."""
    context = browser.new_context(base_url=product.base_url, locale=BROWSER_LOCALE, timezone_id="Asia/Shanghai",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.on("console", lambda m: console.entries.append(f"{m.type}: {m.text} ({m.location.get('url', '')})")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.entries.append(f"pageerror: {e}"))
    try:
        yield page
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        finally:
            context.close()
    assert not console.csp_violations, "Content-Security-Policy violations:\n" + "\n".join(console.csp_violations)
