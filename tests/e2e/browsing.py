"""What a person does in the browser, shared by the browser tests."""

from __future__ import annotations

import re
from typing import Any


def log_in(page: Any, username: str, password: str) -> None:
    """Through the login form, as a person does."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def shown_count(page: Any) -> int:
    """The "共 N 家" count above a list."""
    text = page.get_by_test_id("result-count").inner_text()
    match = re.search(r"\d+", text.replace(",", ""))
    assert match, f"no number in {text!r}"
    return int(match.group())


def column(page: Any, header: str) -> list[str]:
    """The texts of one column of the enterprise table, found by its header."""
    table = page.get_by_test_id("enterprise-table")
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    index = headers.index(header) + 1
    return [t.strip() for t in table.locator(f"tbody tr td:nth-child({index})").all_text_contents()]


def menu_link(page: Any, label: str) -> Any:
    """A main-menu entry by its label (its accessible name also holds the icon's glyph). An entry
    inside a dropdown group is shown first by opening its group, as a person does, when the menu
    itself is on screen."""
    nav = page.locator("#nav")
    name = re.compile(rf"^\s*\S?\s*{re.escape(label)}$")
    link = nav.get_by_role("link", name=name)
    # The entry of a closed dropdown is hidden, and roles skip hidden elements unless asked; the
    # inner locator of ``has`` is relative to the dropdown, so it must not start from #nav.
    group = nav.locator(".dropdown", has=page.get_by_role("link", name=name, include_hidden=True))
    if group.count() and not link.is_visible() and group.locator(".dropdown-toggle").is_visible():
        group.locator(".dropdown-toggle").click()
    return link


def wait_until_column_is(page: Any, header: str, value: str) -> None:
    """Wait until the enterprise table has rows and every cell of one column says ``value``
    (how a swapped-in table is recognised)."""
    page.wait_for_function(
        """([header, value]) => {
          const table = document.querySelector("[data-testid=enterprise-table]");
          if (!table) return false;
          const index = [...table.querySelectorAll("thead th")].findIndex((th) => th.textContent.trim() === header);
          const cells = [...table.querySelectorAll(`tbody tr td:nth-child(${index + 1})`)];
          return index >= 0 && cells.length > 0 && cells.every((td) => td.textContent.trim() === value);
        }""",
        arg=[header, value],
    )
