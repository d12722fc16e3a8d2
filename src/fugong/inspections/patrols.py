"""Patrols (巡查): teams of grid officers, plans saying who patrols where, visits recorded as
inspections with the patrol checklist (one way to record results, photos and findings), and the
coverage of a week — per grid, the enterprises due, how often each was visited against the
policy's ``patrol_visits_per_week``, and which were not visited often enough. Zone leaders' (片长)
rounds of key areas are counted against ``zone_leader_patrol_every_days``.

``patrol_coverage`` and ``zone_leader_rounds`` take regions (a queryset, regions or materialised
paths) and a week: the command centre calls them with the regions its user may see."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership
from fugong.accounts.scope import scope_of
from fugong.audit.services import record
from fugong.enterprises.models import Enterprise
from fugong.enterprises.querysets import region_q
from fugong.inspections.choices import InspectionStatus, PlanKind, TemplateKind
from fugong.inspections.models import Inspection, PatrolPlan, PatrolTeam, RectificationItem
from fugong.inspections.services import inspection_start, may_inspect
from fugong.policy.services import current
from fugong.regions.models import Region

DONE = (InspectionStatus.PASSED, InspectionStatus.FAILED)
WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{1,2})$")


# -- weeks ------------------------------------------------------------------------------------------

def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def parse_week(value: str | date | None) -> date | None:
    """``2020-W08`` (what <input type="week"> sends) or a date → the Monday of that ISO week."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return week_start(value)
    match = WEEK_PATTERN.match(value.strip())
    if not match:
        return None
    try:
        return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        return None


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _week_span(monday: date) -> tuple[datetime, datetime]:
    start = datetime.combine(monday, time.min, tzinfo=timezone.get_current_timezone())
    return start, start + timedelta(days=7)


# -- regions as paths ---------------------------------------------------------------------------------

def region_paths(regions: Any) -> tuple[str, ...]:
    """The materialised paths of ``regions`` (a queryset, regions or paths), without those already
    inside another one."""
    items = regions.values_list("path", flat=True) if isinstance(regions, QuerySet) else regions
    ordered = sorted({r if isinstance(r, str) else r.path for r in items})
    kept: list[str] = []
    for path in ordered:
        if not any(path.startswith(prefix) for prefix in kept):
            kept.append(path)
    return tuple(kept)


def scope_paths(user: Any) -> tuple[str, ...]:
    """The regions an officer's patrol pages cover (the platform admin: every county's)."""
    scope = scope_of(user)
    if scope.is_admin:
        return region_paths(Region.objects.filter(parent__isnull=True))
    return region_paths(scope.command_paths + scope.grid_paths + scope.reviewer_paths)


def plans_in_force(monday: date, *, kind: str = PlanKind.ENTERPRISES) -> QuerySet[PatrolPlan]:
    """Plans of ``kind`` in force on some day of the week beginning ``monday``."""
    return PatrolPlan.objects.filter(kind=kind, starts_on__lte=monday + timedelta(days=6)).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=monday))


def due_enterprises(paths: tuple[str, ...], monday: date) -> QuerySet[Enterprise]:
    """Enterprises under ``paths`` that an enterprise plan in force that week covers."""
    plan_paths = region_paths(list(plans_in_force(monday).values_list("region__path", flat=True)))
    return Enterprise.objects.filter(region_q(paths, "region")).filter(region_q(plan_paths, "region"))


# -- teams and plans ----------------------------------------------------------------------------------

def _commands(user: Any, region: Region) -> bool:
    scope = scope_of(user)
    return scope.is_admin or any(region.path.startswith(p) for p in scope.command_paths)


def _grid_officer_ids(user_ids: Iterable[int], region: Region) -> set[int]:
    """Of these users, those who are grid officers inside (or over) ``region``."""
    officers = Membership.objects.active().filter(role=Role.GRID, user_id__in=list(user_ids)).select_related("region")
    return {m.user_id for m in officers if m.region and (m.region.path.startswith(region.path) or region.path.startswith(m.region.path))}


def team_create(*, region: Region, name: str, leader: Any, members: Iterable[Any], acting_user: Any, request: Any = None) -> PatrolTeam:
    """A team of grid officers of ``region`` with its leader (a member too). Set up by the command."""
    if not _commands(acting_user, region):
        raise PermissionDenied("只有该辖区的指挥部可以组建巡查组。")
    if not name.strip():
        raise ValidationError("请填写巡查组名称。")
    people = {u.pk: u for u in [leader, *members]}
    officers = _grid_officer_ids(people, region)
    strangers = [str(u) for pk, u in people.items() if pk not in officers]
    if strangers:
        raise ValidationError(f"巡查组成员须为本辖区网格员：{'、'.join(strangers)} 不是。")
    with transaction.atomic():
        team = PatrolTeam.objects.create(region=region, name=name.strip(), leader=leader, created_by=acting_user)
        team.members.set(list(people.values()))
        record(action="patrol.team_create", actor=acting_user, obj=team, request=request, data={"members": len(people)})
    return team


