"""Demo patrols on Heyuan's figures (SPEC.md, "Patrols"): 80 officers in 14 teams visited every
enterprise three times a week, zone leaders patrolled key areas every two days. Scaled to 高新区's
24 grid officers: 4 teams of 6, each grid's enterprises under a plan of its team, and two
zone-leader plans. Last week's visits and this week's so far, with gaps (some enterprises visited
once or not at all). Findings modelled on Wutongqiao (10 problems found, all 10 rectified): last
week's 10 patrol findings are all verified; this week's are open, answered, reopened; two
findings filed by hand are overdue.

Dated relative to today. Fast: everything through bulk_create, no photos. Skipped once patrol
plans exist.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership, User
from fugong.enterprises.models import Enterprise
from fugong.inspections.choices import InspectionStatus, PlanKind, RectificationAction, RectificationStatus, Result, TemplateKind
from fugong.inspections.models import (
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionResult,
    PatrolPlan,
    PatrolTeam,
    RectificationEvent,
    RectificationItem,
)
from fugong.policy.services import current

SEED = 20200220
TEAMS = 4  # 高新区's share of Heyuan's 14 teams (24 of its 80 officers)
TEAM_NAMES = ["第一巡查组", "第二巡查组", "第三巡查组", "第四巡查组"]
LAST_WEEK_FOUND = 10  # Wutongqiao: 10 problems found …
# … all 10 rectified; this week's findings in every state: open, answered, reopened.
THIS_WEEK = [RectificationStatus.OPEN, RectificationStatus.OPEN, RectificationStatus.ANSWERED, RectificationStatus.REOPENED]
SHARE_FULL = 0.86  # of enterprises visited N times last week; the rest fewer, some not at all
SHARE_NONE = 0.05
# (item order in the patrol checklist, what the patrol saw, what the enterprise did)
FINDINGS = [
    (2, "门口测温点无人值守", "已安排两名保安轮班值守测温点，并张贴值守表。"),
    (3, "外来送货车辆未登记", "已设外来车辆登记本，司机测温登记后方可进入。"),
    (4, "车间部分员工未佩戴口罩", "已对车间员工再次培训，班组长每班检查佩戴情况。"),
    (5, "食堂、宿舍公共区域消毒无记录", "已补建消毒记录表，每日两次消毒并签字。"),
    (6, "口罩储备仅够 3 天", "已采购口罩 3000 只，储备满足 10 天用量。"),
    (7, "未设废弃口罩专用回收桶", "已在门岗、车间、食堂设置废弃口罩专用回收桶。"),
]
REOPEN_REASON = "复查发现测温登记表仍有漏记，退回重新整改。"
MANUAL_FINDINGS = ["员工宿舍每间住 6 人，超过每间 4 人上限", "厂区两个出入口均开放，未落实封闭管理"]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def seed_patrols(places: dict[str, Any], scale: float = 1.0) -> dict[str, int]:
    """Teams, plans, two weeks of visits and their findings in 高新区. Returns counts written."""
    if PatrolPlan.objects.exists():
        return {}
    template = ChecklistTemplate.objects.filter(kind=TemplateKind.PATROL, active=True).order_by("-version").first()
    if template is None:
        return {}
    rng = random.Random(SEED)
    hitech, grids = places["hitech"], places["grids"]
    officers = {m.region_id: m.user for m in Membership.objects.filter(role=Role.GRID, region__in=grids).select_related("user").order_by("pk")}
    grids = [g for g in grids if g.pk in officers]
    if not grids:
        return {}
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    last_monday = this_monday - timedelta(days=7)
    with transaction.atomic():
        teams, plans = _teams_and_plans(hitech, grids, officers, last_monday - timedelta(days=14))
        visits = _visits(rng, template, grids, officers, teams, plans, last_monday, this_monday, current(hitech).patrol_visits_per_week)
        found = _findings(rng, visits, last_monday, this_monday)
        manual = _manual_findings(rng, grids, officers, today)
    return {"teams": len(teams), "plans": len(plans), "visits": len(visits), "findings": found + manual}


def _teams_and_plans(hitech: Any, grids: list[Any], officers: dict[int, User], since: date) -> tuple[list[PatrolTeam], dict[int, PatrolPlan]]:
    size = -(-len(grids) // TEAMS)
    chunks = [grids[i:i + size] for i in range(0, len(grids), size)]
    teams = PatrolTeam.objects.bulk_create([
        PatrolTeam(region=hitech, name=f"高新区{TEAM_NAMES[i % len(TEAM_NAMES)]}", leader=officers[chunk[0].pk]) for i, chunk in enumerate(chunks)
    ])
    PatrolTeam.members.through.objects.bulk_create([
        PatrolTeam.members.through(patrolteam_id=team.pk, user_id=officers[grid.pk].pk) for team, chunk in zip(teams, chunks, strict=True)
        for grid in chunk
    ])
    team_of = {grid.pk: team for team, chunk in zip(teams, chunks, strict=True) for grid in chunk}
    made = PatrolPlan.objects.bulk_create([
        PatrolPlan(kind=PlanKind.ENTERPRISES, name=f"{grid.name}企业巡查", region=grid, team=team_of[grid.pk], starts_on=since) for grid in grids
    ] + [
        PatrolPlan(kind=PlanKind.KEY_AREAS, name=f"{grids[0].name}片长巡查", region=grids[0], zone_leader=officers[grids[0].pk],
                   key_areas="园区主干道、员工宿舍区、物流出入口", starts_on=since),
        PatrolPlan(kind=PlanKind.KEY_AREAS, name=f"{grids[-1].name}片长巡查", region=grids[-1], zone_leader=officers[grids[-1].pk],
                   key_areas="出租屋集中区、沿街商铺", starts_on=since),
    ])
    plans = {p.region_id: p for p in made if p.kind == PlanKind.ENTERPRISES}
    zones = {p.region_id: p for p in made if p.kind == PlanKind.KEY_AREAS}
    plans.update({-grid_id: plan for grid_id, plan in zones.items()})  # a zone leader's own rounds: the key-area plan (negative key)
    return teams, plans


def _visits(rng: random.Random, template: ChecklistTemplate, grids: list[Any], officers: dict[int, User], teams: list[PatrolTeam],
            plans: dict[int, PatrolPlan], last_monday: date, this_monday: date, per_week: int) -> list[Inspection]:
    """Last week's visits (most enterprises N times, some fewer or none) and this week's so far."""
    now = timezone.now()
    team_of = {m.user_id: t for t in teams for m in PatrolTeam.members.through.objects.filter(patrolteam=t)}
    enterprises = list(Enterprise.objects.filter(region__in=grids).order_by("pk"))
    days_this_week = (timezone.localdate() - this_monday).days + 1
    moments: list[tuple[Enterprise, datetime]] = []
    for enterprise in enterprises:
        roll = rng.random()
        count = per_week if roll < SHARE_FULL else 0 if roll > 1 - SHARE_NONE else rng.randint(1, per_week - 1)
        for day in sorted(rng.sample(range(7), count)):
            moments.append((enterprise, _at(last_monday + timedelta(days=day), rng.randint(8, 17), rng.randint(0, 59))))
        # This week: about the share of the week gone, some not yet.
        expected = per_week * days_this_week / 7
        count = min(per_week, int(expected + rng.random() * 1.2 - 0.3))
        span = (now - _at(this_monday, 0)).total_seconds()
        for _ in range(max(0, count)):
            moments.append((enterprise, _at(this_monday, 0) + timedelta(seconds=rng.random() * span * 0.98)))
    rows = []
    for enterprise, moment in moments:
        officer = officers[enterprise.region_id]
        zone = plans.get(-enterprise.region_id)
        plan = zone if zone is not None and rng.random() < 0.4 else plans[enterprise.region_id]
        rows.append(Inspection(enterprise=enterprise, template=template, inspector=officer, status=InspectionStatus.PASSED,
                               opinion="巡查未发现问题。", signed_name=officer.display_name.split(" ")[-1][:50], completed_at=moment,
                               created_by=officer, patrol_plan=plan, patrol_team=team_of.get(officer.pk)))
    made = Inspection.objects.bulk_create(rows, batch_size=1000)
    for visit in made:  # started a quarter of an hour before it was confirmed
        assert visit.completed_at is not None
        visit.created_at = visit.updated_at = visit.completed_at - timedelta(minutes=15)
    Inspection.objects.bulk_update(made, ["created_at", "updated_at"], batch_size=1000)
    items = list(ChecklistItem.objects.filter(template=template).order_by("order"))
    InspectionResult.objects.bulk_create([
        InspectionResult(inspection=visit, item=item, result=Result.PASS)
        for visit in made for item in items
        if not item.condition or getattr(visit.enterprise, f"has_{item.condition}", True)
    ], batch_size=2000)
    return made


def _findings(rng: random.Random, visits: list[Inspection], last_monday: date, this_monday: date) -> int:
    """Failed items of some visits become rectification items: last week's all verified (10 of 10),
    this week's open, answered and reopened."""
    now = timezone.now()
    days = current(visits[0].enterprise.region).rectification_days if visits else 3
    admins = {m.enterprise_id: m.user for m in Membership.objects.filter(role=Role.ENTERPRISE).select_related("user").order_by("pk")}
    own = set(Membership.objects.filter(user__username="ent_admin").values_list("enterprise_id", flat=True))
    last_week = [v for v in visits if v.completed_at and v.completed_at < _at(this_monday, 0) and v.enterprise_id not in own]
    this_week = [v for v in visits if v.completed_at and v.completed_at >= _at(this_monday, 0) and v.enterprise_id not in own]
    picks = ([(v, RectificationStatus.VERIFIED) for v in rng.sample(last_week, min(LAST_WEEK_FOUND, len(last_week)))]
             + [(v, status) for v, status in zip(rng.sample(this_week, min(len(THIS_WEEK), len(this_week))), THIS_WEEK, strict=False)])
    items_by_order = {i.order: i for i in ChecklistItem.objects.filter(template=visits[0].template)} if visits else {}
    failed_visits, results, rectifications, histories = [], [], [], []
    for number, (visit, status) in enumerate(picks):
        order, problem, answer = FINDINGS[number % len(FINDINGS)]
        found_at = visit.completed_at
        assert found_at is not None
        visit.status, visit.opinion = InspectionStatus.FAILED, f"发现问题：{problem}，责令限期整改。"
        failed_visits.append(visit)
        results.append((visit, items_by_order[order], problem))
        admin = admins.get(visit.enterprise_id)
        deadline = timezone.localtime(found_at).date() + timedelta(days=days)
        # Answered and verified within the days left (this week's squeezed between the finding and now).
        answered_at = found_at + min(timedelta(days=1, hours=rng.randint(0, 6)), (now - found_at) * 0.5)
        verified_at = answered_at + min(timedelta(days=1), (now - answered_at) * 0.5)
        item = RectificationItem(enterprise=visit.enterprise, inspection=visit, description=f"{items_by_order[order].text}：{problem}",
                                 deadline=deadline, status=status, created_by=visit.inspector)
        history = [RectificationEvent(action=RectificationAction.FOUND, actor=visit.inspector, at=found_at, note=item.description,
                                      deadline=deadline)]
        if status != RectificationStatus.OPEN:
            item.answer, item.answered_at = answer, answered_at
            history.append(RectificationEvent(action=RectificationAction.ANSWERED, actor=admin, at=answered_at, note=answer))
        if status in (RectificationStatus.VERIFIED, RectificationStatus.REOPENED):
            item.verified_by, item.verified_at = visit.inspector, verified_at
            if status == RectificationStatus.REOPENED:
                item.deadline = timezone.localtime(verified_at).date() + timedelta(days=days)
                history.append(RectificationEvent(action=RectificationAction.REOPENED, actor=visit.inspector, at=verified_at,
                                                  note=REOPEN_REASON, deadline=item.deadline))
            else:
                history.append(RectificationEvent(action=RectificationAction.VERIFIED, actor=visit.inspector, at=verified_at))
        rectifications.append(item)
        histories.append(history)
    Inspection.objects.bulk_update(failed_visits, ["status", "opinion"])
    for visit, checklist_item, problem in results:
        InspectionResult.objects.filter(inspection=visit, item=checklist_item).update(result=Result.FAIL, note=problem)
    _save_items(rectifications, histories)
    return len(rectifications)


