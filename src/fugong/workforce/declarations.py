"""The health declaration (健康申报): what a person declares about the last days, and what follows.

A declaration is sent by the person through their personal link (no password), by the employee
signed in to their account, or filled in by the enterprise for them. Whatever the channel, the
same service checks it, keeps it as it was sent (:class:`HealthDeclaration`, with the legal basis
the person was shown and their consent), copies what classification reads onto the person
(travel, contact, household health, when), re-classifies the person, and raises a health alert on
a fever, a cough or another symptom. The audit entry names the person's record and the channel,
never a declared value.

Travel places are divisions of the region tree (province, city, county: public names), so a trip
can be matched against the risk-area list by code; the dates must lie within the policy's
``travel_history_days``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fugong.audit.services import record
from fugong.policy.services import current
from fugong.regions.choices import Level
from fugong.regions.models import Region
from fugong.workforce.choices import DeclarationChannel, HouseholdHealth
from fugong.workforce.models import HealthDeclaration, Person
from fugong.workforce.validators import clean_text, parse_date

# Shown above the form and stored with every declaration: the person is told why they must answer
# and what becomes of their answers (《个人信息保护》: purpose, basis, retention).
LEGAL_BASIS = (
    "依据《中华人民共和国传染病防治法》第十二条、第三十一条和《突发公共卫生事件应急条例》第二十一条：一切单位和个人必须接受疾病预防"
    "控制机构、医疗机构有关传染病的调查、检验、采集样本、隔离治疗等预防、控制措施，如实提供有关情况；发现传染病病人或者疑似传染病"
    "病人时，应当及时报告；对突发事件不得隐瞒、缓报、谎报。请您如实申报。本申报信息仅用于疫情防控，不作他用；疫情应急响应结束后依法删除。"
)
CONSENT_TEXT = "本人承诺以上信息真实、准确、完整，如有隐瞒、谎报，愿承担相应法律责任；同意上述信息仅用于疫情防控。"
DECLARATION_LABEL = "人员档案"  # the audit log's label: the person's record, never their name
TRAVEL_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY)
MAX_TRIPS = 20
# The divisions whose name says nothing on its own ("市辖区", "县"): the place is named by its parent.
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass(frozen=True)
class Trip:
    """One place of the 14-day travel history, as stored on the declaration and the person."""

    region: str
    name: str
    start: date
    end: date

    def as_json(self) -> dict[str, str]:
        return {"region": self.region, "name": self.name, "from": self.start.isoformat(), "to": self.end.isoformat()}


def place_name(region: Region) -> str:
    """A division as people write it: 湖北省武汉市江岸区, 北京市东城区, 湖北省仙桃市, 湖北省."""
    codes = [code for code in region.path.strip("/").split("/") if code]
    names = dict(Region.objects.filter(code__in=codes, level__in=TRAVEL_LEVELS).values_list("code", "name"))
    return "".join(names[code] for code in codes if code in names and names[code] not in _PLACEHOLDERS) or region.name


def travel_window(today: date, days: int) -> tuple[date, date]:
    """The days a travel history covers: the last ``days`` days, today included."""
    return today - timedelta(days=days - 1), today


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "on", "yes", "是", "有"}
    return bool(value)


def _temperature(value: Any) -> Decimal | None:
    from fugong.health.services import clean_temperature

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return clean_temperature(value)


def clean_trips(entries: Iterable[Mapping[str, Any]], *, today: date, days: int) -> list[Trip]:
    """The travel history as declared: each entry a division code of the region tree (province,
    city or county) with the first and last day there, both within the last ``days`` days.

    ValidationError (key ``travel_history``) lists every problem, row by row, in Chinese."""
    rows = list(entries)
    if len(rows) > MAX_TRIPS:
        raise ValidationError({"travel_history": f"行程最多填写 {MAX_TRIPS} 条。"})
    first, last = travel_window(today, days)
    codes = {str(row.get("region") or "").strip() for row in rows}
    regions = {r.code: r for r in Region.objects.filter(code__in=codes, level__in=TRAVEL_LEVELS)}
    trips: list[Trip] = []
    errors: list[str] = []
    for number, row in enumerate(rows, start=1):
        code = str(row.get("region") or "").strip()
        region = regions.get(code)
        problems: list[str] = []
        if region is None:
            problems.append("请选择到过的省、市、区县" if not code else f"地区代码“{code}”不存在")
        start = end = None
        try:
            start = parse_date(row.get("from"), label="开始日期")
            end = parse_date(row.get("to"), label="结束日期")
        except ValidationError as exc:
            problems.extend(message.rstrip("。") for message in exc.messages)
        if not problems:
            if start is None or end is None:
                problems.append("请填写开始和结束日期")
            elif start > end:
                problems.append("开始日期晚于结束日期")
            elif start < first or end > last:
                problems.append(f"日期须在最近 {days} 天内（{first:%Y-%m-%d} 至 {last:%Y-%m-%d}）")
        if problems:
            errors.append(f"第 {number} 条行程：{'，'.join(problems)}。")
            continue
        assert region is not None and start is not None and end is not None
        trips.append(Trip(region=region.code, name=place_name(region), start=start, end=end))
    if errors:
        raise ValidationError({"travel_history": errors})
    return trips


@dataclass(frozen=True)
class Answers:
    """A declaration's answers once checked."""

    trips: list[Trip]
    contact_with_case: bool
    contact_detail: str
    temperature: Decimal | None
    fever: bool
    cough: bool
    other_symptoms: str
    household_health: str
    household_note: str


