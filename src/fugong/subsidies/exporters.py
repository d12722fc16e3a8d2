"""The subsidy ledgers as Excel: the applications (补贴申请台账) and the payment list (发放清单) of
a scheme's approved lines. ``write_xlsx`` neutralises cells beginning with = + - @."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db.models import QuerySet

from fugong.core.excel import write_xlsx
from fugong.core.masking import mask_name
from fugong.enterprises.models import Enterprise
from fugong.subsidies.choices import RuleKind
from fugong.subsidies.models import SubsidyApplication, SubsidyLine

APPLICATION_COLUMNS: list[tuple[str, Any]] = [
    ("补贴政策", lambda a: a.scheme.name),
    ("企业", lambda a: a.enterprise.name),
    ("统一社会信用代码", lambda a: a.enterprise.uscc),
    ("镇街", lambda a: a.enterprise.town.name),
    ("状态", lambda a: a.get_status_display()),
    ("人数", lambda a: a.people_count),
    ("明细条数", lambda a: a.line_count),
    ("申请金额(元)", lambda a: a.total_amount),
    ("核算日期", lambda a: a.computed_on),
    ("申请时间", lambda a: a.submitted_at),
    ("审核时间", lambda a: a.decided_at),
    ("审核意见", lambda a: a.decision_note),
]

PAYMENT_HEADERS = ["序号", "企业", "统一社会信用代码", "镇街", "姓名", "身份证号", "补贴项目", "金额(元)", "依据", "审核时间"]


def export_applications(queryset: QuerySet[SubsidyApplication]) -> bytes:
    rows: Iterator[list[Any]] = ([getter(a) for _, getter in APPLICATION_COLUMNS] for a in queryset.iterator(chunk_size=2000))
    return write_xlsx([title for title, _ in APPLICATION_COLUMNS], rows, title="补贴申请台账")


def payment_rows(lines: Iterable[SubsidyLine], reveal: Callable[[Enterprise], bool]) -> Iterator[list[Any]]:
    """One row per approved line; the name in full only where ``reveal(enterprise)`` says so, the ID
    number always masked (the lines keep nothing else)."""
    shown: dict[int, bool] = {}
    for number, line in enumerate(lines, start=1):
        application = line.application
        enterprise = application.enterprise
        if enterprise.pk not in shown:
            shown[enterprise.pk] = reveal(enterprise)
        own = line.rule_kind == RuleKind.RENT_WAIVER  # the enterprise's own line: no person to mask
        name = line.person_name if shown[enterprise.pk] or own else mask_name(line.person_name)
        yield [number, enterprise.name, enterprise.uscc, enterprise.town.name, name, line.id_masked, line.rule_name, line.amount,
               line.reason, application.decided_at]


def export_payment_list(lines: Iterable[SubsidyLine], reveal: Callable[[Enterprise], bool], *, title: str = "发放清单") -> bytes:
    return write_xlsx(PAYMENT_HEADERS, payment_rows(lines, reveal), title=title)
