"""The daily rollups the dashboards read (:class:`~fugong.command.models.DailyRollup`, and its
sums by town :class:`~fugong.command.models.TownRollup`, written together).

``rollup_refresh(day, towns)`` recomputes one day of the given towns (all when None): one grouped
query per source, grouped by the enterprise's place, sector and size, then the day's rows of
those towns are replaced. Today's figures are those of the live lists they click through to
(an open fever alert is one whose status is open now); a past day's are worked out from the dates
kept on the rows (an alert raised by then and not closed by then), since the lists show only now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from fugong.command.choices import Flag
from fugong.command.flags import RESUMED_STATUSES
from fugong.command.models import DailyRollup, EnterpriseFlag, FlagChange, TownRollup
from fugong.command.services import end_of
from fugong.enterprises.choices import Status
from fugong.enterprises.models import Enterprise
from fugong.regions.models import Region

Key = tuple[int, int, str, str]  # (town id, region id, sector, size)
ORIGIN_METRIC = {
    "local_not_away": "returned_local",
    "same_city_other_district": "returned_same_city",
    "other_city_same_province": "returned_other_city",
    "other_province": "returned_other_province",
}
KIND_METRIC = {"home": "iso_home", "enterprise": "iso_enterprise", "central": "iso_central"}


class Cells:
    """The rows being built: (town, region, sector, size) → metric → value."""

    def __init__(self) -> None:
        self.values: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, queryset: QuerySet[Any], prefix: str, metric: str | dict[Any, str], by: str = "", **annotation: Any) -> None:
        """Group ``queryset`` by the enterprise's dimensions (through ``prefix``) and, with ``by``,
        one more field whose value picks the metric (``metric`` a mapping then)."""
        name, aggregate = next(iter(annotation.items())) if annotation else ("n", Count("pk"))
        dims = [f"{prefix}town_id", f"{prefix}region_id", f"{prefix}sector", f"{prefix}size"]
        fields = [*dims, by] if by else dims
        for row in queryset.order_by().values(*fields).annotate(**{name: aggregate}):
            key: Key = (row[dims[0]], row[dims[1]], row[dims[2]], row[dims[3]])
            target = metric.get(row[by]) if isinstance(metric, dict) else metric
            if target:
                self.values[key][target] += int(row[name] or 0)


def _towns_q(towns: list[int] | None, prefix: str) -> Q:
    return Q() if towns is None else Q(**{f"{prefix}town_id__in": towns})


def _installed(label: str) -> bool:
    return apps.is_installed(f"fugong.{label}")


def compute_cells(day: date, towns: list[int] | None = None, *, now: Any = None) -> Cells:
    """The figures of ``day`` for the enterprises of ``towns`` (all when None)."""
    now = now or timezone.now()
    live = day >= timezone.localdate(now)
    end = end_of(day)
    cells = Cells()
    ents = Enterprise.objects.filter(_towns_q(towns, ""))
    _resumption(cells, ents, live, end)
    _flags(cells, ents, towns, live, end)
    _people(cells, towns, day)
    _isolation(cells, towns, live, day)
    _alerts(cells, towns, live, day, end)
    _inspections(cells, towns, live, day, end)
    if _installed("assistance"):
        _assistance(cells, towns, live, end, now)
    if live and _installed("materials"):
        _materials(cells, ents, day)
    _reports(cells, ents, day)
    return cells


def _resumption(cells: Cells, ents: QuerySet[Enterprise], live: bool, end: Any) -> None:
    cells.add(ents, "", "enterprises")
    if live:
        cells.add(ents, "", {s: "resumed" for s in RESUMED_STATUSES} | {Status.SUSPENDED: "suspended"}, by="status")
        return
    from fugong.resumption.choices import Status as ApplicationStatus
    from fugong.resumption.models import Application, Suspension

    approved = Exists(Application.objects.filter(enterprise=OuterRef("pk"), decided_at__lt=end,
                                                 status__in=[ApplicationStatus.APPROVED, ApplicationStatus.SUSPENDED]))
    stopped = Exists(Suspension.objects.filter(application__enterprise=OuterRef("pk"), suspended_at__lt=end)
                     .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gte=end)))
    annotated = ents.annotate(was_approved=approved, was_stopped=stopped)
    cells.add(annotated.filter(was_approved=True, was_stopped=False), "", "resumed")
    cells.add(annotated.filter(was_stopped=True), "", "suspended")


def _flags(cells: Cells, ents: QuerySet[Enterprise], towns: list[int] | None, live: bool, end: Any) -> None:
    colours = {Flag.RED: "flag_red", Flag.YELLOW: "flag_yellow", Flag.GREEN: "flag_green"}
    if live:
        cells.add(EnterpriseFlag.objects.filter(_towns_q(towns, "enterprise__")), "enterprise__", colours, by="flag")
        return
    last = FlagChange.objects.filter(enterprise=OuterRef("pk"), changed_at__lt=end).order_by("-changed_at", "-pk").values("new_flag")[:1]
    cells.add(ents.annotate(flag_then=Subquery(last)), "", colours, by="flag_then")


def _people(cells: Cells, towns: list[int] | None, day: date) -> None:
    from fugong.health.models import CheckIn
    from fugong.resumption.choices import Status as ApplicationStatus
    from fugong.resumption.models import ReturnPlanEntry
    from fugong.workforce.models import Person

    returned = Person.objects.filter(_towns_q(towns, "enterprise__"), return_date__lte=day)
    cells.add(returned, "enterprise__", ORIGIN_METRIC, by="origin")
    cells.add(returned, "enterprise__", "returned_total")
    cells.add(ReturnPlanEntry.objects.filter(_towns_q(towns, "application__enterprise__"), application__status=ApplicationStatus.APPROVED),
              "application__enterprise__", "planned_workers", n=Sum("count"))
    cells.add(CheckIn.objects.filter(_towns_q(towns, "enterprise__"), date=day), "enterprise__", "checkins")


def _isolation(cells: Cells, towns: list[int] | None, live: bool, day: date) -> None:
    from fugong.quarantine.choices import PlacementStatus
    from fugong.quarantine.models import Placement
    from fugong.quarantine.selectors import in_isolation_on

    placements = Placement.objects.filter(_towns_q(towns, "enterprise__"))
    held = placements.filter(status=PlacementStatus.ACTIVE) if live else in_isolation_on(placements, day)
    cells.add(held, "enterprise__", KIND_METRIC, by="kind")
    cells.add(held.filter(planned_end=day), "enterprise__", "releases_due")


def _alerts(cells: Cells, towns: list[int] | None, live: bool, day: date, end: Any) -> None:
    from fugong.health.choices import AlertKind, AlertStatus
    from fugong.health.models import Alert

    fevers = Alert.objects.filter(_towns_q(towns, "enterprise__"), kind=AlertKind.FEVER)
    if live:
        cells.add(fevers, "enterprise__", {AlertStatus.OPEN: "fever_open", AlertStatus.CLOSED: "fever_closed"}, by="status")
    else:
        raised = fevers.filter(raised_at__lt=end)
        cells.add(raised.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end)), "enterprise__", "fever_open")
        cells.add(raised.filter(closed_at__lt=end), "enterprise__", "fever_closed")
    cells.add(fevers.filter(date=day), "enterprise__", "fever_raised")


def _inspections(cells: Cells, towns: list[int] | None, live: bool, day: date, end: Any) -> None:
    from fugong.inspections.choices import RectificationStatus, TemplateKind
    from fugong.inspections.models import Inspection, RectificationItem

    patrols = Inspection.objects.filter(_towns_q(towns, "enterprise__"), template__kind=TemplateKind.PATROL)
    # Today: every patrol visit on record (the inspection list's "日常巡查"); a past day: that day's visits.
    cells.add(patrols if live else patrols.filter(completed_at__gte=end - timedelta(days=1), completed_at__lt=end), "enterprise__", "patrols")
    items = RectificationItem.objects.filter(_towns_q(towns, "enterprise__"))
    if live:
        cells.add(items, "enterprise__", {RectificationStatus.OPEN: "rect_open", RectificationStatus.VERIFIED: "rect_verified"}, by="status")
        cells.add(items.overdue(day), "enterprise__", "rect_overdue")  # type: ignore[attr-defined]
        return
    found = items.filter(created_at__lt=end)
    unverified = found.filter(Q(verified_at__isnull=True) | Q(verified_at__gte=end))
    cells.add(unverified, "enterprise__", "rect_open")
    cells.add(unverified.filter(deadline__lt=day), "enterprise__", "rect_overdue")
    cells.add(found.filter(verified_at__lt=end), "enterprise__", "rect_verified")


def _assistance(cells: Cells, towns: list[int] | None, live: bool, end: Any, now: Any) -> None:
    from fugong.assistance.choices import AWAITING_ANSWER, OPEN_STATUSES, PositionStatus, RequestStatus
    from fugong.assistance.models import HelpRequest, Position

    requests = HelpRequest.objects.filter(_towns_q(towns, "enterprise__"))
    if live:
        cells.add(requests.filter(status__in=OPEN_STATUSES), "enterprise__", "help_open")
        cells.add(requests.filter(status__in=AWAITING_ANSWER, answer_due_at__lt=now), "enterprise__", "help_overdue")
        cells.add(requests.filter(status=RequestStatus.CLOSED), "enterprise__", "help_closed")
        answered = requests.filter(response_seconds__isnull=False)
    else:
        filed = requests.filter(filed_at__lt=end)
        cells.add(filed.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end)), "enterprise__", "help_open")
        cells.add(filed.filter(answer_due_at__lt=end).filter(Q(first_answered_at__isnull=True) | Q(first_answered_at__gte=end)),
                  "enterprise__", "help_overdue")
        cells.add(filed.filter(closed_at__lt=end), "enterprise__", "help_closed")
        answered = filed.filter(first_answered_at__lt=end, response_seconds__isnull=False)
    cells.add(answered, "enterprise__", "help_answered")
    cells.add(answered, "enterprise__", "help_response_seconds", n=Sum("response_seconds"))
    positions = Position.objects.filter(_towns_q(towns, "enterprise__"), status=PositionStatus.OPEN)
    cells.add(positions, "enterprise__", "positions_open")
    cells.add(positions.filter(count__gt=F("filled_count")), "enterprise__", "people_wanted", n=Sum(F("count") - F("filled_count")))


def _materials(cells: Cells, ents: QuerySet[Enterprise], day: date) -> None:
    """短缺 / 充足 / 无在岗人员 per enterprise, as the materials list decides them (every enterprise)."""
    from fugong.materials.selectors import supply_overview

    for supply in supply_overview(ents, day).values():
        enterprise = supply.enterprise
        key: Key = (enterprise.town_id, enterprise.region_id, enterprise.sector, enterprise.size)
        if supply.is_short:
            cells.values[key]["materials_short"] += 1
        elif supply.shortest_days is None:
            cells.values[key]["materials_unknown"] += 1
        else:
            cells.values[key]["materials_ok"] += 1


def _reports(cells: Cells, ents: QuerySet[Enterprise], day: date) -> None:
    """Enterprises that must report (an approved application) and have not filed ``day``'s report."""
    from fugong.health.models import DailyReport
    from fugong.health.reports import FILED, must_report

    filed = DailyReport.objects.filter(enterprise=OuterRef("pk"), date=day, status__in=FILED)
    cells.add(must_report(ents).exclude(Exists(filed)), "", "reports_missing")


