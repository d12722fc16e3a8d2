"""Writes of quarantine: sites with their rooms and beds, placing a person, the twice-daily
checks, release (解除隔离).

Placing someone revokes their passes (SPEC.md: a pass is revoked on quarantine); a placement
made from a fever alert closes that alert as "isolated". The checks are measurements, like the
daily check-ins, and are not audited one by one; what follows from one (a fever alert) is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fugong.audit.services import record
from fugong.enterprises.models import Enterprise
from fugong.health.choices import AlertKind, AlertOutcome, AlertStatus
from fugong.health.models import Alert
from fugong.health.services import alert_close, alert_raise, clean_temperature, local_day_and_hour, revoke_passes_of, slot_of
from fugong.quarantine.choices import REASON_DAYS_PARAMETER, SITE_KINDS, PlacementReason, PlacementStatus, QuarantineKind
from fugong.quarantine.models import Bed, Placement, QuarantineCheck, Room, Site
from fugong.regions.models import Region
from fugong.workforce.choices import RevocationReason
from fugong.workforce.models import Person

PLACEMENT_LABEL = "隔离安排"  # what the audit log shows instead of the person's name
SITE_LABEL = "隔离点"
ALREADY_PLACED = "该人员已在隔离中，不能重复安排；如需转移，请先解除原隔离安排。"
BED_TAKEN = "该床位已有人入住，请选择其他床位。"


# -- pure rules ------------------------------------------------------------------------------------


def isolation_days(reason: str, policy: Any) -> int:
    """How many days an isolation for ``reason`` lasts under ``policy``."""
    return int(policy[REASON_DAYS_PARAMETER[reason]])


def planned_end_for(*, reason: str, start: date, policy: Any) -> date:
    """The planned release date: the start plus the policy's days for the reason (14 by default:
    ``central_quarantine_days`` for key areas, contacts and fever, ``outside_city_isolation_days``
    for those back from outside the city)."""
    return start + timedelta(days=isolation_days(reason, policy))


def check_slot(hour: int, policy: Any) -> int:
    """The check slot an hour falls in, with the policy's ``quarantine_check_per_day`` (the same
    division of the day as the check-ins: morning until ``morning_slot_ends_hour``)."""
    return slot_of(hour, SimpleNamespace(checkins_per_day=policy.quarantine_check_per_day, morning_slot_ends_hour=policy.morning_slot_ends_hour))


def slot_label(slot: int, per_day: int) -> str:
    if per_day == 2:
        return "上午" if slot == 1 else "下午"
    return f"第{slot}次"


# -- sites -----------------------------------------------------------------------------------------


def site_create(*, kind: str, name: str, region: Region, rooms: int | Sequence[tuple[str, int]], acting_user: Any,
                enterprise: Enterprise | None = None, address: str = "", reserve: bool = False, note: str = "",
                request: Any = None) -> Site:
    """Open a site with its rooms and beds. ``rooms`` is a count of single rooms numbered 101,
    102 … or a list of (room number, beds). For an observation area the region is the
    enterprise's. For the admin, a command officer over the place, or the enterprise's admin
    (its observation area); audited."""
    if kind not in SITE_KINDS:
        raise ValidationError({"kind": "隔离点类型应为企业观察区或集中隔离点（居家隔离不设隔离点）。"})
    if kind == QuarantineKind.ENTERPRISE and enterprise is None:
        raise ValidationError({"enterprise": "企业观察区须指定所属企业。"})
    if kind == QuarantineKind.CENTRAL:
        enterprise = None
    if enterprise is not None:
        region = enterprise.region
    if not name.strip():
        raise ValidationError({"name": "请填写隔离点名称。"})
    layout = [(str(101 + index), 1) for index in range(rooms)] if isinstance(rooms, int) else [(str(n), int(b)) for n, b in rooms]
    if not layout or any(beds < 1 for _, beds in layout):
        raise ValidationError({"rooms": "至少一个房间，每个房间至少一张床位。"})
    site = Site(kind=kind, name=name.strip(), region=region, enterprise=enterprise, address=address.strip(), reserve=reserve, note=note,
                created_by=acting_user if getattr(acting_user, "pk", None) else None)
    if not acting_user.has_perm("quarantine.manage_site", site):
        raise PermissionDenied("您无权在该辖区设立隔离点。")
    with transaction.atomic():
        site.save(force_insert=True)
        created = Room.objects.bulk_create([Room(site=site, number=number, order=order) for order, (number, _) in enumerate(layout)])
        Bed.objects.bulk_create([Bed(room=room, label=str(label)) for room, (_, beds) in zip(created, layout, strict=True)
                                 for label in range(1, beds + 1)])
        record(action="quarantine.site_create", actor=acting_user, obj=site, object_label=SITE_LABEL, request=request,
               data={"kind": kind, "region": region.code, "enterprise": enterprise.pk if enterprise else None, "rooms": len(layout),
                     "beds": sum(beds for _, beds in layout), "reserve": reserve})
    return site


def free_beds(site: Site) -> Any:
    """The site's beds nobody occupies now, in room order."""
    taken = Placement.objects.filter(site=site, status=PlacementStatus.ACTIVE, bed__isnull=False).values("bed_id")
    return Bed.objects.filter(room__site=site).exclude(pk__in=taken).select_related("room").order_by("room__order", "room__number", "label")


