"""A gate's log (出入登记台账) as Excel: the ledger the acceptance checklist asks for ("entry/exit
log of people and vehicles with temperatures")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from fugong.core.excel import write_xlsx
from fugong.gates.models import Passage


def _columns(names_visible: bool) -> list[tuple[str, Any]]:
    def name(p: Passage) -> str:
        return p.full_name if names_visible else p.masked_name

    def phone(p: Passage) -> str:
        return p.phone if names_visible else p.masked_phone

    return [
        ("时间", lambda p: timezone.localtime(p.at)),
        ("门岗/检查站", lambda p: p.gate.name),
        ("类型", lambda p: p.get_kind_display()),
        ("方向", lambda p: p.get_direction_display()),
        ("姓名/驾驶员", name),
        ("手机号", phone),
        ("企业", lambda p: p.enterprise.name if p.enterprise else ""),  # the worker's, or the enterprise visited
        ("体温(℃)", lambda p: p.temperature),
        ("发热", lambda p: "是" if p.fever else ""),
        ("结果", lambda p: p.get_outcome_display()),
        ("说明", lambda p: p.reason),
        ("出入证核验", lambda p: p.verification),
        ("来访单位", lambda p: p.company),
        ("来访事由", lambda p: p.purpose),
        ("被访人", lambda p: p.host),
        ("车牌号", lambda p: p.plate),
        ("货物", lambda p: p.cargo),
        ("随车人数", lambda p: p.passengers if p.kind == "vehicle" else ""),
        ("登记人", lambda p: str(p.recorded_by) if p.recorded_by else ""),
    ]


def export_passages(queryset: QuerySet[Passage], *, names_visible: bool) -> bytes:
    columns = _columns(names_visible)
    rows: Iterator[list[Any]] = ([getter(p) for _, getter in columns] for p in queryset.iterator(chunk_size=2000))
    return write_xlsx([title for title, _ in columns], rows, title="出入登记台账")