def plan_create(*, kind: str, name: str, region: Region, acting_user: Any, starts_on: date, team: PatrolTeam | None = None,
                zone_leader: Any = None, key_areas: str = "", ends_on: date | None = None, request: Any = None) -> PatrolPlan:
    """An enterprise plan (a team visits every enterprise of ``region``) or a key-area plan (a
    zone leader patrols the key areas of ``region``). How often comes from the policy."""
    if not _commands(acting_user, region):
        raise PermissionDenied("只有该辖区的指挥部可以制定巡查计划。")
    if kind == PlanKind.ENTERPRISES and team is None:
        raise ValidationError("企业巡查计划须指定巡查组。")
    if team is not None and not (region.path.startswith(team.region.path) or team.region.path.startswith(region.path)):
        raise ValidationError("巡查组不负责该区域。")
    if kind == PlanKind.KEY_AREAS and (zone_leader is None or not _grid_officer_ids([zone_leader.pk], region)):
        raise ValidationError("片长巡查计划须指定本辖区的一名网格员为片长。")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError("结束日期不能早于开始日期。")
    with transaction.atomic():  # the plan and its audit entry, or neither
        plan = PatrolPlan.objects.create(kind=kind, name=name.strip() or str(region), region=region, team=team, zone_leader=zone_leader,
                                         key_areas=key_areas.strip(), starts_on=starts_on, ends_on=ends_on, created_by=acting_user)
        record(action="patrol.plan_create", actor=acting_user, obj=plan, request=request, data={"kind": kind})
    return plan


@dataclass(frozen=True)
class Requirement:
    """What a plan asks for in one week, from the policy of its place."""

    visits_per_week: int
    every_days: int
    enterprises: int
    required_visits: int  # enterprise plans: N × enterprises; key-area plans: rounds in the week


def plan_requirement(plan: PatrolPlan, monday: date) -> Requirement:
    policy = current(plan.region, _week_span(monday)[0])
    if plan.kind == PlanKind.KEY_AREAS:
        every = policy.zone_leader_patrol_every_days
        return Requirement(0, every, 0, math.ceil(7 / every))
    count = Enterprise.objects.filter(region__path__startswith=plan.region.path).count()
    return Requirement(policy.patrol_visits_per_week, 0, count, policy.patrol_visits_per_week * count)


# -- visits -------------------------------------------------------------------------------------------

def plan_for(enterprise: Enterprise, user: Any, day: date) -> tuple[PatrolPlan | None, PatrolTeam | None]:
    """The plan a visit by ``user`` on ``day`` counts for: their own key-area plan over the
    enterprise (a zone leader's round), else the enterprise plan over it; and the user's team."""
    path = enterprise.region.path
    over = [p for p in PatrolPlan.objects.select_related("region", "team").filter(starts_on__lte=day).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day)) if path.startswith(p.region.path)]
    mine = next((p for p in over if p.kind == PlanKind.KEY_AREAS and p.zone_leader_id == user.pk), None)
    plan = mine or next((p for p in sorted(over, key=lambda p: -len(p.region.path)) if p.kind == PlanKind.ENTERPRISES), None)
    teams = PatrolTeam.objects.filter(members=user, active=True).select_related("region")
    team = next((t for t in teams if plan is not None and plan.team_id == t.pk), None) or next(
        (t for t in teams if path.startswith(t.region.path)), None)
    return plan, team


def patrol_start(*, enterprise: Enterprise, acting_user: Any, request: Any = None) -> Inspection:
    """Open a patrol visit of the enterprise with the patrol checklist (or continue the open one),
    under the plan and team it counts for."""
    if not may_inspect(acting_user, enterprise):
        raise PermissionDenied("该企业不在您的巡查范围内。")
    plan, team = plan_for(enterprise, acting_user, timezone.localdate())
    return inspection_start(enterprise=enterprise, kind=TemplateKind.PATROL, acting_user=acting_user, patrol_plan=plan, patrol_team=team,
                            request=request)


# -- coverage -----------------------------------------------------------------------------------------

@dataclass
class Shortfall:
    """An enterprise visited fewer times than required that week."""

    enterprise: Enterprise
    visits: int
    required: int

    @property
    def missing(self) -> int:
        return self.required - self.visits


@dataclass
class GridCoverage:
    """One grid's patrols in one week."""

    grid: Region
    town: Region | None
    visits_per_week: int
    enterprises_due: int = 0
    visited: int = 0  # enterprises visited at least once
    complete: int = 0  # enterprises visited at least N times
    visits: int = 0  # completed patrol visits
    counted_visits: int = 0  # visits counted towards the requirement (at most N per enterprise)
    findings: int = 0  # rectification items the week's patrols found
    short: list[Shortfall] = field(default_factory=list)

    @property
    def required(self) -> int:
        return self.visits_per_week * self.enterprises_due

    @property
    def percent(self) -> int:
        return round(100 * self.counted_visits / self.required) if self.required else 100

    @property
    def not_visited(self) -> list[Shortfall]:
        return [s for s in self.short if s.visits == 0]