# -- placing a person ------------------------------------------------------------------------------


def _choose_bed(site: Site, room: Room | None, bed: Bed | None) -> Bed:
    if bed is not None:
        if bed.room.site_id != site.pk or (room is not None and bed.room_id != room.pk):
            raise ValidationError({"bed": "所选床位不属于该隔离点。"})
        return bed
    beds = free_beds(site)
    if room is not None:
        if room.site_id != site.pk:
            raise ValidationError({"room": "所选房间不属于该隔离点。"})
        chosen = beds.filter(room=room).first()
        if chosen is None:
            raise ValidationError({"room": f"{room.number} 室已住满，请选择其他房间或留空自动分配。"})
        return chosen
    chosen = beds.first()
    if chosen is None:
        hint = "（可启用备用隔离酒店）" if site.kind == QuarantineKind.CENTRAL else ""
        raise ValidationError({"site": f"{site.name}已住满，请选择其他隔离点{hint}。"})
    return chosen


def _check_alert(alert: Alert, person: Person) -> None:
    if alert.person_id != person.pk or alert.kind not in (AlertKind.FEVER, AlertKind.SYMPTOM):
        raise ValidationError({"alert": "该预警不是这名人员的发热或症状预警。"})
    if alert.status != AlertStatus.OPEN:
        raise ValidationError({"alert": "该预警已处置，不能再据此安排隔离。"})


