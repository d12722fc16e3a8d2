"""The subsidy rules as pure functions: a roster (facts about people), a scheme's period and rules
(as data), a date and the enterprise's monthly rent → one line per person per rule, with the
amount and the reason, the exclusions with theirs, and the totals (ARCHITECTURE.md #4: no clock,
no database here; :mod:`fugong.subsidies.selectors` reads the roster and calls :func:`compute`).

The rule kinds (``RuleKind``) and what their ``params`` say:

- 返岗补助 ``return_by_date``: people back at work within the period, by the band of their return
  date (returned by the first band's cut-off → its amount, later within the next band → the next
  amount). ``exclude_origins`` (e.g. those who never left) and ``exclude_key_area`` (Heyuan paid
  workers "from outside the key epidemic areas": those classified must-not-return or centralised
  quarantine are left out).
- 介绍奖励 ``referral``: to an existing worker, the amount for each new worker they referred who was
  hired within the period (``Person.referred_by``, ``Person.hired_on``).
- 稳岗补助 ``retention``: to a new hire (hired within the period) once ``months`` in the job.
- 交通补贴 ``travel``: by the band of the person's origin (within the city / the province / outside
  it); ``new_hires_only`` limits it to new hires, as Heyuan's notice does.
- 租金减免 ``rent_waiver``: the enterprise's monthly rent (entered on its application) times the
  month's fraction (1 = free, 0.5 = half), one line per month.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError

from fugong.core.masking import mask_name
from fugong.subsidies.choices import RuleKind
from fugong.workforce.choices import ClassificationCategory, PersonOrigin

CENT = Decimal("0.01")
KEY_AREA_CATEGORIES = frozenset({ClassificationCategory.MUST_NOT_RETURN.value, ClassificationCategory.CENTRAL_QUARANTINE.value})
ORIGIN_LABELS: dict[str, str] = {value: str(label) for value, label in PersonOrigin.choices}
ENTERPRISE_LINE = "（企业）"  # the "person" of a line that is the enterprise's own (rent)
_MONTH = re.compile(r"^\d{4}-\d{2}$")


# -- facts and results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonFacts:
    """What the rules read of one person of the roster."""

    id: UUID | None
    name: str
    id_masked: str = ""
    return_date: date | None = None
    origin: str = ""
    category: str = ""
    hired_on: date | None = None
    referred_by: UUID | None = None


@dataclass(frozen=True)
class RuleSpec:
    """A rule as data: its id (None in a test), kind, name and params."""

    id: int | None
    kind: str
    name: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Line:
    rule_id: int | None
    rule_kind: str
    rule_name: str
    person_id: UUID | None
    person_name: str
    id_masked: str
    amount: Decimal
    reason: str


@dataclass(frozen=True)
class Exclusion:
    """Someone the rule looked at and did not pay, and why ("入职未满3个月")."""

    rule_id: int | None
    rule_name: str
    person_id: UUID | None
    person_name: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        """As an application keeps it: the name masked (an exclusion is not paid, its name is not needed)."""
        return {"rule": self.rule_name, "person": mask_name(self.person_name) if self.person_id else self.person_name, "reason": self.reason}


@dataclass(frozen=True)
class RuleTotal:
    rule_id: int | None
    rule_name: str
    rule_kind: str
    lines: int
    people: int
    amount: Decimal


@dataclass
class Computation:
    """Everything one enterprise's roster earns under one scheme on one day."""

    as_of: date
    lines: list[Line] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)
    totals: list[RuleTotal] = field(default_factory=list)
    not_applicable: str = ""  # the whole scheme does not apply (why), e.g. not a park tenant

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))

    @property
    def people(self) -> int:
        return len({line.person_id for line in self.lines if line.person_id is not None})


# -- helpers ----------------------------------------------------------------------------------------


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def day_text(day: date) -> str:
    """2020-02-20 → 2月20日 (what the notices write)."""
    return f"{day.month}月{day.day}日"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of a shorter month: 11-30 + 3 months = 02-28/29)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _iso(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# -- the params as data: checked once, when a rule is saved -----------------------------------------


def _amount(value: Any, label: str) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"params": f"{label}应为金额（元），如 300。"}) from None
    if amount < 0 or not amount.is_finite():
        raise ValidationError({"params": f"{label}不能为负数。"})
    return str(money(amount))


