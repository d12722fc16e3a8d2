"""Reads of quarantine for the pages, the API and the daily report: occupancy, counts by kind,
who is due for release today, released in total. Each starts from a scoped queryset."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from fugong.quarantine.choices import PlacementStatus, QuarantineKind
from fugong.quarantine.models import Bed, Placement, Room, Site


def _count(queryset: QuerySet[Any], group: str) -> Any:
    """A correlated COUNT subquery (no join multiplying the site's rows)."""
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_occupancy(sites: QuerySet[Site]) -> QuerySet[Site]:
    """Sites annotated with ``room_count``, ``bed_count`` and ``used_beds`` (open placements)."""
    return sites.annotate(
        room_count=_count(Room.objects.filter(site=OuterRef("pk")), "site"),
        bed_count=_count(Bed.objects.filter(room__site=OuterRef("pk")), "room__site"),
        used_beds=_count(Placement.objects.filter(site=OuterRef("pk"), status=PlacementStatus.ACTIVE), "site"),
    )


def occupancy_percent(used: int, total: int) -> int:
    return round(100 * used / total) if total else 0


@dataclass(frozen=True)
class Occupancy:
    """Beds used of beds in service, by kind of site (reserve hotels apart)."""

    used: int
    total: int
    reserve_rooms: int = 0

    @property
    def percent(self) -> int:
        return occupancy_percent(self.used, self.total)

    @property
    def free(self) -> int:
        return max(self.total - self.used, 0)


def occupancy_by_kind(sites: QuerySet[Site]) -> dict[str, Occupancy]:
    """For each kind of site: beds used / beds in service (reserve hotels count only once used),
    and the rooms held in reserve."""
    result: dict[str, Occupancy] = {}
    for kind in (QuarantineKind.ENTERPRISE, QuarantineKind.CENTRAL):
        rows = list(with_occupancy(sites.filter(kind=kind)).values("reserve", "room_count", "bed_count", "used_beds"))  # type: ignore[misc]
        in_service = [r for r in rows if not r["reserve"] or r["used_beds"]]
        result[kind] = Occupancy(used=sum(r["used_beds"] for r in rows), total=sum(r["bed_count"] for r in in_service),
                                 reserve_rooms=sum(r["room_count"] for r in rows if r["reserve"] and not r["used_beds"]))
    return result


@dataclass(frozen=True)
class QuarantineSummary:
    """The summary card: in isolation by kind, due for release today, overdue, released in total."""

    by_kind: dict[str, int] = field(default_factory=dict)
    due_today: int = 0
    overdue: int = 0
    released_total: int = 0

    @property
    def in_isolation(self) -> int:
        return sum(self.by_kind.values())

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        return [(kind.value, kind.label, self.by_kind.get(kind.value, 0)) for kind in QuarantineKind]


def summary(placements: QuerySet[Placement], today: date) -> QuarantineSummary:
    """Counts over ``placements`` (already scoped) in one query."""
    active = Q(status=PlacementStatus.ACTIVE)
    counts = placements.order_by().aggregate(
        **{kind.value: Count("pk", filter=active & Q(kind=kind.value)) for kind in QuarantineKind},
        due_today=Count("pk", filter=active & Q(planned_end=today)),
        overdue=Count("pk", filter=active & Q(planned_end__lt=today)),
        released_total=Count("pk", filter=Q(status=PlacementStatus.RELEASED)),
    )
    return QuarantineSummary(by_kind={kind.value: counts[kind.value] for kind in QuarantineKind}, due_today=counts["due_today"],
                             overdue=counts["overdue"], released_total=counts["released_total"])


def due_for_release(placements: QuerySet[Placement], today: date) -> QuerySet[Placement]:
    """Open placements whose planned end is today: who is due for release today."""
    return placements.filter(status=PlacementStatus.ACTIVE, planned_end=today).select_related("person", "enterprise", "site", "room")


def in_isolation_on(placements: QuerySet[Placement], day: date) -> QuerySet[Placement]:
    """Placements that held their person on ``day``: started by then, not yet released (a release
    day no longer counts). Works for past days too, which the daily report needs."""
    return placements.filter(start__lte=day).filter(Q(released_on__isnull=True) | Q(released_on__gt=day))