def placement_create(*, person: Person, kind: str, reason: str, acting_user: Any, start: date | None = None, site: Site | None = None,
                     room: Room | None = None, bed: Bed | None = None, alert: Alert | None = None, note: str = "",
                     request: Any = None) -> Placement:
    """Place ``person`` in isolation: at home, in their enterprise's observation area, or at a
    centralised site (a free bed is chosen when none is given).

    The planned end comes from policy by reason (:func:`planned_end_for`). Refused with a Chinese
    ValidationError when the person is already in isolation, the bed is taken, the site is full,
    not one the user sees, or another enterprise's observation area. Revokes the person's open
    passes. From an open fever or symptom ``alert``, closes it as "isolated". Audited with ids
    only.
    """
    from fugong.policy.services import current

    if not acting_user.has_perm("quarantine.place_person", person):
        raise PermissionDenied("您无权为该人员安排隔离。")
    errors: dict[str, str] = {}
    if kind not in QuarantineKind.values:
        errors["kind"] = "请选择隔离方式。"
    if reason not in PlacementReason.values:
        errors["reason"] = "请选择隔离原因。"
    today = timezone.localdate()
    start = start or today
    if start > today:
        errors["start"] = "开始日期不能晚于今天。"
    if errors:
        raise ValidationError(errors)
    if kind == QuarantineKind.HOME:
        site = room = bed = None
    else:
        if site is None:
            raise ValidationError({"site": "请选择隔离点。"})
        if not Site.objects.for_user(acting_user).filter(pk=site.pk).exists():
            raise ValidationError({"site": "请选择您辖区内的隔离点。"})
        if site.kind != kind:
            raise ValidationError({"site": f"{site.name}是{site.get_kind_display()}，与所选隔离方式不符。"})
        if kind == QuarantineKind.ENTERPRISE and site.enterprise_id != person.enterprise_id:
            raise ValidationError({"site": "企业观察区只能安排本企业员工。"})
    if alert is not None:
        _check_alert(alert, person)
    policy = current(person.enterprise.region)
    planned_end = planned_end_for(reason=reason, start=start, policy=policy)
    with transaction.atomic():
        # Lock the person (and the bed below) so that two officers placing the same person, or two
        # people into the same bed, serialise; the partial unique constraints are the last guard.
        Person.objects.select_for_update().only("pk").get(pk=person.pk)
        if Placement.objects.filter(person=person, status=PlacementStatus.ACTIVE).exists():
            raise ValidationError({"person": ALREADY_PLACED}, code="already_placed")
        if site is not None:
            bed = _choose_bed(site, room, bed)
            bed = Bed.objects.select_for_update().select_related("room").get(pk=bed.pk)
            if Placement.objects.filter(bed=bed, status=PlacementStatus.ACTIVE).exists():
                raise ValidationError({"bed": BED_TAKEN}, code="bed_taken")
            room = bed.room
        placement = Placement(person=person, enterprise_id=person.enterprise_id, kind=kind, reason=reason, site=site, room=room, bed=bed,
                              start=start, planned_end=planned_end, alert=alert, note=note.strip(),
                              created_by=acting_user if getattr(acting_user, "pk", None) else None)
        try:
            with transaction.atomic():
                placement.save(force_insert=True)
        except IntegrityError:
            taken = bed is not None and Placement.objects.filter(bed=bed, status=PlacementStatus.ACTIVE).exists()
            raise ValidationError({"bed": BED_TAKEN} if taken else {"person": ALREADY_PLACED}) from None
        record(action="quarantine.place", actor=acting_user, obj=placement, object_label=PLACEMENT_LABEL, request=request,
               data={"enterprise": person.enterprise_id, "person": str(person.pk), "kind": kind, "reason": reason,
                     "site": site.pk if site else None, "bed": bed.pk if bed else None, "start": start.isoformat(),
                     "planned_end": planned_end.isoformat(), "alert": alert.pk if alert else None,
                     "days_parameter": REASON_DAYS_PARAMETER[reason]})
        revoke_passes_of(person=person, reason=RevocationReason.QUARANTINE, acting_user=acting_user, request=request)
        if alert is not None:
            alert_close(alert=alert, outcome=AlertOutcome.ISOLATED, acting_user=acting_user, request=request,
                        note=f"已安排{placement.get_kind_display()}（{placement.where}），计划 {planned_end:%Y-%m-%d} 解除。")
    return placement


# -- the twice-daily checks ------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    check: QuarantineCheck
    created: bool
    alert: Alert | None


