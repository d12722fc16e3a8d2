"""The flags ledger (挂旗台账) as Excel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fugong.core.excel import write_xlsx

FLAG_COLUMNS: list[tuple[str, Any]] = [
    ("旗色", lambda f: f.get_flag_display()),
    ("企业", lambda f: f.enterprise.name),
    ("统一社会信用代码", lambda f: f.enterprise.uscc),
    ("镇街", lambda f: f.enterprise.town.name),
    ("网格/村社区", lambda f: f.enterprise.region.name),
    ("行业", lambda f: f.enterprise.get_sector_display()),
    ("规模", lambda f: f.enterprise.get_size_display()),
    ("复工状态", lambda f: f.enterprise.get_status_display()),
    ("原因", lambda f: "；".join(r["text"] for r in f.reasons)),
    ("网格员", lambda f: "、".join(getattr(f, "officers", []))),
    ("审核部门", lambda f: "、".join(getattr(f, "departments", []))),
    ("当前旗色起始", lambda f: f.since),
    ("计算时间", lambda f: f.computed_at),
]


def export_flags(flags: list[Any]) -> bytes:
    rows: Iterator[list[Any]] = ([getter(f) for _, getter in FLAG_COLUMNS] for f in flags)
    return write_xlsx([title for title, _ in FLAG_COLUMNS], rows, title="挂旗台账")
