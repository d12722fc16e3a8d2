"""The UI is Chinese by default and English through the footer's language switch. The English
catalog is shipped compiled (django.mo), so these tests also check that the .po is fully
translated and that the .mo beside it was compiled from the current .po."""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    # LocaleMiddleware activates the request's language in this thread; do not leak it.
    yield
    translation.activate(settings.LANGUAGE_CODE)


def switch_language(client: Any, language: str) -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


def test_login_page_switches_to_english_and_back(client: Any, db: Any) -> None:
    switch_language(client, "en")
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    assert ">Log in</h1>" in html
    assert "Username or mobile number" in html
    assert "登录" not in html

    switch_language(client, "zh-hans")
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert ">登录</h1>" in html
    assert "Log in" not in html


def read_po(path: Path) -> list[tuple[str, str, list[str]]]:
    """(msgid, msgstr, flags) for every entry but the header, without GNU gettext or polib."""
    entries: list[tuple[str, str, list[str]]] = []
    flags: list[str] = []
    current: dict[str, str] = {}
    key = ""

    def flush() -> None:
        nonlocal current, flags
        if current and current.get("msgid"):
            entries.append((current["msgid"], current.get("msgstr", ""), flags))
        current, flags = {}, []

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            flush()
        elif line.startswith("#,"):
            flags += [f.strip() for f in line[2:].split(",")]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _, rest = line.partition(" ")
            assert key in {"msgid", "msgstr", "msgctxt"}, f"unexpected line in {path.name}: {line}"
            current[key] = ast.literal_eval(rest)
    return entries


def test_english_catalog_is_complete_and_compiled() -> None:
    entries = read_po(LC_MESSAGES / "django.po")
    assert len(entries) > 50
    untranslated = [msgid for msgid, msgstr, _ in entries if not msgstr.strip()]
    assert untranslated == []
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert fuzzy == []
    for msgid, msgstr, _ in entries:
        assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(msgid)), msgid

    # The shipped .mo must say exactly what the .po says (run compilemessages after editing).
    with (LC_MESSAGES / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [msgid for msgid, msgstr, _ in entries if compiled.gettext(msgid) != msgstr]
    assert stale == []


def test_a_browser_that_asks_for_english_still_gets_chinese_until_the_user_switches(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-hans"' in response.content.decode()
