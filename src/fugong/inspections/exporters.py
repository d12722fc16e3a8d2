"""The inspection and rectification ledgers (检查台账, 整改台账), the patrol coverage of a week and the
summary of findings per town, as Excel."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from fugong.core.excel import header_cells, safe_cell, write_xlsx
from fugong.inspections.models import Inspection, RectificationItem
from fugong.inspections.patrols import Coverage
from fugong.inspections.selectors import TownCounts


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
    ("来源", lambda r: r.get_source_display()),
    ("网格", lambda r: r.enterprise.region.name),
]


def export_inspections(queryset: QuerySet[Inspection]) -> bytes:
    rows: Iterator[list[Any]] = ([getter(i) for _, getter in INSPECTION_COLUMNS] for i in queryset.iterator(chunk_size=2000))
    return write_xlsx([title for title, _ in INSPECTION_COLUMNS], rows, title="检查台账")


def export_rectifications(queryset: QuerySet[RectificationItem]) -> bytes:
    today = timezone.localdate()

    def row(item: RectificationItem) -> list[Any]:
        item.is_overdue = item.is_overdue_on(today)  # type: ignore[attr-defined]
        return [getter(item) for _, getter in RECTIFICATION_COLUMNS]

    rows: Iterator[list[Any]] = (row(r) for r in queryset.iterator(chunk_size=2000))
    return write_xlsx([title for title, _ in RECTIFICATION_COLUMNS], rows, title="整改台账")


def export_coverage(coverage: Coverage) -> bytes:
    """Two sheets: per grid (due, visited, visits against N × enterprises, findings), and the
    enterprises visited fewer than N times that week."""
    workbook = Workbook(write_only=True)
    grids = workbook.create_sheet(title=f"巡查覆盖 {coverage.label}")
    grids.freeze_panes = "A2"
    grids.append(header_cells(grids, ["镇街", "网格", "应巡企业数", "已巡企业数", "达标企业数", "每企业每周次数", "应巡次数",
                                      "已巡次数", "计入次数", "覆盖率(%)", "发现问题数", "未巡企业数"]))
    for g in coverage.grids:
        grids.append([safe_cell(v) for v in (g.town.name if g.town else "", g.grid.name, g.enterprises_due, g.visited, g.complete,
                                             g.visits_per_week, g.required, g.visits, g.counted_visits, g.percent, g.findings,
                                             len(g.not_visited))])
    short = workbook.create_sheet(title="巡查不足企业")
    short.freeze_panes = "A2"
    short.append(header_cells(short, ["镇街", "网格", "企业名称", "统一社会信用代码", "本周已巡次数", "应巡次数", "差"]))
    for g in coverage.grids:
        for s in g.short:
            short.append([safe_cell(v) for v in (g.town.name if g.town else "", g.grid.name, s.enterprise.name, s.enterprise.uscc, s.visits,
                                                 s.required, s.missing)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_summary(counts: list[TownCounts]) -> bytes:
    rows = [[c.town.name, c.found, c.rectified, c.answered, c.open, c.overdue, c.percent] for c in counts]
    if counts:
        rows.append(["合计", *(sum(getattr(c, name) for c in counts) for name in ("found", "rectified", "answered", "open", "overdue")),
                     ""])
    return write_xlsx(["镇街", "发现问题", "已整改销号", "待核验", "未销号", "已逾期", "整改率(%)"], rows, title="整改情况统计")
