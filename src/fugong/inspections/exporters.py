"""The inspection and rectification ledgers (检查台账, 整改台账) as Excel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from fugong.core.excel import write_xlsx
from fugong.inspections.filters import OPEN_STATUSES
from fugong.inspections.models import Inspection, RectificationItem


def _local(moment: Any) -> Any:
    return timezone.localtime(moment) if moment else None


INSPECTION_COLUMNS: list[tuple[str, Any]] = [
    ("企业名称", lambda i: i.enterprise.name),
    ("统一社会信用代码", lambda i: i.enterprise.uscc),
    ("镇街", lambda i: i.enterprise.town.name),
    ("检查类型", lambda i: i.template.get_kind_display()),
    ("检查表", lambda i: str(i.template)),
    ("复工申请编号", lambda i: i.application.number if i.application else ""),
    ("结果", lambda i: i.get_status_display()),
    ("检查人", lambda i: i.signed_name or str(i.inspector)),
    ("开始时间", lambda i: _local(i.created_at)),
    ("完成时间", lambda i: _local(i.completed_at)),
    ("不合格项数", lambda i: i.failed_count),
    ("检查意见", lambda i: i.opinion),
]

RECTIFICATION_COLUMNS: list[tuple[str, Any]] = [
    ("企业名称", lambda r: r.enterprise.name),
    ("镇街", lambda r: r.enterprise.town.name),
    ("问题", lambda r: r.description),
    ("整改期限", lambda r: r.deadline),
    ("状态", lambda r: r.get_status_display()),
    ("是否逾期", lambda r: "是" if r.is_overdue else "否"),
    ("整改情况", lambda r: r.answer),
    ("填报时间", lambda r: _local(r.answered_at)),
    ("核验时间", lambda r: _local(r.verified_at)),
    ("发现时间", lambda r: _local(r.created_at)),
]


def export_inspections(queryset: QuerySet[Inspection]) -> bytes:
    rows: Iterator[list[Any]] = ([getter(i) for _, getter in INSPECTION_COLUMNS] for i in queryset.iterator(chunk_size=2000))
    return write_xlsx([title for title, _ in INSPECTION_COLUMNS], rows, title="检查台账")


def export_rectifications(queryset: QuerySet[RectificationItem]) -> bytes:
    today = timezone.localdate()

    def row(item: RectificationItem) -> list[Any]:
        item.is_overdue = item.status in OPEN_STATUSES and item.deadline < today  # type: ignore[attr-defined]
        return [getter(item) for _, getter in RECTIFICATION_COLUMNS]

    rows: Iterator[list[Any]] = (row(r) for r in queryset.iterator(chunk_size=2000))
    return write_xlsx([title for title, _ in RECTIFICATION_COLUMNS], rows, title="整改台账")
