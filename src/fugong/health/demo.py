"""Demo check-ins and alerts, dated relative to the real today: the last days of twice-daily
check-ins of the demo's staff on site, today's current slot partly done (so "who has not checked
in" and today's figures are live), a few fevers and symptoms with their alerts, some still open
(ent_admin's enterprise has one), some closed with an outcome. Deterministic (fixed seed, people
in a fixed order); skipped once check-ins other than the gate's exist."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from fugong.health.choices import AlertKind, AlertOutcome, CheckInSource
from fugong.health.models import CheckIn
from fugong.policy.parameters import SHANGHAI

SEED = 20200211
HISTORY_DAYS = 3  # today and the two days before
SLOT_HOURS = {1: (7, 9), 2: (13, 15)}  # when people take their temperature, by slot (from, to)
SYMPTOMS = ["咽痛", "乏力", "流涕", "腹泻", "头痛"]
CLOSING_NOTES: dict[str, str] = {
    AlertOutcome.CLINIC: "已由企业防疫专员陪同送市人民医院发热门诊，等待检测结果。",
    AlertOutcome.ISOLATED: "已安排至企业隔离观察室单人单间观察，每日两次测温。",
    AlertOutcome.CLEARED: "复测体温正常，经社区医生问诊排除异常，恢复上岗。",
}


def _moment(day: date, slot: int, rng: random.Random) -> datetime:
    start, end = SLOT_HOURS.get(slot, (16, 18))
    return datetime.combine(day, time(rng.randrange(start, end), rng.randrange(60)), tzinfo=SHANGHAI)


def _normal(rng: random.Random) -> Decimal:
    return Decimal(str(round(min(37.1, max(35.9, rng.gauss(36.5, 0.25))), 1)))


def seed_checkins(scale: float = 1.0) -> dict[str, int]:
    """Seed the demo's check-ins and alerts; returns counts. ``scale`` sets how many fevers and
    symptoms (the people come from the workforce demo, already scaled)."""
    from fugong.accounts.models import User
    from fugong.health.selectors import expected_to_check_in
    from fugong.health.services import alert_close, cached_policy, current_slot
    from fugong.workforce.models import Person

    if CheckIn.objects.exclude(source=CheckInSource.GATE).exists():
        return {}
    rng = random.Random(SEED)
    policy = cached_policy(None)
    today, now_slot = current_slot(policy)
    now = timezone.now()
    per_day = int(policy.checkins_per_day)
    persons = list(expected_to_check_in(Person.objects.all(), today).select_related("enterprise")
                   .order_by("enterprise_id", "name", "birth_date", "phone"))
    if not persons:
        return {}
    employee = User.objects.filter(username="employee").first()
    rows: list[CheckIn] = []
    for person in persons:
        for back in range(HISTORY_DAYS - 1, -1, -1):
            day = today - timedelta(days=back)
            if person.return_date and person.return_date > day:
                continue
            for slot in range(1, per_day + 1):
                if day == today and slot > now_slot:
                    break
                at = _moment(day, slot, rng)
                if day == today:
                    # Today's current slot is under way: most have checked in, not everyone; the
                    # demo employee has not yet (their page shows the form).
                    share = 0.8 if slot == now_slot else 0.95
                    if rng.random() > share or (employee is not None and person.user_id == employee.pk and slot == now_slot):
                        continue
                    at = min(at, now - timedelta(minutes=rng.randrange(1, 30)))
                elif rng.random() > 0.97:
                    continue  # a few forgot
                source = rng.choices([CheckInSource.SELF, CheckInSource.ENTERPRISE, CheckInSource.API], weights=[6, 3, 1])[0]
                rows.append(CheckIn(person=person, enterprise_id=person.enterprise_id, date=day, slot=slot, temperature=_normal(rng),
                                    source=source, recorded_at=at))
    with transaction.atomic():
        CheckIn.objects.bulk_create(rows, batch_size=2000)
        alerts = _abnormal(rows, persons, rng, scale=scale, today=today, own_enterprise=_own_enterprise(), policy=policy)
        closed = 0
        admin = User.objects.get(username="admin")
        for alert, outcome in alerts:
            if outcome:
                alert_close(alert=alert, outcome=outcome, note=CLOSING_NOTES[outcome], acting_user=admin)
                closed += 1
    return {"checkins": len(rows), "alerts": len(alerts), "closed": closed}


def _own_enterprise() -> Any:
    from fugong.accounts.models import Membership

    membership = Membership.objects.filter(user__username="ent_admin").select_related("enterprise").first()
    return membership.enterprise if membership else None


def _abnormal(rows: list[CheckIn], persons: list[Any], rng: random.Random, *, scale: float, today: date, own_enterprise: Any,
              policy: Any) -> list[tuple[Any, str]]:
    """Turn a few check-ins into fevers and symptoms, raise their alerts through the service (a
    fever revokes the passes), and say which to close with what outcome: today's stay open."""
    from fugong.health.services import _abnormal as judged
    from fugong.health.services import alert_raise

    by_person = {person.pk: person for person in persons}
    candidates = [row for row in rows if by_person[row.person_id].user_id is None]  # not the demo employee
    fevers = max(3, round(8 * scale))
    symptoms = max(2, round(5 * scale))
    picked = rng.sample(candidates, min(len(candidates), fevers + symptoms))
    own_today = [row for row in candidates if own_enterprise is not None and row.enterprise_id == own_enterprise.pk and row.date == today]
    if own_today and own_today[0] not in picked:
        picked[0] = own_today[0]  # ent_admin's enterprise has a fever of today to deal with
    saved = {(c.person_id, c.date, c.slot): c
             for c in CheckIn.objects.filter(person_id__in={row.person_id for row in picked}, date__gte=today - timedelta(days=HISTORY_DAYS))}
    threshold = float(policy.fever_threshold_celsius)
    outcomes = [AlertOutcome.CLINIC, AlertOutcome.CLEARED, AlertOutcome.ISOLATED, AlertOutcome.CLEARED]
    result: list[tuple[Any, str]] = []
    for number, row in enumerate(picked):
        checkin = saved[(row.person_id, row.date, row.slot)]
        person = by_person[row.person_id]
        if number < fevers:
            checkin.temperature = Decimal(str(round(rng.uniform(threshold + 0.1, 38.6), 1)))
        else:
            checkin.cough = rng.random() < 0.6
            checkin.symptoms = "" if checkin.cough and rng.random() < 0.5 else rng.choice(SYMPTOMS)
        checkin.save(update_fields=["temperature", "cough", "symptoms"])
        kind, detail = judged(checkin.temperature, checkin.cough, checkin.symptoms, policy) or (AlertKind.SYMPTOM, "症状：咳嗽")
        alert = alert_raise(kind=kind, enterprise=person.enterprise, person=person, checkin=checkin, temperature=checkin.temperature,
                            detail=detail, at=checkin.recorded_at)
        closes = row.date < today and number % 3 != 2
        result.append((alert, outcomes[number % len(outcomes)] if closes else ""))
    return result