def clean_answers(data: Mapping[str, Any], *, today: date, policy: Any) -> Answers:
    """Check a declaration's answers (the service's, the form's and the API's one set of rules);
    ValidationError with a Chinese message per field."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    trips: list[Trip] = []
    try:
        trips = clean_trips(data.get("travel_history") or [], today=today, days=int(policy.travel_history_days))
    except ValidationError as exc:
        for message in exc.message_dict.get("travel_history", exc.messages):
            fail("travel_history", message)
    contact = _flag(data.get("contact_with_case"))
    texts: dict[str, str] = {}
    for field, label, length in (("contact_detail", "接触情况说明", 255), ("other_symptoms", "其他症状", 200), ("household_note", "家庭成员情况说明", 255)):
        try:
            texts[field] = clean_text(str(data.get(field) or ""), label=label, max_length=length)
        except ValidationError as exc:
            fail(field, exc.messages[0])
            texts[field] = ""
    if contact and not texts["contact_detail"] and "contact_detail" not in errors:
        fail("contact_detail", "请说明接触的时间、地点和对象。")
    temperature = None
    try:
        temperature = _temperature(data.get("temperature"))
    except ValidationError as exc:
        fail("temperature", exc.messages[0])
    threshold = Decimal(str(policy.fever_threshold_celsius))
    # A measured temperature at the threshold is a fever whether or not the box was ticked.
    fever = _flag(data.get("fever")) or (temperature is not None and temperature >= threshold)
    household = str(data.get("household_health") or "")
    if household not in HouseholdHealth.values:
        fail("household_health", "请选择家庭成员健康状况。")
    elif household == HouseholdHealth.ABNORMAL and not texts["household_note"] and "household_note" not in errors:
        fail("household_note", "请说明家庭成员的症状。")
    if not _flag(data.get("consent")):
        fail("consent", "请阅读告知内容并勾选承诺后再提交。")
    if errors:
        raise ValidationError(errors)
    return Answers(trips=trips, contact_with_case=contact, contact_detail=texts["contact_detail"], temperature=temperature,
                   fever=fever, cough=_flag(data.get("cough")), other_symptoms=texts["other_symptoms"], household_health=household,
                   household_note=texts["household_note"])


def _check_channel(*, person: Person, channel: str, acting_user: Any) -> None:
    """Who may declare for whom. A personal link is its own authority (the view has verified the
    token); a signed-in employee declares for their own record only; the enterprise and the
    officers over it fill it in for their staff."""
    if channel not in DeclarationChannel.values:
        raise ValidationError({"channel": "未知的申报方式。"})
    if channel == DeclarationChannel.ACCOUNT:
        own = acting_user is not None and getattr(acting_user, "is_authenticated", False) and person.user_id == acting_user.pk
        if not own or not Person.objects.for_user(acting_user).filter(pk=person.pk).exists():
            raise PermissionDenied("只能为本人申报。")
    elif channel == DeclarationChannel.ENTERPRISE and (acting_user is None or not acting_user.has_perm("workforce.declare_for_person", person)):
        raise PermissionDenied("您无权为该人员代填健康申报。")


def _raise_alert(*, person: Person, declaration: HealthDeclaration, acting_user: Any, request: Any) -> Any:
    """A fever, a cough or another symptom in a declaration is an alert someone must close."""
    from fugong.health.choices import AlertKind
    from fugong.health.services import alert_raise

    if declaration.fever:
        shown = f"（{declaration.temperature}℃）" if declaration.temperature is not None else ""
        kind, detail = AlertKind.FEVER, f"健康申报：发热{shown}" + ("、咳嗽" if declaration.cough else "")
    elif declaration.cough or declaration.other_symptoms:
        symptoms = (["咳嗽"] if declaration.cough else []) + ([declaration.other_symptoms] if declaration.other_symptoms else [])
        kind, detail = AlertKind.SYMPTOM, f"健康申报：{'、'.join(symptoms)}"
    else:
        return None
    return alert_raise(kind=kind, enterprise=person.enterprise, person=person, detail=detail[:255], temperature=declaration.temperature,
                       at=declaration.declared_at, acting_user=acting_user if getattr(acting_user, "is_authenticated", False) else None,
                       request=request)


def _classify(person: Person) -> Any:
    """Re-classify after the declaration (the travel, contact and symptoms may change the decision)."""
    try:
        from fugong.workforce.classify import person_classify
    except ImportError:  # a deployment without the classification module: the declaration still stands
        return None
    return person_classify(person=person)


def declaration_submit(*, person: Person, data: Mapping[str, Any], channel: str, acting_user: Any = None,
                       request: Any = None) -> HealthDeclaration:
    """Record a health declaration for ``person`` sent through ``channel`` (link, account, enterprise).

    ``data``: ``travel_history`` (a list of ``{"region": division code, "from": date, "to": date}``),
    ``contact_with_case`` and ``contact_detail``, ``temperature`` (optional), ``fever``, ``cough``,
    ``other_symptoms``, ``household_health`` and ``household_note``, ``consent`` (required).

    Refused with ValidationError (per field, Chinese) or PermissionDenied (the channel's rule, see
    :func:`_check_channel`). On success, in one transaction: the declaration is stored with the
    legal basis shown; the person's travel history, contact, household health and declaration
    time follow it; the person is re-classified; a fever or symptom raises an alert (a fever also
    revokes their passes); one ``person.declare`` audit entry holds ids and the channel only.
    """
    _check_channel(person=person, channel=channel, acting_user=acting_user)
    now = timezone.now()
    today = timezone.localdate(now)
    policy = current(person.enterprise.region)
    answers = clean_answers(data, today=today, policy=policy)
    recorder = acting_user if getattr(acting_user, "is_authenticated", False) else None
    with transaction.atomic():
        locked = Person.objects.select_for_update().select_related("enterprise__region").get(pk=person.pk)
        declaration = HealthDeclaration.objects.create(
            person=locked, declared_at=now, channel=channel, travel_history=[trip.as_json() for trip in answers.trips],
            contact_with_case=answers.contact_with_case, contact_detail=answers.contact_detail, temperature=answers.temperature,
            fever=answers.fever, cough=answers.cough, other_symptoms=answers.other_symptoms, household_health=answers.household_health,
            household_note=answers.household_note, legal_basis=LEGAL_BASIS, consent=True, recorded_by=recorder,
        )
        locked.travel_history = declaration.travel_history
        locked.contact_with_case = answers.contact_with_case
        locked.household_health = answers.household_health
        locked.declared_at = now
        locked.save(update_fields=["travel_history", "contact_with_case", "household_health", "declared_at", "updated_at"])
        record(action="person.declare", actor=recorder, obj=locked, object_label=DECLARATION_LABEL, request=request,
               data={"enterprise": locked.enterprise_id, "declaration": str(declaration.pk), "channel": channel})
        _classify(locked)
        _raise_alert(person=locked, declaration=declaration, acting_user=recorder, request=request)
    return declaration