def _manual_findings(rng: random.Random, grids: list[Any], officers: dict[int, User], today: date) -> int:
    """Two findings filed by hand nine days ago, past their deadline: one never answered, one reopened."""
    own = set(Membership.objects.filter(user__username="ent_admin").values_list("enterprise_id", flat=True))
    candidates = list(Enterprise.objects.filter(region__in=grids[1:4]).exclude(pk__in=own).order_by("pk")[:20])
    if not candidates:
        return 0
    found_day = today - timedelta(days=9)
    rectifications, histories = [], []
    for number, (enterprise, problem) in enumerate(zip(rng.sample(candidates, 2), MANUAL_FINDINGS, strict=True)):
        officer = officers[enterprise.region_id]
        found_at, deadline = _at(found_day, 10 + number), found_day + timedelta(days=3)
        item = RectificationItem(enterprise=enterprise, description=problem, deadline=deadline, created_by=officer)
        history = [RectificationEvent(action=RectificationAction.FOUND, actor=officer, at=found_at, note=problem, deadline=deadline)]
        if number == 1:
            answered_at, reopened_at = found_at + timedelta(days=1), found_at + timedelta(days=2)
            item.deadline = reopened_at.date() + timedelta(days=3)
            item.status, item.answer, item.answered_at = RectificationStatus.REOPENED, "已关闭东侧出入口。", answered_at
            item.verified_by, item.verified_at = officer, reopened_at
            history += [RectificationEvent(action=RectificationAction.ANSWERED, at=answered_at, note=item.answer),
                        RectificationEvent(action=RectificationAction.REOPENED, actor=officer, at=reopened_at,
                                           note="东侧出入口仍有人员进出，未落实封闭管理。", deadline=item.deadline)]
        rectifications.append(item)
        histories.append(history)
    _save_items(rectifications, histories)
    return len(rectifications)


def _save_items(items: list[RectificationItem], histories: list[list[RectificationEvent]]) -> None:
    made = RectificationItem.objects.bulk_create(items)
    for item, history in zip(made, histories, strict=True):
        item.created_at = history[0].at
        item.updated_at = history[-1].at
        for event in history:
            event.item = item
    RectificationItem.objects.bulk_update(made, ["created_at", "updated_at"])
    RectificationEvent.objects.bulk_create([event for history in histories for event in history])
