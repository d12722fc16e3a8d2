"""The person ledger (人员台账) and the sheet of personal links as Excel.

The ID number is always the masked one: an export leaves the platform, and a full number is only
ever revealed on screen, one at a time, audited. Names and phone numbers are written only for the
roles that see them on the page (``contact``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from fugong.core.excel import write_xlsx
from fugong.workforce.models import Person

Column = tuple[str, Callable[[Person], Any]]


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value is not None else None


CONTACT_COLUMNS: list[Column] = [
    ("姓名", lambda p: p.name),
    ("手机号", lambda p: p.phone),
]
COLUMNS: list[Column] = [
    ("身份证号（脱敏）", lambda p: p.id_masked),
    ("性别", lambda p: p.get_sex_display()),
    ("出生日期", lambda p: p.birth_date),
    ("企业", lambda p: p.enterprise.name),
    ("岗位", lambda p: p.get_post_display()),
    ("来源地", lambda p: p.get_origin_display() if p.origin else ""),
    ("户籍地", lambda p: p.household_region),
    ("假期所在地", lambda p: p.holiday_location),
    ("现住址", lambda p: p.home_address),
    ("返岗日期", lambda p: p.return_date),
    ("交通方式", lambda p: p.get_transport_display() if p.transport else ""),
    ("宿舍", lambda p: p.dormitory_room),
    ("乘坐班车", lambda p: "是" if p.shuttle_bus else "否"),
    ("分类", lambda p: p.get_category_display() if p.category else "资料不全/未分类"),
    ("可发证/上岗日期", lambda p: p.eligible_on),
    ("监测截止日期", lambda p: p.checks_until),
    ("分类理由", lambda p: p.category_reason),
    ("最近申报时间", lambda p: _local(p.declared_at)),
    ("持有效出入证", lambda p: "是" if getattr(p, "holds_pass", False) else "否"),
]


def export_people(queryset: QuerySet[Person], *, contact: bool) -> bytes:
    """The filtered persons, one row each (streamed in chunks: a county's ledger stays small in memory)."""
    columns = [*CONTACT_COLUMNS, *COLUMNS] if contact else COLUMNS
    rows: Iterator[list[Any]] = ([getter(p) for _, getter in columns] for p in queryset.select_related("enterprise").iterator(chunk_size=2000))
    return write_xlsx([title for title, _ in columns], rows, title="人员台账")


def export_links(people: list[tuple[Person, str]], *, valid_until: date, contact: bool) -> bytes:
    """Each person's personal link, to be sent by SMS or a chat group; the links expire on ``valid_until``."""
    headers = [*(["姓名", "手机号"] if contact else []), "身份证号（脱敏）", "企业", "个人链接", "有效期至"]
    rows = ([*([p.name, p.phone] if contact else []), p.id_masked, p.enterprise.name, url, valid_until] for p, url in people)
    return write_xlsx(headers, rows, title="个人链接")