def clean_params(kind: str, params: Any) -> dict[str, Any]:
    """A rule's ``params`` checked and normalised for its kind (amounts as strings of yuan, dates
    ISO); a Chinese ValidationError on the ``params`` field otherwise."""
    if not isinstance(params, dict):
        raise ValidationError({"params": "金额与条件应为 JSON 对象。"})
    cleaned = dict(params)
    try:
        if kind == RuleKind.RETURN_BY_DATE:
            bands = params.get("bands") or []
            if not bands:
                raise ValidationError({"params": "请至少设置一个返岗时段（bands：截止日期 until 和金额 amount）。"})
            rows = sorted(({"until": _iso(b["until"]).isoformat(), "amount": _amount(b["amount"], "时段金额")} for b in bands),
                          key=lambda b: b["until"])
            cleaned["bands"] = rows
            cleaned["exclude_origins"] = [o for o in params.get("exclude_origins", []) if _origin(o)]
            cleaned["exclude_key_area"] = bool(params.get("exclude_key_area", True))
        elif kind == RuleKind.REFERRAL:
            cleaned["amount"] = _amount(params.get("amount"), "每介绍一人的奖励")
        elif kind == RuleKind.RETENTION:
            cleaned["amount"] = _amount(params.get("amount"), "稳岗补助金额")
            months = int(params.get("months", 0))
            if months < 1:
                raise ValidationError({"params": "入职满几个月（months）应为正整数。"})
            cleaned["months"] = months
        elif kind == RuleKind.TRAVEL:
            amounts = params.get("amounts") or {}
            if not amounts:
                raise ValidationError({"params": "请按来源地设置交通补贴金额（amounts）。"})
            cleaned["amounts"] = {origin: _amount(value, f"{ORIGIN_LABELS.get(origin, origin)}交通补贴")
                                  for origin, value in amounts.items() if _origin(origin)}
            cleaned["new_hires_only"] = bool(params.get("new_hires_only", False))
            cleaned["exclude_key_area"] = bool(params.get("exclude_key_area", True))
        elif kind == RuleKind.RENT_WAIVER:
            entries = params.get("months") or []
            if not entries:
                raise ValidationError({"params": "请设置减免的月份和比例（months：month 如 2020-02，fraction 如 1 或 0.5）。"})
            rows = []
            for entry in entries:
                month = str(entry["month"])
                fraction = Decimal(str(entry["fraction"]))
                if not _MONTH.match(month) or not 1 <= int(month[5:]) <= 12:
                    raise ValidationError({"params": f"月份“{month}”应写作 2020-02。"})
                if not Decimal("0") < fraction <= Decimal("1"):
                    raise ValidationError({"params": "减免比例应大于 0、不超过 1（1 为全免，0.5 为减半）。"})
                rows.append({"month": month, "fraction": str(fraction)})
            cleaned["months"] = sorted(rows, key=lambda r: r["month"])
        else:
            raise ValidationError({"kind": "未知的规则类型。"})
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        if isinstance(exc, ValidationError):
            raise
        raise ValidationError({"params": f"金额与条件格式不正确：{exc}"}) from None
    return cleaned


def _origin(value: Any) -> bool:
    if value not in ORIGIN_LABELS:
        raise ValidationError({"params": f"未知的来源地“{value}”，应为 {'、'.join(ORIGIN_LABELS)} 之一。"})
    return True


# -- the rules --------------------------------------------------------------------------------------


class _Book:
    """Collects the lines and exclusions of one rule."""

    def __init__(self, rule: RuleSpec) -> None:
        self.rule = rule
        self.lines: list[Line] = []
        self.exclusions: list[Exclusion] = []

    def pay(self, person: PersonFacts | None, amount: Decimal, reason: str) -> None:
        self.lines.append(Line(self.rule.id, self.rule.kind, self.rule.name, person.id if person else None,
                               person.name if person else ENTERPRISE_LINE, person.id_masked if person else "", money(amount), reason))

    def exclude(self, person: PersonFacts | None, reason: str) -> None:
        self.exclusions.append(Exclusion(self.rule.id, self.rule.name, person.id if person else None,
                                         person.name if person else ENTERPRISE_LINE, reason))


def _is_new_hire(person: PersonFacts, start: date, end: date) -> bool:
    return person.hired_on is not None and start <= person.hired_on <= end