@transaction.atomic
def rollup_refresh(*, day: date | None = None, towns: Iterable[int] | None = None, now: Any = None) -> int:
    """Recompute ``day`` (today) of ``towns`` (all when None): its rows are replaced, on both
    rollups (:class:`DailyRollup` and its sums by town, :class:`TownRollup`, from the same cells in
    the same transaction). Returns the number of :class:`DailyRollup` rows written."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    town_ids = sorted(set(towns)) if towns is not None else None
    cells = compute_cells(day, town_ids, now=now)
    paths = dict(Region.objects.filter(pk__in={key[1] for key in cells.values} | {key[0] for key in cells.values})
                 .values_list("pk", "path"))
    old = DailyRollup.objects.filter(day=day)
    old_towns = TownRollup.objects.filter(day=day)
    if town_ids is not None:
        old = old.filter(town_id__in=town_ids)
        old_towns = old_towns.filter(town_id__in=town_ids)
    old.delete()
    old_towns.delete()
    rows = [DailyRollup(day=day, town_id=town, region_id=region, region_path=paths[region], sector=sector, size=size, **metrics)
            for (town, region, sector, size), metrics in cells.values.items()]
    DailyRollup.objects.bulk_create(rows, batch_size=1000)
    by_town: dict[tuple[int, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (town, _region, sector, size), metrics in cells.values.items():
        sums = by_town[(town, sector, size)]
        for name, value in metrics.items():
            sums[name] += value
    TownRollup.objects.bulk_create([TownRollup(day=day, town_id=town, region_path=paths[town], sector=sector, size=size, **metrics)
                                    for (town, sector, size), metrics in by_town.items()], batch_size=1000)
    return len(rows)


def rollup_rebuild(day_range: Iterable[date] | tuple[date, date], *, towns: Iterable[int] | None = None) -> int:
    """Recompute every day of ``day_range`` (an iterable of days, or a (first, last) pair)."""
    if isinstance(day_range, tuple) and len(day_range) == 2 and all(isinstance(d, date) for d in day_range):
        first, last = day_range
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    else:
        days = list(day_range)
    town_list = list(towns) if towns is not None else None
    return sum(rollup_refresh(day=day, towns=town_list) for day in days)