def check_record(*, placement: Placement, temperature: Any, acting_user: Any, cough: bool = False, symptoms: str = "",
                 day: date | None = None, slot: int | None = None, at: datetime | None = None, request: Any = None) -> CheckResult:
    """Record one check of a person in isolation (a second one in the same slot corrects the
    first). A temperature at or above the policy's ``fever_threshold_celsius`` raises a fever
    alert; a cough or another symptom a symptom alert (once per check, not again on a correction).
    For the officers over the placement and the person's enterprise (``quarantine.record_check``).
    """
    from fugong.policy.services import current

    # The state first: the platform admin passes every permission check (a superuser), not this one.
    if placement.status != PlacementStatus.ACTIVE:
        raise ValidationError({"placement": "该人员已解除隔离，不能再登记检测。"})
    if not acting_user.has_perm("quarantine.record_check", placement):
        raise PermissionDenied("您无权为该人员登记隔离检测。")
    at = at or timezone.now()
    today, hour = local_day_and_hour(at)
    day = day or today
    temperature = clean_temperature(temperature)
    policy = current(placement.enterprise.region, at)
    per_day = int(policy.quarantine_check_per_day)
    errors: dict[str, str] = {}
    if day > today:
        errors["date"] = "检测日期不能晚于今天。"
    elif day < placement.start:
        errors["date"] = f"检测日期不能早于隔离开始日期（{placement.start:%Y-%m-%d}）。"
    slot = slot or (check_slot(hour, policy) if day == today else per_day)
    if not 1 <= slot <= per_day:
        errors["slot"] = f"时段应为 1–{per_day}。"
    if errors:
        raise ValidationError(errors)
    symptoms = symptoms.strip()[:200]
    recorder = acting_user if getattr(acting_user, "pk", None) else None
    values = {"temperature": temperature, "cough": cough, "symptoms": symptoms, "recorded_at": at, "recorded_by": recorder}
    with transaction.atomic():
        check = QuarantineCheck.objects.select_for_update().filter(placement=placement, date=day, slot=slot).first()
        created = check is None
        if check is None:
            check = QuarantineCheck.objects.create(placement=placement, date=day, slot=slot, **values)
        else:
            for key, value in values.items():
                setattr(check, key, value)
            check.save(update_fields=list(values))
        alert = None
        fever = temperature >= Decimal(str(policy.fever_threshold_celsius))
        if (fever or cough or symptoms) and check.alert_id is None:
            person = placement.person
            if fever:
                alert = alert_raise(kind=AlertKind.FEVER, enterprise=placement.enterprise, person=person, temperature=temperature, at=at,
                                    detail=f"隔离观察中体温 {temperature}℃（≥{policy.fever_threshold_celsius}℃）", acting_user=acting_user,
                                    request=request)
            else:
                said = "、".join(part for part in ("咳嗽" if cough else "", symptoms) if part)
                alert = alert_raise(kind=AlertKind.SYMPTOM, enterprise=placement.enterprise, person=person, temperature=temperature, at=at,
                                    detail=f"隔离观察中出现症状：{said}"[:255], acting_user=acting_user, request=request)
            check.alert = alert
            check.save(update_fields=["alert"])
    return CheckResult(check, created, alert)


# -- release ---------------------------------------------------------------------------------------


def placement_release(*, placement: Placement, acting_user: Any, note: str = "", on: date | None = None, request: Any = None) -> Placement:
    """Release a person from isolation (解除隔离) on ``on`` (today by default). Before the planned
    end only with a reason in ``note``. For the officers over the placement (``quarantine.release``);
    releasing a released placement changes nothing. Passes are not given back: the grid officer
    issues a new one. Audited without personal values."""
    if placement.status != PlacementStatus.ACTIVE:
        return placement
    if not acting_user.has_perm("quarantine.release", placement):
        raise PermissionDenied("您无权解除该人员的隔离。")
    today = timezone.localdate()
    on = on or today
    note = note.strip()
    if on > today:
        raise ValidationError({"on": "解除日期不能晚于今天。"})
    if on < placement.start:
        raise ValidationError({"on": f"解除日期不能早于隔离开始日期（{placement.start:%Y-%m-%d}）。"})
    early = on < placement.planned_end
    if early and not note:
        raise ValidationError({"note": f"未到计划解除日期（{placement.planned_end:%Y-%m-%d}），提前解除须写明原因（如核酸检测阴性、转送医院）。"})
    with transaction.atomic():
        locked = Placement.objects.select_for_update().get(pk=placement.pk)
        if locked.status != PlacementStatus.ACTIVE:
            return locked
        locked.status = PlacementStatus.RELEASED
        locked.released_on = on
        locked.release_note = note
        locked.released_at = timezone.now()
        locked.released_by = acting_user if getattr(acting_user, "pk", None) else None
        locked.save(update_fields=["status", "released_on", "release_note", "released_at", "released_by", "updated_at"])
        record(action="quarantine.release", actor=acting_user, obj=locked, object_label=PLACEMENT_LABEL, request=request,
               data={"enterprise": locked.enterprise_id, "person": str(locked.person_id), "kind": locked.kind, "released_on": on.isoformat(),
                     "planned_end": locked.planned_end.isoformat(), "early": early, "site": locked.site_id})
    return locked
