"""Writes of health monitoring: check-ins and alerts.

Check-ins are the volume (every worker, twice a day) and are not audited one by one: they are
measurements, not decisions. What follows from one — a fever alert, a revoked pass — is.

Two ways in, one set of rules:

- :func:`checkin_record` records one check-in and raises (pages, the gate);
- :func:`checkin_batch` records up to a thousand items of the API or the enterprise's table in one
  multi-row upsert, each item saved or refused with its reason, so that a bad item never costs the
  good ones. Items that are fever or symptoms then go through :func:`alert_raise` one by one (rare).

The policy is read through :func:`cached_policy`: a minute's in-process copy per region, dropped
when a policy version is saved, so the hot path asks the database nothing about it.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from fugong.audit.services import record
from fugong.enterprises.models import Enterprise
from fugong.health.choices import AlertKind, AlertOutcome, AlertStatus, CheckInSource
from fugong.health.models import Alert, CheckIn
from fugong.policy.parameters import SHANGHAI
from fugong.workforce.choices import RevocationReason
from fugong.workforce.models import Pass, Person

ALERT_LABEL = "预警"
TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")


def local_day_and_hour(at: datetime) -> tuple[date, int]:
    """The day and hour in Asia/Shanghai: at 06:40 Beijing time UTC is still yesterday."""
    local = at.astimezone(SHANGHAI)
    return local.date(), local.hour


def slot_of(hour: int, policy: Any) -> int:
    """The slot an hour falls in: 1 (morning) before ``morning_slot_ends_hour``, else the later
    slots spread evenly over the rest of the day, up to ``checkins_per_day``."""
    per_day = int(policy.checkins_per_day)
    morning_ends = int(policy.morning_slot_ends_hour)
    if per_day <= 1 or hour < morning_ends:
        return 1
    rest = max(24 - morning_ends, 1)
    return min(per_day, 2 + (hour - morning_ends) * (per_day - 1) // rest)


def clean_temperature(value: Any) -> Decimal:
    """A body temperature as typed, to a tenth of a degree; ValidationError in Chinese when it is
    not one. Half a tenth rounds up (37.25 → 37.3): rounding to even would let a reading on the
    fever threshold's edge pass as normal."""
    try:
        temperature = Decimal(str(value).strip()).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except ArithmeticError:
        raise ValidationError({"temperature": "体温应为数字，例如 36.5。"}) from None
    if not temperature.is_finite() or not TEMPERATURE_MIN <= temperature <= TEMPERATURE_MAX:
        raise ValidationError({"temperature": f"体温应在 {TEMPERATURE_MIN}–{TEMPERATURE_MAX}℃ 之间。"})
    return temperature


def revoke_passes_of(*, person: Person, reason: str, acting_user: Any = None, request: Any = None) -> int:
    """Revoke every pass of ``person`` still open, as a consequence (fever, quarantine): no
    permission is asked of whoever recorded the fact. Audited per pass; returns how many."""
    now = timezone.now()
    revoked = 0
    for pass_ in Pass.objects.select_for_update().filter(person=person, revoked_at__isnull=True):
        pass_.revoked_at = now
        pass_.revoked_reason = reason
        pass_.save(update_fields=["revoked_at", "revoked_reason"])
        record(action="pass.revoke", actor=acting_user, obj=pass_, object_label="出入证", request=request,
               data={"enterprise": pass_.enterprise_id, "reason": reason, "automatic": True})
        revoked += 1
    return revoked


def alert_raise(*, kind: str, enterprise: Enterprise, detail: str, person: Person | None = None, checkin: CheckIn | None = None,
                temperature: Decimal | None = None, at: datetime | None = None, acting_user: Any = None, request: Any = None) -> Alert:
    """Raise an alert. A fever also revokes the person's open passes (SPEC.md: revoked on fever).
    Audited without personal values (the person's record id only)."""
    at = at or timezone.now()
    day, _hour = local_day_and_hour(at)
    with transaction.atomic():
        alert = Alert.objects.create(kind=kind, enterprise=enterprise, person=person, checkin=checkin, date=day, temperature=temperature,
                                     detail=detail, raised_at=at, created_by=acting_user if getattr(acting_user, "pk", None) else None)
        record(action="alert.raise", actor=acting_user, obj=alert, object_label=ALERT_LABEL, request=request,
               data={"kind": kind, "enterprise": enterprise.pk, "person": str(person.pk) if person else None})
        if kind == AlertKind.FEVER and person is not None:
            revoke_passes_of(person=person, reason=RevocationReason.FEVER, acting_user=acting_user, request=request)
    return alert


