"""Writes of health monitoring: check-ins and alerts.

Check-ins are the volume (every worker, twice a day) and are not audited one by one: they are
measurements, not decisions. What follows from one — a fever alert, a revoked pass — is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

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
    """A body temperature as typed; ValidationError in Chinese when it is not one."""
    try:
        temperature = Decimal(str(value).strip()).quantize(Decimal("0.1"))
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


@dataclass(frozen=True)
class CheckInResult:
    checkin: CheckIn
    created: bool
    alert: Alert | None


def checkin_record(*, person: Person, temperature: Any, cough: bool = False, symptoms: str = "", source: str = CheckInSource.SELF,
                   at: datetime | None = None, slot: int | None = None, policy: Any = None, acting_user: Any = None,
                   request: Any = None) -> CheckInResult:
    """Record one check-in of ``person`` (a second one in the same slot of the same day updates
    the first). A temperature at or above the policy's ``fever_threshold_celsius`` raises a fever
    alert and revokes the person's passes; a cough or another symptom raises a symptom alert.

    The caller has already decided that ``acting_user`` may record for this person (the page or
    API looked the person up through ``for_user``). ``policy`` may be passed by callers that record
    many check-ins of one place (the batch API) to avoid reading it each time.
    """
    from fugong.policy.services import current

    at = at or timezone.now()
    day, hour = local_day_and_hour(at)
    temperature = clean_temperature(temperature)
    policy = policy or current(person.enterprise.region, at)
    slot = slot or slot_of(hour, policy)
    if not 1 <= slot <= int(policy.checkins_per_day):
        raise ValidationError({"slot": f"时段应为 1–{policy.checkins_per_day}。"})
    recorder = acting_user if getattr(acting_user, "pk", None) else None
    with transaction.atomic():
        checkin, created = _upsert(person=person, day=day, slot=slot, temperature=temperature, cough=cough, symptoms=symptoms.strip()[:200],
                                   source=source, at=at, recorder=recorder)
        alert = None
        fever = temperature >= Decimal(str(policy.fever_threshold_celsius))
        if fever:
            alert = alert_raise(kind=AlertKind.FEVER, enterprise=person.enterprise, person=person, checkin=checkin, temperature=temperature,
                                detail=f"体温 {temperature}℃（≥{policy.fever_threshold_celsius}℃）", at=at, acting_user=acting_user,
                                request=request)
        elif cough or symptoms.strip():
            said = "、".join(part for part in ("咳嗽" if cough else "", symptoms.strip()) if part)
            alert = alert_raise(kind=AlertKind.SYMPTOM, enterprise=person.enterprise, person=person, checkin=checkin,
                                temperature=temperature, detail=f"症状：{said}"[:255], at=at, acting_user=acting_user, request=request)
    return CheckInResult(checkin, created, alert)


def _upsert(*, person: Person, day: date, slot: int, temperature: Decimal, cough: bool, symptoms: str, source: str, at: datetime,
            recorder: Any) -> tuple[CheckIn, bool]:
    """Insert or update the (person, day, slot) row without ``update_or_create``'s extra round trips
    and races: update first, insert when nothing was there, and on a concurrent insert update again."""
    from django.db import IntegrityError

    values = {"temperature": temperature, "cough": cough, "symptoms": symptoms, "source": source, "recorded_at": at, "recorded_by": recorder}
    existing = CheckIn.objects.filter(person=person, date=day, slot=slot)
    if existing.update(**values):
        return existing.get(), False
    try:
        with transaction.atomic():
            return CheckIn.objects.create(person=person, enterprise_id=person.enterprise_id, date=day, slot=slot, **values), True
    except IntegrityError:
        existing.update(**values)
        return existing.get(), False