def _return_by_date(book: _Book, people: Sequence[PersonFacts], start: date, as_of: date) -> None:
    params = book.rule.params
    bands = [(_iso(b["until"]), Decimal(b["amount"])) for b in params["bands"]]
    excluded_origins = set(params.get("exclude_origins", []))
    for person in people:
        if person.origin in excluded_origins:
            book.exclude(person, f"来源地为{ORIGIN_LABELS.get(person.origin, person.origin)}，不属于返岗人员")
            continue
        if params.get("exclude_key_area", True) and person.category in KEY_AREA_CATEGORIES:
            book.exclude(person, "来自疫情重点地区或有接触史，不在返岗补助范围")
            continue
        returned = person.return_date
        if returned is None:
            book.exclude(person, "未登记返岗日期")
        elif returned > as_of:
            book.exclude(person, f"尚未返岗（计划{day_text(returned)}）")
        elif returned < start:
            book.exclude(person, f"{day_text(returned)}返岗，早于政策期（{day_text(start)}起）")
        elif returned > bands[-1][0]:
            book.exclude(person, f"{day_text(returned)}返岗，晚于最后时段（{day_text(bands[-1][0])}）")
        else:
            previous: date | None = None
            for until, amount in bands:
                if returned <= until:
                    when = f"{day_text(until)}前返岗" if previous is None else f"{day_text(previous)}后、{day_text(until)}前返岗"
                    book.pay(person, amount, when)
                    break
                previous = until


def _referral(book: _Book, people: Sequence[PersonFacts], start: date, end: date) -> None:
    amount = Decimal(book.rule.params["amount"])
    by_id = {person.id: person for person in people}
    referred: dict[UUID, list[PersonFacts]] = {}
    for person in people:
        if person.referred_by is None:
            continue
        referrer = by_id.get(person.referred_by)
        if referrer is None:
            book.exclude(person, "介绍人不在本企业花名册中")
        elif person.hired_on is None:
            book.exclude(referrer, f"介绍的{mask_name(person.name)}未登记入职日期")
        elif not _is_new_hire(person, start, end):
            book.exclude(referrer, f"介绍的{mask_name(person.name)}{day_text(person.hired_on)}入职，不在政策期内")
        else:
            referred.setdefault(referrer.id, []).append(person)  # type: ignore[arg-type]
    for referrer_id, hires in referred.items():
        names = "、".join(mask_name(p.name) for p in hires)
        book.pay(by_id[referrer_id], amount * len(hires), f"介绍新员工{len(hires)}人（{names}）")


def _retention(book: _Book, people: Sequence[PersonFacts], start: date, end: date, as_of: date) -> None:
    amount, months = Decimal(book.rule.params["amount"]), int(book.rule.params["months"])
    for person in people:
        if person.hired_on is None:
            continue  # not a new hire: nothing to explain
        if person.hired_on < start:
            book.exclude(person, f"{day_text(person.hired_on)}入职，早于政策期，不属于新招用员工")
        elif person.hired_on > end:
            book.exclude(person, f"{day_text(person.hired_on)}入职，晚于政策期")
        elif (full := add_months(person.hired_on, months)) > as_of:
            book.exclude(person, f"入职未满{months}个月（{full:%Y年}{day_text(full)}满{months}个月）")
        else:
            book.pay(person, amount, f"{person.hired_on:%Y年}{day_text(person.hired_on)}入职，已满{months}个月")


def _travel(book: _Book, people: Sequence[PersonFacts], start: date, end: date, as_of: date) -> None:
    params = book.rule.params
    amounts = {origin: Decimal(value) for origin, value in params["amounts"].items()}
    new_hires_only = params.get("new_hires_only", False)
    for person in people:
        if new_hires_only:
            if not _is_new_hire(person, start, end):
                continue  # not a new hire: not this rule's business
            if person.hired_on > as_of:  # type: ignore[operator]
                book.exclude(person, "尚未入职")
                continue
        elif person.return_date is None or not start <= person.return_date <= as_of:
            book.exclude(person, "政策期内未返岗" if person.return_date else "未登记返岗日期")
            continue
        if params.get("exclude_key_area", True) and person.category in KEY_AREA_CATEGORIES:
            book.exclude(person, "来自疫情重点地区或有接触史，不在交通补贴范围")
        elif not person.origin:
            book.exclude(person, "未登记来源地，无法确定交通补贴标准")
        elif person.origin not in amounts:
            book.exclude(person, f"来源地为{ORIGIN_LABELS.get(person.origin, person.origin)}，不在交通补贴范围")
        else:
            book.pay(person, amounts[person.origin], f"来源地：{ORIGIN_LABELS[person.origin]}")