def alert_close(*, alert: Alert, outcome: str, note: str, acting_user: Any, request: Any = None) -> Alert:
    """Close an open alert with its outcome (isolated, sent to the clinic, cleared) and a note.
    For the officers over the enterprise and the enterprise's admin (``health.close_alert``).
    Closing a closed alert changes nothing. Audited."""
    if outcome not in AlertOutcome.values:
        raise ValidationError({"outcome": "请选择处置结果。"})
    if not note.strip():
        raise ValidationError({"note": "请填写处置说明。"})
    if not acting_user.has_perm("health.close_alert", alert):
        raise PermissionDenied("您无权处置该预警。")
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status == AlertStatus.CLOSED:
            return locked
        locked.status = AlertStatus.CLOSED
        locked.outcome = outcome
        locked.note = note.strip()
        locked.closed_at = timezone.now()
        locked.closed_by = acting_user
        locked.save(update_fields=["status", "outcome", "note", "closed_at", "closed_by", "updated_at"])
        record(action="alert.close", actor=acting_user, obj=locked, object_label=ALERT_LABEL, request=request,
               data={"kind": locked.kind, "enterprise": locked.enterprise_id, "outcome": outcome})
    return locked



# -- the policy of a place, cached in the process ------------------------------------------------

_policies: dict[int | None, tuple[float, Any]] = {}
_policies_lock = threading.Lock()


