"""The enterprise ledger (企业台账) as Excel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from fugong.core.excel import write_xlsx
from fugong.enterprises.models import Enterprise

COLUMNS: list[tuple[str, Any]] = [
    ("企业名称", lambda e: e.name),
    ("统一社会信用代码", lambda e: e.uscc),
    ("镇街", lambda e: e.town.name),
    ("所在网格/村社区", lambda e: e.region.name),
    ("行业", lambda e: e.get_sector_display()),
    ("规模", lambda e: e.get_size_display()),
    ("保障类别", lambda e: e.get_essential_category_display() if e.essential_category else ""),
    ("复工状态", lambda e: e.get_status_display()),
    ("员工总数", lambda e: e.headcount),
    ("地址", lambda e: e.address),
    ("法定代表人", lambda e: e.legal_representative),
    ("防疫联系人", lambda e: e.contact_name),
    ("联系电话", lambda e: e.contact_phone),
    ("食堂", lambda e: "有" if e.has_canteen else "无"),
    ("宿舍", lambda e: "有" if e.has_dormitory else "无"),
    ("通勤班车", lambda e: "有" if e.has_shuttle_bus else "无"),
    ("封闭管理", lambda e: e.get_closed_management_display()),
    ("本地员工占比(%)", lambda e: e.local_staff_percent),
]


def export_enterprises(queryset: QuerySet[Enterprise]) -> bytes:
    rows: Iterator[list[Any]] = (
        [getter(e) for _, getter in COLUMNS] for e in queryset.select_related("town", "region").iterator(chunk_size=2000)
    )
    return write_xlsx([title for title, _ in COLUMNS], rows, title="企业台账")
