"""The materials ledgers as Excel: the enterprises' stock and days of supply, and the allocation
ledger (调拨台账)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from fugong.core.excel import write_xlsx
from fugong.materials.models import Allocation, Material
from fugong.materials.selectors import EnterpriseSupply


def _number(value: Any) -> Any:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def export_supply(supplies: list[EnterpriseSupply], materials: list[Material]) -> bytes:
    """One row per enterprise: town, on-site headcount, shortest days, then stock and days per item."""
    headers = ["企业", "镇街", "在岗人数", "最短可用天数", "短缺物资"]
    for material in materials:
        headers += [f"{material.name}库存({material.unit})", f"{material.name}可用天数"]

    def rows() -> Iterator[list[Any]]:
        for supply in supplies:
            row: list[Any] = [supply.enterprise.name, supply.enterprise.town.name, supply.headcount, _number(supply.shortest_days),
                              "、".join(i.material.name for i in supply.short_items)]
            by_material = {i.material.pk: i for i in supply.items}
            for material in materials:
                item = by_material[material.pk]
                row += [_number(item.stock), _number(item.days)]
            yield row

    return write_xlsx(headers, rows(), title="企业防控物资")


ALLOCATION_COLUMNS: list[tuple[str, Any]] = [
    ("建议时间", lambda a: a.created_at),
    ("储备库", lambda a: a.stockpile.name),
    ("企业", lambda a: a.enterprise.name),
    ("镇街", lambda a: a.enterprise.town.name),
    ("物资", lambda a: a.material.name),
    ("数量", lambda a: _number(a.quantity)),
    ("单位", lambda a: a.material.unit),
    ("建议时可用天数", lambda a: _number(a.days_before)),
    ("状态", lambda a: a.get_status_display()),
    ("确认时间", lambda a: a.confirmed_at),
    ("接收时间", lambda a: a.received_at),
    ("取消原因", lambda a: a.cancel_reason),
    ("说明", lambda a: a.note),
]


def export_allocations(queryset: QuerySet[Allocation]) -> bytes:
    from django.utils import timezone

    def local(value: Any) -> Any:
        return timezone.localtime(value) if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) else value

    rows = ([local(getter(a)) for _, getter in ALLOCATION_COLUMNS] for a in queryset.iterator(chunk_size=2000))
    return write_xlsx([title for title, _ in ALLOCATION_COLUMNS], rows, title="调拨台账")