def cached_policy(region_id: int | None) -> Any:
    """The policy in force now for the region with this id (None: the base policy).

    Kept ``FUGONG_POLICY_CACHE_SECONDS`` (60 s by default) in this process: a check-in must not
    cost three policy queries, and a county's policy changes a few times a month. Saving a policy
    version drops every copy in the process that saved it (:func:`forget_cached_policies`); other
    processes see it within the minute. A check-in is judged by the policy in force when it is
    recorded, also when it is filed late."""
    from fugong.policy.services import current
    from fugong.regions.models import Region

    now = time.monotonic()
    hit = _policies.get(region_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    policy = current(Region.objects.get(pk=region_id) if region_id is not None else None)
    seconds = getattr(settings, "FUGONG_POLICY_CACHE_SECONDS", 60)
    if seconds > 0:
        with _policies_lock:
            _policies[region_id] = (now + seconds, policy)
    return policy


def forget_cached_policies(**_: Any) -> None:
    """Drop every cached policy (a ``post_save``/``post_delete`` receiver of PolicyVersion), and
    again when the saving transaction commits: a check-in recorded between the save and the
    commit would have cached the old values."""
    with _policies_lock:
        _policies.clear()
    if connection.in_atomic_block:
        transaction.on_commit(_clear_policies)


def _clear_policies() -> None:
    with _policies_lock:
        _policies.clear()


# -- one check-in, as the pages and the gate record it ---------------------------------------------

NOT_FOUND = "人员不存在或不在您的管辖范围"  # never says which of the two: existence is not revealed
MAX_SYMPTOMS = 200


@dataclass(frozen=True)
class CheckInResult:
    checkin: CheckIn
    created: bool
    alert: Alert | None


def checkin_window(policy: Any, now: datetime) -> tuple[date, datetime]:
    """The earliest day a check-in may still be filed for, and the latest moment it may say it
    was taken (a device's clock may run ahead by the policy's minutes)."""
    today, _hour = local_day_and_hour(now)
    return today - timedelta(days=int(policy.checkin_backdate_days)), now + timedelta(minutes=int(policy.checkin_clock_skew_minutes))


def current_slot(policy: Any, at: datetime | None = None) -> tuple[date, int]:
    """Today (Asia/Shanghai) and the slot the moment falls in."""
    day, hour = local_day_and_hour(at or timezone.now())
    return day, slot_of(hour, policy)


def _when(*, at: datetime, day: date | None, slot: int | None, policy: Any, now: datetime) -> tuple[date, int]:
    """The (day, slot) a check-in counts for, checked against the policy; ValidationError in Chinese."""
    earliest, latest = checkin_window(policy, now)
    if at > latest:
        raise ValidationError({"at": "打卡时间晚于当前时间，请检查设备时间。"})
    at_day, hour = local_day_and_hour(at)
    day = day or at_day
    if day < earliest or at_day < earliest:
        raise ValidationError({"at": f"只能补报 {policy.checkin_backdate_days} 天内的打卡。"})
    if day > local_day_and_hour(now)[0]:
        raise ValidationError({"date": "不能为以后的日期打卡。"})
    slot = slot or slot_of(hour, policy)
    if not 1 <= slot <= int(policy.checkins_per_day):
        raise ValidationError({"slot": f"时段应为 1–{policy.checkins_per_day}。"})
    return day, slot


def _abnormal(temperature: Decimal, cough: bool, symptoms: str, policy: Any) -> tuple[str, str] | None:
    """(kind, detail) of the alert a check-in raises, or None when it is normal."""
    threshold = Decimal(str(policy.fever_threshold_celsius))
    if temperature >= threshold:
        return AlertKind.FEVER, f"体温 {temperature}℃（≥{policy.fever_threshold_celsius}℃）"
    if cough or symptoms:
        said = "、".join(part for part in ("咳嗽" if cough else "", symptoms) if part)
        return AlertKind.SYMPTOM, f"症状：{said}"[:255]
    return None


def _alert_once(*, kind: str, detail: str, person: Person, checkin: CheckIn, temperature: Decimal, at: datetime, acting_user: Any,
                request: Any) -> Alert:
    """The alert of a check-in: a new one, unless the same check-in (a retry, a correction in the
    same slot) already has an open alert of this kind, which is then the answer."""
    existing = Alert.objects.filter(checkin=checkin, kind=kind, status=AlertStatus.OPEN).order_by("pk").first()
    if existing is not None:
        return existing
    return alert_raise(kind=kind, enterprise=person.enterprise, person=person, checkin=checkin, temperature=temperature, detail=detail,
                       at=at, acting_user=acting_user, request=request)


def checkin_record(*, person: Person, temperature: Any, cough: bool = False, symptoms: str = "", source: str = CheckInSource.SELF,
                   at: datetime | None = None, slot: int | None = None, day: date | None = None, policy: Any = None,
                   acting_user: Any = None, request: Any = None) -> CheckInResult:
    """Record one check-in of ``person`` (a second one in the same slot of the same day updates
    the first). A temperature at or above the policy's ``fever_threshold_celsius`` raises a fever
    alert and revokes the person's passes; a cough or another symptom raises a symptom alert.

    ``at`` is when it was taken (now by default; not ahead of the clock beyond the policy's
    minutes, not older than its ``checkin_backdate_days``); the day is taken in Asia/Shanghai
    and the slot from the hour unless ``day``/``slot`` say which one is meant.

    The caller has already decided that ``acting_user`` may record for this person (the page or
    API looked the person up through ``Person.objects.recordable_by``). ``policy`` may be passed
    by callers that already hold it.
    """
    now = timezone.now()
    at = at or now
    temperature = clean_temperature(temperature)
    symptoms = (symptoms or "").strip()
    if len(symptoms) > MAX_SYMPTOMS:
        raise ValidationError({"symptoms": f"其他症状不能超过 {MAX_SYMPTOMS} 字。"})
    policy = policy or cached_policy(person.enterprise.region_id)
    day, slot = _when(at=at, day=day, slot=slot, policy=policy, now=now)
    recorder = acting_user if getattr(acting_user, "pk", None) else None
    row = _Row(person.pk, person.enterprise_id, day, slot, temperature, bool(cough), symptoms, source, at,
               recorder.pk if recorder else None)
    # No savepoint when called inside a transaction (the gate's, the API's): one fewer round trip;
    # an error here fails the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        checkin_id, created = _upsert([row])[row.key]
        checkin = CheckIn(pk=checkin_id, person=person, enterprise_id=person.enterprise_id, date=day, slot=slot, temperature=temperature,
                          cough=bool(cough), symptoms=symptoms, source=source, recorded_at=at, recorded_by=recorder)
        alert = None
        abnormal = _abnormal(temperature, bool(cough), symptoms, policy)
        if abnormal is not None:
            alert = _alert_once(kind=abnormal[0], detail=abnormal[1], person=person, checkin=checkin, temperature=temperature, at=at,
                                acting_user=acting_user, request=request)
    return CheckInResult(checkin, created, alert)


# -- many check-ins at once (the API, the enterprise's table) --------------------------------------

MAX_BATCH = 1000  # the API's contract, not a policy number: one request, one transaction


@dataclass
class ItemResult:
    """What happened to one item of a batch: saved (``id``, ``created``, the ``alert`` it raised)
    or refused with a Chinese ``error``."""

    index: int
    ok: bool = False
    id: int | None = None
    created: bool = False
    error: str | None = None
    alert: str | None = None  # the alert's UUID

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "ok": self.ok, "id": self.id, "created": self.created, "error": self.error, "alert": self.alert}


