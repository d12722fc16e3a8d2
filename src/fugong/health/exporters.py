"""The check-in and alert ledgers (打卡台账, 预警台账) and the list of who has not checked in, as
Excel. ID numbers are always masked; names are for the officers and the enterprise, the only
ones who have these lists."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from fugong.core.excel import write_xlsx
from fugong.health.models import Alert, CheckIn
from fugong.workforce.models import Person


def _local(moment: Any) -> Any:
    return timezone.localtime(moment) if moment else None


CHECKIN_COLUMNS: list[tuple[str, Any]] = [
    ("日期", lambda c: c.date),
    ("时段", lambda c: c.slot_label),
    ("企业", lambda c: c.enterprise.name),
    ("姓名", lambda c: c.person.name),
    ("身份证号", lambda c: c.person.id_masked),
    ("体温(℃)", lambda c: float(c.temperature)),
    ("发热", lambda c: "是" if c.fever else "否"),
    ("发热时体温(℃)", lambda c: float(c.fever_temperature) if getattr(c, "fever_temperature", None) is not None else None),
    ("咳嗽", lambda c: "是" if c.cough else "否"),
    ("其他症状", lambda c: c.symptoms),
    ("来源", lambda c: c.get_source_display()),
    ("记录时间", lambda c: _local(c.recorded_at)),
]

ALERT_COLUMNS: list[tuple[str, Any]] = [
    ("发生时间", lambda a: _local(a.raised_at)),
    ("类型", lambda a: a.get_kind_display()),
    ("状态", lambda a: a.get_status_display()),
    ("企业", lambda a: a.enterprise.name),
    ("姓名", lambda a: a.person.name if a.person else ""),
    ("身份证号", lambda a: a.person.id_masked if a.person else ""),
    ("体温(℃)", lambda a: float(a.temperature) if a.temperature is not None else None),
    ("情况", lambda a: a.detail),
    ("处置结果", lambda a: a.get_outcome_display()),
    ("处置说明", lambda a: a.note),
    ("处置时间", lambda a: _local(a.closed_at)),
    ("处置人", lambda a: str(a.closed_by) if a.closed_by else ""),
]

MISSING_COLUMNS: list[tuple[str, Any]] = [
    ("企业", lambda p: p.enterprise.name),
    ("姓名", lambda p: p.name),
    ("身份证号", lambda p: p.id_masked),
    ("手机号", lambda p: p.phone),
    ("岗位", lambda p: p.get_post_display()),
    ("返岗日期", lambda p: p.return_date),
]


def export_checkins(queryset: QuerySet[CheckIn], *, label: Any) -> bytes:
    """``label(checkin)`` names the slot in the enterprise's words (上午/下午)."""

    def row(checkin: CheckIn) -> list[Any]:
        checkin.slot_label = label(checkin)  # type: ignore[attr-defined]
        return [getter(checkin) for _, getter in CHECKIN_COLUMNS]

    rows: Iterator[list[Any]] = (row(c) for c in queryset.iterator(chunk_size=2000))
    return write_xlsx([title for title, _ in CHECKIN_COLUMNS], rows, title="打卡台账")


def export_alerts(queryset: QuerySet[Alert]) -> bytes:
    rows: Iterator[list[Any]] = ([getter(a) for _, getter in ALERT_COLUMNS] for a in queryset.iterator(chunk_size=2000))
    return write_xlsx([title for title, _ in ALERT_COLUMNS], rows, title="预警台账")


def export_missing(queryset: QuerySet[Person], *, day: date, slot_name: str) -> bytes:
    rows: Iterator[list[Any]] = ([getter(p) for _, getter in MISSING_COLUMNS] for p in queryset.iterator(chunk_size=2000))
    return write_xlsx([title for title, _ in MISSING_COLUMNS], rows, title=f"{day:%m月%d日}{slot_name}未打卡")
