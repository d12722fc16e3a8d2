"""Reads of the check-ins: who is expected to check in, who has not yet, today's figures, one
person's slots and history. Every query starts from the caller's scoped querysets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from fugong.health.choices import AlertKind, AlertStatus
from fugong.health.filters import slot_label
from fugong.health.models import Alert, CheckIn
from fugong.health.services import cached_policy, current_slot
from fugong.workforce.choices import ClassificationCategory
from fugong.workforce.models import Person

# Not at work, so not expected at the twice-daily check: kept away by the classification, or in
# isolation (whose checks are the quarantine's own).
NOT_ON_SITE = (ClassificationCategory.MUST_NOT_RETURN, ClassificationCategory.CENTRAL_QUARANTINE, ClassificationCategory.REFUSED_FEVER,
               ClassificationCategory.ISOLATE_BEFORE_PASS)


def expected_to_check_in(persons: QuerySet[Person], day: date) -> QuerySet[Person]:
    """The staff on site on ``day``: back (return date on or before it, or none given) and not
    kept away by their classification."""
    return persons.filter(Q(return_date__isnull=True) | Q(return_date__lte=day)).exclude(category__in=NOT_ON_SITE)


def checked_in_q(day: date, slot: int) -> Q:
    return Q(Exists(CheckIn.objects.filter(person=OuterRef("pk"), date=day, slot=slot)))


def focus_policy(user: Any, enterprise: Any = None) -> Any:
    """The policy the "now" of a list is told by: the chosen enterprise's, else the one enterprise
    the user administers, else the base policy (counties rarely move the morning's end)."""
    from fugong.accounts.scope import scope_of

    if enterprise is None:
        scope = scope_of(user)
        if len(scope.enterprise_ids) == 1 and not scope.is_official:
            from fugong.enterprises.models import Enterprise

            enterprise = Enterprise.objects.filter(pk__in=scope.enterprise_ids).only("region_id").first()
    return cached_policy(enterprise.region_id if enterprise is not None else None)


@dataclass(frozen=True)
class TodayCounts:
    """Today's figures of the current slot, in the caller's scope."""

    day: date
    slot: int
    slot_name: str
    expected: int
    checked: int
    fever: int
    open_alerts: int

    @property
    def missing(self) -> int:
        return self.expected - self.checked


def today_counts(user: Any, *, enterprise: Any = None, policy: Any = None) -> TodayCounts:
    policy = policy or focus_policy(user, enterprise)
    day, slot = current_slot(policy)
    persons = expected_to_check_in(Person.objects.for_user(user), day)
    alerts = Alert.objects.for_user(user)
    if enterprise is not None:
        persons, alerts = persons.filter(enterprise=enterprise), alerts.filter(enterprise=enterprise)
    return TodayCounts(
        day=day, slot=slot, slot_name=slot_label(slot, int(policy.checkins_per_day)), expected=persons.count(),
        checked=persons.filter(checked_in_q(day, slot)).count(), fever=alerts.filter(kind=AlertKind.FEVER, date=day).count(),
        open_alerts=alerts.filter(status=AlertStatus.OPEN).count(),
    )


@dataclass(frozen=True)
class SlotState:
    slot: int
    name: str
    checkin: CheckIn | None
    fever: bool
    is_current: bool


@dataclass(frozen=True)
class PersonDay:
    """A person's check-in page: today's slots, the one to fill now, the history."""

    day: date
    slot: int
    slots: list[SlotState]
    history: list[tuple[date, list[SlotState]]]
    current: SlotState


def person_day(person: Person, policy: Any) -> PersonDay:
    """Today's slots (done or not, with the temperature) and the policy's monitoring days of
    history, in two queries."""
    day, slot = current_slot(policy)
    per_day = int(policy.checkins_per_day)
    days = int(policy.other_district_monitoring_days)
    since = day - timedelta(days=days - 1)
    threshold = policy.fever_threshold_celsius
    rows = {(c.date, c.slot): c for c in CheckIn.objects.filter(person=person, date__gte=since, date__lte=day)}

    def states(on: date) -> list[SlotState]:
        result = []
        for number in range(1, per_day + 1):
            checkin = rows.get((on, number))
            result.append(SlotState(number, slot_label(number, per_day), checkin, checkin is not None and checkin.temperature >= threshold,
                                    on == day and number == slot))
        return result

    today = states(day)
    history = [(on, states(on)) for on in (day - timedelta(days=n) for n in range(1, days))]
    return PersonDay(day=day, slot=slot, slots=today, history=[h for h in history if any(s.checkin for s in h[1])], current=today[slot - 1])


def recent_days(policy: Any, today: date | None = None) -> list[date]:
    """The days a check-in may still be filed for, today first."""
    today = today or timezone.localdate()
    return [today - timedelta(days=n) for n in range(int(policy.checkin_backdate_days) + 1)]
