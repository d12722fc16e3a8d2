"""The help-request ledger (诉求台账), the labour-demand ledger (用工需求台账) and its summary as
Excel. Callers' and contacts' numbers are masked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from fugong.assistance.models import HelpRequest, Position
from fugong.assistance.selectors import LabourRow, hours
from fugong.core.excel import write_xlsx


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


REQUEST_COLUMNS: list[tuple[str, Any]] = [
    ("编号", lambda r: r.number),
    ("企业", lambda r: r.enterprise.name),
    ("镇街", lambda r: r.enterprise.town.name),
    ("类别", lambda r: r.get_category_display()),
    ("诉求摘要", lambda r: r.title),
    ("诉求内容", lambda r: r.description),
    ("渠道", lambda r: r.get_channel_display()),
    ("来电号码", lambda r: r.caller_phone_masked),
    ("承办", lambda r: r.handler),
    ("状态", lambda r: r.get_status_display()),
    ("提交时间", lambda r: _local(r.filed_at)),
    ("答复期限", lambda r: _local(r.answer_due_at)),
    ("首次答复时间", lambda r: _local(r.first_answered_at)),
    ("首次答复用时(小时)", lambda r: hours(r.response_seconds)),
    ("办结时间", lambda r: _local(r.closed_at)),
    ("办结用时(小时)", lambda r: hours(r.resolution_seconds)),
    ("退回次数", lambda r: r.reopen_count),
    ("最近答复", lambda r: r.answer),
]


def export_requests(queryset: QuerySet[HelpRequest]) -> bytes:
    rows: Iterator[list[Any]] = ([getter(r) for _, getter in REQUEST_COLUMNS] for r in queryset.iterator(chunk_size=2000))
    return write_xlsx([title for title, _ in REQUEST_COLUMNS], rows, title="企业诉求台账")


POSITION_COLUMNS: list[tuple[str, Any]] = [
    ("企业", lambda p: p.enterprise.name),
    ("镇街", lambda p: p.enterprise.town.name),
    ("行业", lambda p: p.enterprise.get_sector_display()),
    ("岗位名称", lambda p: p.title),
    ("需求人数", lambda p: p.count),
    ("已推荐", lambda p: p.matched_count),
    ("已到岗", lambda p: p.filled_count),
    ("尚缺人数", lambda p: p.open_count),
    ("技能要求", lambda p: p.skills),
    ("到岗日期", lambda p: p.start_date),
    ("招聘截止", lambda p: p.end_date or "长期"),
    ("薪酬", lambda p: p.wage_label),
    ("联系人", lambda p: p.contact_name),
    ("联系电话", lambda p: p.contact_phone_masked),
    ("状态", lambda p: p.get_status_display()),
]


def export_positions(queryset: QuerySet[Position]) -> bytes:
    rows: Iterator[list[Any]] = ([getter(p) for _, getter in POSITION_COLUMNS] for p in queryset.iterator(chunk_size=2000))
    return write_xlsx([title for title, _ in POSITION_COLUMNS], rows, title="用工需求台账")


def export_labour_summary(by_town: list[LabourRow], by_sector: list[LabourRow], total: LabourRow) -> bytes:
    headers = ["分组", "名称", "岗位数", "需求人数", "已推荐", "已到岗", "尚缺人数（招聘中）"]
    rows = [[group, r.label, r.positions, r.wanted, r.matched, r.filled, r.open]
            for group, part in (("镇街", by_town), ("行业", by_sector)) for r in part]
    rows.append(["合计", total.label, total.positions, total.wanted, total.matched, total.filled, total.open])
    return write_xlsx(headers, rows, title="用工需求汇总")
