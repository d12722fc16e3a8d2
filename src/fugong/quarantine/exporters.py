"""The isolation ledger (隔离台账) as Excel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from fugong.core.excel import write_xlsx
from fugong.quarantine.models import Placement

PLACEMENT_COLUMNS: list[tuple[str, Any]] = [
    ("姓名", lambda p: p.person.name),
    ("身份证号", lambda p: p.person.id_masked),
    ("企业", lambda p: p.enterprise.name),
    ("镇街", lambda p: p.enterprise.town.name),
    ("隔离方式", lambda p: p.get_kind_display()),
    ("隔离原因", lambda p: p.get_reason_display()),
    ("隔离点", lambda p: p.site.name if p.site_id else ""),
    ("房间", lambda p: p.room.number if p.room_id else ""),
    ("床位", lambda p: p.bed.label if p.bed_id else ""),
    ("开始日期", lambda p: p.start),
    ("计划解除日期", lambda p: p.planned_end),
    ("状态", lambda p: p.get_status_display()),
    ("解除日期", lambda p: p.released_on),
    ("解除说明", lambda p: p.release_note),
]


def export_placements(queryset: QuerySet[Placement]) -> bytes:
    rows: Iterator[list[Any]] = ([getter(p) for _, getter in PLACEMENT_COLUMNS] for p in queryset.iterator(chunk_size=2000))
    return write_xlsx([title for title, _ in PLACEMENT_COLUMNS], rows, title="隔离台账")
