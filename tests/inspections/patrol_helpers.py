"""Shared by the patrol and rectification tests: 共和镇's first grid (鹤山市, gongh_grid's; the
demo has no patrol plan there), a team and plan over it, and visits made through the services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from fugong.accounts.models import User
from fugong.enterprises.models import Enterprise
from fugong.inspections.choices import PlanKind, Result
from fugong.inspections.models import Inspection, PatrolPlan, PatrolTeam
from fugong.inspections.patrols import patrol_start, plan_create, team_create
from fugong.inspections.services import applicable_items, inspection_complete, inspection_record
from fugong.policy.services import policy_publish
from fugong.regions.choices import Level
from fugong.regions.models import Region


def gonghe_grid() -> Region:
    return Region.objects.get(parent__parent__name="共和镇", level=Level.GRID, code__endswith="-G01")


def grid_enterprises(grid: Region) -> list[Enterprise]:
    return list(Enterprise.objects.filter(region=grid).select_related("region").order_by("name"))


def user(username: str) -> User:
    return User.objects.get(username=username)


def gonghe_team() -> PatrolTeam:
    grid = gonghe_grid()
    assert grid.parent is not None and grid.parent.parent is not None
    return team_create(region=grid.parent.parent, name="共和镇巡查组", leader=user("gongh_grid"), members=[], acting_user=user("heshan_cmd"))


def gonghe_plan(team: PatrolTeam | None = None) -> PatrolPlan:
    return plan_create(kind=PlanKind.ENTERPRISES, name="共和第1网格企业巡查", region=gonghe_grid(), team=team or gonghe_team(),
                       starts_on=timezone.localdate() - timedelta(days=30), acting_user=user("heshan_cmd"))


def visit(enterprise: Enterprise, *, by: str = "gongh_grid", fails: dict[int, str] | None = None) -> Inspection:
    """A patrol visit completed now; ``fails``: {item order: what is wrong}."""
    officer = user(by)
    fails = fails or {}
    inspection = patrol_start(enterprise=enterprise, acting_user=officer)
    items = applicable_items(inspection.template, inspection.enterprise)
    inspection_record(inspection=inspection, acting_user=officer,
                      results={i.pk: (Result.FAIL, fails[i.order]) if i.order in fails else (Result.PASS, "") for i in items})
    return inspection_complete(inspection=inspection, opinion="巡查完毕。", signed_name="网格员", acting_user=officer)


def heshan_policy(**values: int) -> None:
    """A 鹤山市 override in force since a month ago."""
    policy_publish(region=Region.objects.get(code="440784"), values=values, effective_from=timezone.now() - timedelta(days=30),
                   note="测试", acting_user=user("admin"))