@dataclass
class _Item:
    """An item read from the request, before its person is looked up."""

    index: int
    person_id: uuid.UUID
    temperature: Decimal
    cough: bool
    symptoms: str
    at: datetime | None
    slot: int | None
    day: date | None


Key = tuple[uuid.UUID, date, int]  # a check-in's (person, day, slot): unique


@dataclass(frozen=True)
class _Row:
    """One row of the upsert."""

    person_id: uuid.UUID
    enterprise_id: int
    date: date
    slot: int
    temperature: Decimal
    cough: bool
    symptoms: str
    source: str
    recorded_at: datetime
    recorded_by_id: int | None

    @property
    def key(self) -> Key:
        return self.person_id, self.date, self.slot


TRUE_WORDS = frozenset({"true", "1", "on", "yes", "是"})
FALSE_WORDS = frozenset({"false", "0", "off", "no", "否", ""})


def _flag(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise ValidationError({"cough": "咳嗽应为 true 或 false。"})


def _moment(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    parsed = value if isinstance(value, datetime) else (parse_datetime(value) if isinstance(value, str) else None)
    if parsed is None:
        raise ValidationError({"at": "打卡时间格式应为 ISO 8601，例如 2020-02-10T08:30:00+08:00。"})
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=SHANGHAI)


def _day(value: Any) -> date | None:
    if value in (None, ""):
        return None
    parsed = value if isinstance(value, date) and not isinstance(value, datetime) else (parse_date(value) if isinstance(value, str) else None)
    if parsed is None:
        raise ValidationError({"date": "日期格式应为 YYYY-MM-DD。"})
    return parsed


def _slot(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
        raise ValidationError({"slot": "时段应为整数，1 表示上午。"})
    return int(value)


def _read_item(index: int, raw: Any) -> _Item:
    """An item as sent; ValidationError with the first thing wrong in it."""
    if not isinstance(raw, Mapping):
        raise ValidationError({"item": "每一项应为一个对象，例如 {\"person\": …, \"temperature\": 36.5}。"})
    try:
        person_id = raw["person"] if isinstance(raw["person"], uuid.UUID) else uuid.UUID(str(raw["person"]))
    except (KeyError, ValueError, TypeError, AttributeError):
        raise ValidationError({"person": "请提供人员档案编号 person（UUID）。"}) from None
    if raw.get("temperature") in (None, ""):
        raise ValidationError({"temperature": "请填写体温。"})
    if isinstance(raw["temperature"], bool):
        raise ValidationError({"temperature": "体温应为数字，例如 36.5。"})
    temperature = clean_temperature(raw["temperature"])
    symptoms = raw.get("symptoms") or ""
    if not isinstance(symptoms, str):
        raise ValidationError({"symptoms": "其他症状应为文字。"})
    symptoms = symptoms.strip()
    if len(symptoms) > MAX_SYMPTOMS:
        raise ValidationError({"symptoms": f"其他症状不能超过 {MAX_SYMPTOMS} 字。"})
    return _Item(index=index, person_id=person_id, temperature=temperature, cough=_flag(raw.get("cough")), symptoms=symptoms,
                 at=_moment(raw.get("at")), slot=_slot(raw.get("slot")), day=_day(raw.get("date")))


def _first_message(exc: ValidationError) -> str:
    return exc.messages[0] if exc.messages else "数据有误。"


def checkin_batch(*, items: Sequence[Any], acting_user: Any, source: str = CheckInSource.API, request: Any = None,
                  now: datetime | None = None) -> list[ItemResult]:
    """Record many check-ins for ``acting_user``; one result per item, in order.

    Each item is ``{person (UUID of the Person), temperature, cough?, symptoms?, at?, slot?,
    date?}``. The persons are looked up in one query through ``Person.objects.recordable_by``: an
    unknown person and one outside the caller's scope fail alike (:data:`NOT_FOUND`). Items that
    pass are written in one multi-row upsert on (person, date, slot) — the later of two items for
    the same slot wins, as two requests would — and fever or symptom items then raise their
    alerts (a fever revokes the passes). One transaction: all the good items and their alerts,
    or nothing. Items beyond :data:`MAX_BATCH` are the caller's to refuse.
    """
    now = now or timezone.now()
    results = [ItemResult(index=index) for index in range(len(items))]
    read: list[_Item] = []
    for index, raw in enumerate(items):
        try:
            read.append(_read_item(index, raw))
        except ValidationError as exc:
            results[index].error = _first_message(exc)
    if read and _in_one_statement(read, results, acting_user=acting_user, source=source, now=now):
        return results
    places = dict(_recordable(acting_user, {item.person_id for item in read}))
    recorder_id = acting_user.pk if getattr(acting_user, "pk", None) else None
    rows: list[tuple[_Item, _Row, Any]] = []
    for item in read:
        place = places.get(item.person_id)
        if place is None:
            results[item.index].error = NOT_FOUND
            continue
        enterprise_id, region_id = place
        policy = cached_policy(region_id)
        at = item.at or now
        try:
            day, slot = _when(at=at, day=item.day, slot=item.slot, policy=policy, now=now)
        except ValidationError as exc:
            results[item.index].error = _first_message(exc)
            continue
        rows.append((item, _Row(item.person_id, enterprise_id, day, slot, item.temperature, item.cough, item.symptoms, source, at,
                                recorder_id), policy))
    if not rows:
        return results
    # Abnormal items are known before writing. Without them the upsert is one statement, atomic
    # on its own: no BEGIN/COMMIT round trips on the hot path. With them, the check-ins and their
    # alerts (and revoked passes) commit together.
    abnormal = [(item, row, found) for item, row, policy in rows if (found := _abnormal(row.temperature, row.cough, row.symptoms, policy))]
    if not abnormal and not connection.in_atomic_block:
        _save(rows, results)
        return results
    with transaction.atomic(savepoint=False):
        saved = _save(rows, results)
        _raise_alerts([(item, row, saved[row.key][0], found) for item, row, found in abnormal], results, acting_user=acting_user,
                      request=request)
    return results


# What a check-in is judged by; a scope whose enterprises agree on these takes the one-statement path.
CHECKIN_PARAMETERS = ("checkins_per_day", "morning_slot_ends_hour", "checkin_backdate_days", "checkin_clock_skew_minutes",
                      "fever_threshold_celsius")


def _scope_policy(user: Any) -> Any:
    """The policy every person ``user`` may record is judged by, when there is one: for the
    callers who record for known enterprises (their prevention officer, their gate, an employee)
    whose enterprises' counties agree on :data:`CHECKIN_PARAMETERS`. None for officers (their
    jurisdiction may span counties) and the platform admin. Kept in ``scope.extra``."""
    from fugong.accounts.scope import scope_of

    scope = scope_of(user)
    if scope.is_admin or scope.command_paths or scope.grid_paths:
        return None
    key = f"health.scope_policy.{getattr(user, 'pk', None)}"
    if key not in scope.extra:
        enterprises = scope.enterprise_ids | scope.gate_enterprise_ids | scope.employee_enterprise_ids
        regions = set(Enterprise.objects.filter(pk__in=enterprises).values_list("region_id", flat=True)) if enterprises else set()
        policies = [cached_policy(region_id) for region_id in sorted(regions)]
        judged = {tuple(policy[name] for name in CHECKIN_PARAMETERS) for policy in policies}
        scope.extra[key] = policies[0] if len(judged) == 1 else None
    return scope.extra[key]


def _in_one_statement(read: list[_Item], results: list[ItemResult], *, acting_user: Any, source: str, now: datetime) -> bool:
    """The hot path on PostgreSQL: look the persons up and upsert their check-ins in one statement
    (the scoped query of :func:`_recordable` joined to the rows), when the caller's scope has one
    policy (:func:`_scope_policy`) and no item is a fever or a symptom. False, having written
    nothing, when the general path must run instead. A person the join drops is :data:`NOT_FOUND`."""
    if connection.vendor != "postgresql":
        return False
    policy = _scope_policy(acting_user)
    if policy is None or any(_abnormal(item.temperature, item.cough, item.symptoms, policy) for item in read):
        return False
    compiled = _recordable_sql(acting_user)
    recorder_id = acting_user.pk if getattr(acting_user, "pk", None) else None
    rows: list[tuple[_Item, _Row]] = []
    for item in read:
        at = item.at or now
        try:
            day, slot = _when(at=at, day=item.day, slot=item.slot, policy=policy, now=now)
        except ValidationError as exc:
            results[item.index].error = _first_message(exc)
            continue
        rows.append((item, _Row(item.person_id, 0, day, slot, item.temperature, item.cough, item.symptoms, source, at, recorder_id)))
    saved: dict[Key, tuple[int, bool]] = {}
    if rows and compiled is not None:
        last = list({row.key: row for _item, row in rows}.values())
        sql = _joined_upsert_sql(compiled[0], single=len(last) == 1)
        columns = [[getattr(row, name) for row in last] for name in _JOINED]
        params = [*compiled[1], *([column[0] for column in columns] if len(last) == 1 else columns)]
        saved = {(person_id, day, slot): (pk, created) for pk, person_id, day, slot, created in _fetch(sql, params)}
    seen: set[Key] = set()
    for item, row in rows:
        result = results[item.index]
        if row.key not in saved:
            result.error = NOT_FOUND
            continue
        checkin_id, created = saved[row.key]
        result.ok, result.id, result.created = True, checkin_id, created and row.key not in seen
        seen.add(row.key)
    return True


_JOINED = ("person_id", "date", "slot", "temperature", "cough", "symptoms", "source", "recorded_at", "recorded_by_id")
_JOINED_TYPES = ("uuid", "date", "smallint", "numeric", "boolean", "text", "text", "timestamptz", "bigint")


def _joined_upsert_sql(recordable: str, *, single: bool) -> str:
    """WITH recordable AS (the scoped person query) INSERT … SELECT the rows JOIN recordable … ON
    CONFLICT DO UPDATE … RETURNING, for one row (VALUES) or many (unnest)."""
    cache_key = (single, recordable)  # the text's hash is kept on the string: a cheap key
    if cache_key in _joined:
        return _joined[cache_key]
    aliases = ", ".join(_JOINED)
    if single:
        source = f"(VALUES ({', '.join(f'%s::{kind}' for kind in _JOINED_TYPES)})) AS i ({aliases})"
    else:
        source = f"unnest({', '.join(f'%s::{kind}[]' for kind in _JOINED_TYPES)}) AS i ({aliases})"
    # The inserted columns in order: the enterprise from the scoped query, the rest from the rows.
    from_rows = {"person": "i.person_id", "enterprise": "r.enterprise_id", "recorded_by": "i.recorded_by_id"}
    picked = ", ".join(from_rows.get(name, f"i.{name}") for name in _INSERTED)
    sql = _upsert_returning_created(f"SELECT {picked} FROM {source} JOIN recordable r ON r.id = i.person_id",  # noqa: S608 - identifiers
                                    before=f"recordable (id, enterprise_id, region_id) AS ({recordable})")
    if len(_joined) > 1000:  # one per scope's query text: bounded, for a process that sees many scopes
        _joined.clear()
    return _joined.setdefault(cache_key, sql)


def _save(rows: list[tuple[_Item, _Row, Any]], results: list[ItemResult]) -> dict[Key, tuple[int, bool]]:
    """Upsert the rows and fill in their results. The last item of a slot is the one that stays;
    the earlier ones "were updated" by it, as two requests would have been."""
    last = {row.key: row for _item, row, _policy in rows}
    saved = _upsert(list(last.values()))
    seen: set[Key] = set()
    for item, row, _policy in rows:
        checkin_id, created = saved[row.key]
        result = results[item.index]
        result.ok, result.id, result.created = True, checkin_id, created and row.key not in seen
        seen.add(row.key)
    return saved


def _recordable(user: Any, person_ids: set[uuid.UUID]) -> list[tuple[uuid.UUID, tuple[int, int]]]:
    """(person id, (enterprise id, region id)) of the persons ``user`` may record, in one query.

    The query is ``Person.objects.recordable_by(user)`` compiled once per scope (kept in
    ``scope.extra``; a device's scope lives as long as its remembered token) and narrowed to the
    ids asked for: building Django's where-clause for every check-in was a third of the request."""
    if not person_ids:
        return []
    compiled = _recordable_sql(user)
    if compiled is None:
        return []
    sql, params = compiled
    pk = Person._meta.pk
    assert pk is not None
    ids = [pk.get_db_prep_value(person_id, connection) for person_id in person_ids]
    query = f"WITH recordable (id, enterprise_id, region_id) AS ({sql}) SELECT id, enterprise_id, region_id FROM recordable " \
            f"WHERE id IN ({', '.join(['%s'] * len(ids))})"  # noqa: S608 - Django's own SQL, values bound
    return [(person_id if isinstance(person_id, uuid.UUID) else uuid.UUID(str(person_id)), (enterprise_id, region_id))
            for person_id, enterprise_id, region_id in _fetch(query, [*params, *ids])]


def _recordable_sql(user: Any) -> tuple[str, tuple[Any, ...]] | None:
    """The SQL of ``recordable_by(user)`` (no ordering: the model's would join and sort for
    nothing), or None when it can match nobody."""
    from django.core.exceptions import EmptyResultSet

    from fugong.accounts.scope import scope_of

    scope = scope_of(user)
    key = f"health.recordable.{getattr(user, 'pk', None)}"
    if key not in scope.extra:
        queryset = Person.objects.recordable_by(user).order_by().values_list("pk", "enterprise_id", "enterprise__region_id")
        try:
            scope.extra[key] = queryset.query.sql_with_params()
        except EmptyResultSet:
            scope.extra[key] = None
    compiled: tuple[str, tuple[Any, ...]] | None = scope.extra[key]
    return compiled


PREPARE_ONLY_WHEN_ASKED = 2**31 - 1  # psycopg's threshold of automatic preparing: never reached


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run one statement of the hot path and return its rows.

    On PostgreSQL through psycopg's own cursor, as a prepared statement (server-side binding):
    Django's cursor quotes every value into the text on the client and is not prepared
    (``prepare_threshold`` is off), which cost as much as the statement itself. Transactions
    are Django's (the same connection); errors are turned into Django's."""
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        raw = connection.connection
        if raw.prepare_threshold is None:
            # Django turns psycopg's preparing off (None); here only the statements asked for
            # (prepare=True) are prepared: Django's own cursors bind on the client and never are.
            raw.prepare_threshold = PREPARE_ONLY_WHEN_ASKED
        # psycopg.Cursor, not the connection's cursor factory (Django's client-side one).
        with connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _raise_alerts(abnormal: list[tuple[_Item, _Row, int, tuple[str, str]]], results: list[ItemResult], *, acting_user: Any,
                  request: Any) -> None:
    persons = Person.objects.select_related("enterprise").in_bulk({row.person_id for _item, row, _id, _found in abnormal})
    raised: dict[tuple[int, str], Alert] = {}
    for item, row, checkin_id, (kind, detail) in abnormal:
        alert = raised.get((checkin_id, kind))
        if alert is None:
            person = persons[row.person_id]
            checkin = CheckIn(pk=checkin_id, person=person, enterprise_id=row.enterprise_id, date=row.date, slot=row.slot,
                              temperature=row.temperature)
            alert = _alert_once(kind=kind, detail=detail, person=person, checkin=checkin, temperature=row.temperature, at=row.recorded_at,
                                acting_user=acting_user, request=request)
            raised[(checkin_id, kind)] = alert
        results[item.index].alert = str(alert.uuid)


# -- the upsert ------------------------------------------------------------------------------------


def _column(name: str) -> str:
    """The quoted column of a CheckIn field."""
    from django.db import models

    field = CheckIn._meta.get_field(name)
    assert isinstance(field, models.Field)
    return connection.ops.quote_name(field.column)


_INSERTED = ("person", "enterprise", "date", "slot", "temperature", "cough", "symptoms", "source", "recorded_at", "recorded_by")
_UPDATED = ("temperature", "cough", "symptoms", "source", "recorded_at", "recorded_by")
_PG_TYPES = ("uuid", "bigint", "date", "smallint", "numeric", "boolean", "text", "text", "timestamptz", "bigint")


def _postgres_upsert_sql(*, single: bool) -> str:
    """INSERT … VALUES (one row) or INSERT … SELECT FROM unnest(arrays) (many), ON CONFLICT
    (person, date, slot) DO UPDATE … RETURNING the id and whether the row is new (see
    :func:`_upsert_returning_created`). Identifiers come from the model's meta; every value
    is a bound parameter."""
    arrays = ", ".join(f"%s::{kind}[]" for kind in _PG_TYPES)
    # Typed placeholders: in a CTE the values have no target column to take their types from.
    one = ", ".join(f"%s::{kind}" for kind in _PG_TYPES)
    values = f"VALUES ({one})" if single else f"SELECT * FROM unnest({arrays})"  # noqa: S608 - placeholders
    return _upsert_returning_created(values)


def _upsert_returning_created(rows: str, *, before: str = "") -> str:
    """``rows`` (a query of the ``_INSERTED`` columns in order) upserted on (person, date, slot),
    returning ``id, person, date, slot`` and whether the row is new, in one statement.

    Whether it is new comes from a look-up of the keys in the statement's snapshot (``existing``),
    not from ``RETURNING (xmax = 0)``: the check-ins table is partitioned by month on PostgreSQL
    (:mod:`fugong.health.partitions`), and a partitioned table cannot return system columns. Two
    requests racing for the same new slot may then both answer "created"; one row is kept.
    ``before`` is a CTE the rows query needs (``name AS (…)``)."""
    meta = CheckIn._meta
    quote = connection.ops.quote_name
    column = _column
    table = quote(meta.db_table)
    names = [column(name) for name in _INSERTED]
    updates = ", ".join(f"{column(name)} = EXCLUDED.{column(name)}" for name in _UPDATED)
    key = [column("person"), column("date"), column("slot")]
    keys = ", ".join(key)
    matches = " AND ".join(f"e.{name} = s.{name}" for name in key)
    return (f"WITH {before + ', ' if before else ''}"  # noqa: S608 - identifiers from the model, values bound
            f"i ({', '.join(names)}) AS ({rows}), "
            f"existing AS MATERIALIZED (SELECT {', '.join(f'c.{name}' for name in key)} FROM {table} c JOIN i USING ({keys})), "
            f"saved AS (INSERT INTO {table} ({', '.join(names)}) SELECT * FROM i "
            f"ON CONFLICT ({keys}) DO UPDATE SET {updates} RETURNING {quote(meta.pk.column)}, {keys}) "
            f"SELECT s.{quote(meta.pk.column)}, {', '.join(f's.{name}' for name in key)}, e.{key[0]} IS NULL "
            f"FROM saved s LEFT JOIN existing e ON {matches}")


_sql: dict[str, str] = {}
_joined: dict[tuple[bool, str], str] = {}


def _upsert(rows: list[_Row]) -> dict[Key, tuple[int, bool]]:
    """Insert or update the rows (unique per person, date and slot) in one statement; their ids
    and whether each was new. Not ``update_or_create``: that is two or three round trips per row
    and races between its read and its write."""
    if connection.vendor != "postgresql":
        return _upsert_portable(rows)
    if len(rows) == 1:
        row = rows[0]
        sql = _sql.get("one") or _sql.setdefault("one", _postgres_upsert_sql(single=True))
        params: list[Any] = [row.person_id, row.enterprise_id, row.date, row.slot, row.temperature, row.cough, row.symptoms, row.source,
                             row.recorded_at, row.recorded_by_id]
    else:
        sql = _sql.get("many") or _sql.setdefault("many", _postgres_upsert_sql(single=False))
        params = [list(column) for column in zip(*(
            (r.person_id, r.enterprise_id, r.date, r.slot, r.temperature, r.cough, r.symptoms, r.source, r.recorded_at, r.recorded_by_id)
            for r in rows
        ), strict=True)]
    return {(person_id, day, slot): (pk, created) for pk, person_id, day, slot, created in _fetch(sql, params)}


def _upsert_portable(rows: list[_Row]) -> dict[Key, tuple[int, bool]]:
    """The same on other databases (SQLite for the demo and the tests): Django's ``bulk_create``
    with ``update_conflicts`` (INSERT … ON CONFLICT DO UPDATE), and the keys that were there
    before read first. SQLite takes its write lock at BEGIN (``transaction_mode=IMMEDIATE``), so
    nothing slips in between."""
    from django.db.models import Q

    where = Q(pk__in=[])
    for day in {r.date for r in rows}:
        where |= Q(date=day, person_id__in=[r.person_id for r in rows if r.date == day])
    before = set(CheckIn.objects.filter(where).values_list("person_id", "date", "slot"))
    CheckIn.objects.bulk_create(
        [CheckIn(person_id=r.person_id, enterprise_id=r.enterprise_id, date=r.date, slot=r.slot, temperature=r.temperature, cough=r.cough,
                 symptoms=r.symptoms, source=r.source, recorded_at=r.recorded_at, recorded_by_id=r.recorded_by_id) for r in rows],
        update_conflicts=True, unique_fields=["person", "date", "slot"], update_fields=list(_UPDATED),
    )
    wanted = {r.key for r in rows}
    return {(person_id, day, slot): (pk, (person_id, day, slot) not in before)
            for pk, person_id, day, slot in CheckIn.objects.filter(where).values_list("pk", "person_id", "date", "slot")
            if (person_id, day, slot) in wanted}