def _rent_waiver(book: _Book, monthly_rent: Decimal | None) -> None:
    if monthly_rent is None or monthly_rent <= 0:
        book.exclude(None, "未填写月租金，申请时填写后计算")
        return
    for entry in book.rule.params["months"]:
        fraction = Decimal(entry["fraction"])
        month = int(entry["month"][5:])
        said = "全免" if fraction == 1 else "减半" if fraction == Decimal("0.5") else f"减免{(fraction * 100).normalize()}%"
        book.pay(None, monthly_rent * fraction, f"{entry['month'][:4]}年{month}月租金{said}（月租金{money(monthly_rent)}元）")


def compute(*, period: tuple[date, date], rules: Iterable[RuleSpec], people: Sequence[PersonFacts], as_of: date,
            monthly_rent: Decimal | None = None, park_tenant: bool = True, park_tenants_only: bool = False) -> Computation:
    """What a roster earns under a scheme's ``rules`` within ``period`` as of ``as_of``: one line
    per person per rule (the enterprise's own for rent), the exclusions, totals per rule."""
    start, end = period
    as_of = min(as_of, end)
    result = Computation(as_of=as_of)
    if park_tenants_only and not park_tenant:
        result.not_applicable = "本政策仅适用于园区/写字楼入驻企业。"
        return result
    if as_of < start:
        result.not_applicable = f"政策期{day_text(start)}起，尚未开始。"
        return result
    for rule in rules:
        book = _Book(rule)
        if rule.kind == RuleKind.RETURN_BY_DATE:
            _return_by_date(book, people, start, as_of)
        elif rule.kind == RuleKind.REFERRAL:
            _referral(book, people, start, min(end, as_of))
        elif rule.kind == RuleKind.RETENTION:
            _retention(book, people, start, end, as_of)
        elif rule.kind == RuleKind.TRAVEL:
            _travel(book, people, start, end, as_of)
        elif rule.kind == RuleKind.RENT_WAIVER:
            _rent_waiver(book, monthly_rent)
        result.lines += book.lines
        result.exclusions += book.exclusions
        result.totals.append(RuleTotal(rule.id, rule.name, rule.kind, len(book.lines),
                                       len({line.person_id for line in book.lines if line.person_id}),
                                       sum((line.amount for line in book.lines), Decimal("0"))))
    return result


def describe(kind: str, params: dict[str, Any]) -> str:
    """A rule's amounts and conditions in words, for the scheme page."""
    try:
        if kind == RuleKind.RETURN_BY_DATE:
            parts = [f"{day_text(_iso(b['until']))}前返岗 {b['amount']} 元/人" for b in params["bands"]]
            if params.get("exclude_origins"):
                parts.append("不含" + "、".join(ORIGIN_LABELS.get(o, o) for o in params["exclude_origins"]) + "人员")
            if params.get("exclude_key_area", True):
                parts.append("不含来自疫情重点地区或有接触史的人员")
            return "；".join(parts)
        if kind == RuleKind.REFERRAL:
            return f"每介绍一名政策期内入职的新员工，奖励介绍人 {params['amount']} 元"
        if kind == RuleKind.RETENTION:
            return f"政策期内入职的新员工工作满 {params['months']} 个月，一次性补助 {params['amount']} 元"
        if kind == RuleKind.TRAVEL:
            parts = [f"{ORIGIN_LABELS.get(o, o)} {a} 元" for o, a in params["amounts"].items()]
            scope = "政策期内入职的新员工" if params.get("new_hires_only") else "政策期内返岗人员"
            return f"{scope}按来源地：" + "，".join(parts)
        if kind == RuleKind.RENT_WAIVER:
            parts = []
            for entry in params["months"]:
                fraction = Decimal(entry["fraction"])
                said = "全免" if fraction == 1 else "减半" if fraction == Decimal("0.5") else f"减免{(fraction * 100).normalize()}%"
                parts.append(f"{entry['month'][:4]}年{int(entry['month'][5:])}月{said}")
            return "按企业申报的月租金：" + "，".join(parts)
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return "（规则参数不完整）"
    return ""