@dataclass
class Coverage:
    monday: date
    grids: list[GridCoverage]

    @property
    def label(self) -> str:
        return week_label(self.monday)

    def total(self, name: str) -> int:
        return sum(getattr(g, name) for g in self.grids)

    @property
    def visits_done(self) -> int:
        return self.total("counted_visits")

    @property
    def visits_required(self) -> int:
        return self.total("required")

    @property
    def enterprises_due(self) -> int:
        return self.total("enterprises_due")

    @property
    def visited(self) -> int:
        return self.total("visited")

    @property
    def findings(self) -> int:
        return self.total("findings")

    @property
    def percent(self) -> int:
        required = self.total("required")
        return round(100 * self.total("counted_visits") / required) if required else 100


def patrol_coverage(regions: Any, week: str | date) -> Coverage:
    """Per grid under ``regions`` (a Region queryset, regions or paths) for the ISO ``week`` (a
    date in it or ``2020-W08``): the enterprises an enterprise plan covers, how many were visited,
    visits done against N × enterprises (N: the grid's ``patrol_visits_per_week``), the findings,
    and the enterprises visited fewer than N times (not at all first). A handful of queries
    whatever the number of grids (one policy look-up per grid)."""
    monday = parse_week(week)
    if monday is None:
        raise ValueError(f"not a week: {week!r}")
    paths = region_paths(regions)
    start, end = _week_span(monday)
    enterprises = list(due_enterprises(paths, monday).select_related("region", "town").order_by("region__path", "name"))
    done = Inspection.objects.filter(template__kind=TemplateKind.PATROL, status__in=DONE, completed_at__gte=start, completed_at__lt=end,
                                     enterprise__in=[e.pk for e in enterprises])
    visits = dict(done.order_by().values_list("enterprise_id").annotate(n=Count("pk")))
    found = dict(RectificationItem.objects.filter(inspection__in=done).order_by().values_list("enterprise__region_id").annotate(n=Count("pk")))
    grids: dict[int, GridCoverage] = {}
    for enterprise in enterprises:
        row = grids.get(enterprise.region_id)
        if row is None:
            needed = current(enterprise.region, start).patrol_visits_per_week
            row = grids[enterprise.region_id] = GridCoverage(grid=enterprise.region, town=enterprise.town, visits_per_week=needed,
                                                             findings=found.get(enterprise.region_id, 0))
        count = visits.get(enterprise.pk, 0)
        row.enterprises_due += 1
        row.visits += count
        row.counted_visits += min(count, row.visits_per_week)
        row.visited += count > 0
        row.complete += count >= row.visits_per_week
        if count < row.visits_per_week:
            row.short.append(Shortfall(enterprise, count, row.visits_per_week))
    for row in grids.values():
        row.short.sort(key=lambda s: (s.visits, s.enterprise.name))
    return Coverage(monday, sorted(grids.values(), key=lambda g: g.grid.path))


@dataclass
class ZoneRounds:
    """A zone leader's rounds of a key-area plan in one week."""

    plan: PatrolPlan
    every_days: int
    required: int
    days: list[date]

    @property
    def done(self) -> int:
        return len(self.days)

    @property
    def met(self) -> bool:
        return self.done >= self.required


def zone_leader_rounds(regions: Any, week: str | date) -> list[ZoneRounds]:
    """Key-area plans under ``regions`` in force that week: the days their zone leader patrolled
    against one round every ``zone_leader_patrol_every_days`` days."""
    monday = parse_week(week)
    if monday is None:
        raise ValueError(f"not a week: {week!r}")
    start, end = _week_span(monday)
    plans = list(plans_in_force(monday, kind=PlanKind.KEY_AREAS).filter(region_q(region_paths(regions), "region"))
                 .select_related("region", "zone_leader").order_by("region__path", "name"))
    days: dict[int, set[date]] = {}
    visits = (Inspection.objects.filter(patrol_plan__in=plans, status__in=DONE, completed_at__gte=start, completed_at__lt=end)
              .annotate(day=TruncDate("completed_at", tzinfo=timezone.get_current_timezone())).values_list("patrol_plan_id", "day"))
    for plan_id, day in visits:
        days.setdefault(plan_id, set()).add(day)
    rows = []
    for plan in plans:
        every = current(plan.region, start).zone_leader_patrol_every_days
        rows.append(ZoneRounds(plan, every, math.ceil(7 / every), sorted(days.get(plan.pk, ()))))
    return rows
