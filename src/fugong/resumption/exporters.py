"""The application ledger (复工申请台账) and the review queue as Excel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from fugong.core.excel import write_xlsx
from fugong.resumption.models import Application
from fugong.resumption.selectors import hours_waiting, step_label, with_current_step, with_returning_headcount


def _local(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: write the wall-clock time of Asia/Shanghai, as people read it.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


COLUMNS: list[tuple[str, Any]] = [
    ("申请编号", lambda a, now: a.number or "（未提交）"),
    ("企业名称", lambda a, now: a.enterprise.name),
    ("统一社会信用代码", lambda a, now: a.enterprise.uscc),
    ("镇街", lambda a, now: a.enterprise.town.name),
    ("行业", lambda a, now: a.enterprise.get_sector_display()),
    ("规模", lambda a, now: a.enterprise.get_size_display()),
    ("状态", lambda a, now: a.get_status_display()),
    ("计划复工时间", lambda a, now: _local(a.planned_start)),
    ("返岗人数", lambda a, now: a.headcount_total or 0),
    ("最近提交时间", lambda a, now: _local(a.submitted_at)),
    ("当前环节", lambda a, now: step_label(a.step_stage, a.step_department, a.step_region)),
    ("已等待(小时)", lambda a, now: hours_waiting(a.step_opened_at, now)),
]


def export_applications(queryset: QuerySet[Application]) -> bytes:
    """The filtered rows, whatever their number: streamed in chunks, no query per row."""
    now = timezone.now()
    queryset = with_returning_headcount(queryset)
    if "step_stage" not in queryset.query.annotations:
        queryset = with_current_step(queryset)
    rows: Iterator[list[Any]] = (
        [getter(a, now) for _, getter in COLUMNS]
        for a in queryset.select_related("enterprise__town").iterator(chunk_size=2000)
    )
    return write_xlsx([title for title, _ in COLUMNS], rows, title="复工申请")
