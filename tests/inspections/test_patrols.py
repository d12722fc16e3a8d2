"""Patrols: teams of grid officers, plans whose requirements come from the policy, visits recorded
with the patrol checklist (failed items become rectification items with the policy's deadline),
the week's coverage per grid with the enterprises not visited, zone leaders' rounds, and the
pages: the phone page, the coverage page with filters and Excel, the plans, and scoping."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fugong.inspections.choices import InspectionStatus, PlanKind, RectificationAction, RectificationSource, RectificationStatus, TemplateKind
from fugong.inspections.models import ChecklistTemplate, Inspection, RectificationItem
from fugong.inspections.patrols import (
    parse_week,
    patrol_coverage,
    patrol_start,
    plan_create,
    plan_requirement,
    team_create,
    week_label,
    week_start,
    zone_leader_rounds,
)
from fugong.inspections.services import inspection_start
from fugong.policy.services import current
from fugong.regions.models import Region
from tests.inspections.patrol_helpers import gonghe_grid, gonghe_plan, gonghe_team, grid_enterprises, heshan_policy, user, visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def this_week() -> date:
    return week_start(timezone.localdate())


# -- weeks, teams, plans ----------------------------------------------------------------------------

def test_weeks_are_iso_weeks() -> None:
    assert parse_week("2020-W08") == date(2020, 2, 17)
    assert parse_week(date(2020, 2, 20)) == date(2020, 2, 17)
    assert parse_week("2020-W54") is None and parse_week("next week") is None
    assert week_label(date(2020, 2, 17)) == "2020-W08"


def test_a_team_is_of_grid_officers_of_the_place_and_set_up_by_its_command() -> None:
    town = gonghe_grid().parent.parent  # type: ignore[union-attr]
    # Another county's grid officer cannot be a member
    with pytest.raises(ValidationError, match="须为本辖区网格员"):
        team_create(region=town, name="组", leader=user("gongh_grid"), members=[user("grid_officer")], acting_user=user("heshan_cmd"))
    # nor an enterprise admin
    with pytest.raises(ValidationError, match="须为本辖区网格员"):
        team_create(region=town, name="组", leader=user("gongh_grid"), members=[user("ent_admin")], acting_user=user("heshan_cmd"))
    # A grid officer does not set up teams; another county's command does not either
    for username in ("gongh_grid", "hitech_cmd"):
        with pytest.raises(PermissionDenied):
            team_create(region=town, name="组", leader=user("gongh_grid"), members=[], acting_user=user(username))
    team = gonghe_team()
    assert team.leader == user("gongh_grid") and list(team.members.all()) == [user("gongh_grid")]


def test_a_plan_asks_for_n_visits_a_week_per_enterprise_from_the_policy() -> None:
    plan = gonghe_plan()
    enterprises = len(grid_enterprises(gonghe_grid()))
    assert enterprises > 0
    requirement = plan_requirement(plan, this_week())
    assert (requirement.visits_per_week, requirement.enterprises, requirement.required_visits) == (3, enterprises, 3 * enterprises)
    # 鹤山市 decides on two visits a week: the same plan now asks for two
    heshan_policy(patrol_visits_per_week=2)
    assert plan_requirement(plan, this_week()).required_visits == 2 * enterprises
    # An enterprise plan needs a team; a key-area plan a zone leader who is a grid officer there
    with pytest.raises(ValidationError, match="须指定巡查组"):
        plan_create(kind=PlanKind.ENTERPRISES, name="x", region=gonghe_grid(), starts_on=this_week(), acting_user=user("heshan_cmd"))
    with pytest.raises(ValidationError, match="片长"):
        plan_create(kind=PlanKind.KEY_AREAS, name="x", region=gonghe_grid(), zone_leader=user("grid_officer"), starts_on=this_week(),
                    acting_user=user("heshan_cmd"))
    zone = plan_create(kind=PlanKind.KEY_AREAS, name="共和片长巡查", region=gonghe_grid(), zone_leader=user("gongh_grid"),
                       key_areas="农贸市场", starts_on=this_week(), acting_user=user("heshan_cmd"))
    assert plan_requirement(zone, this_week()).required_visits == 4  # every 2 days: 4 rounds in 7 days


# -- visits, findings, coverage -------------------------------------------------------------------------

def test_a_failed_patrol_item_becomes_a_rectification_item_with_the_policy_deadline() -> None:
    plan = gonghe_plan()
    enterprise = grid_enterprises(gonghe_grid())[0]
    done = visit(enterprise, fails={2: "测温点无人值守"})
    assert done.template.kind == TemplateKind.PATROL and done.status == InspectionStatus.FAILED
    assert (done.patrol_plan, done.patrol_team) == (plan, plan.team)
    item = RectificationItem.objects.select_related("inspection__template").get(inspection=done)
    assert item.deadline == timezone.localdate() + timedelta(days=current(enterprise.region).rectification_days)
    assert "测温点无人值守" in item.description and item.status == RectificationStatus.OPEN
    assert item.source == RectificationSource.PATROL
    assert list(item.history.values_list("action", "actor__username")) == [(RectificationAction.FOUND, "gongh_grid")]
    # A deadline policy of 5 days applies to the next finding
    heshan_policy(rectification_days=5)
    again = visit(enterprise, fails={4: "员工未戴口罩"})
    assert RectificationItem.objects.get(inspection=again).deadline == timezone.localdate() + timedelta(days=5)


def test_coverage_counts_visits_against_n_per_enterprise_and_lists_those_not_visited() -> None:
    gonghe_plan()
    grid = gonghe_grid()
    enterprises = grid_enterprises(grid)
    assert len(enterprises) >= 3
    often, once, *never = enterprises
    for _ in range(4):  # one more than needed: counted as three
        visit(often)
    visit(once)
    # Not counted: a visit of last week, a visit still in progress, another kind of check
    old = visit(never[0])
    Inspection.objects.filter(pk=old.pk).update(completed_at=timezone.now() - timedelta(days=7))
    patrol_start(enterprise=never[-1], acting_user=user("gongh_grid"))
    inspection_start(enterprise=never[-1], kind=TemplateKind.POST_RESUMPTION, acting_user=user("gongh_grid"))

    coverage = patrol_coverage([grid.path], this_week())
    [row] = coverage.grids
    assert row.grid == grid and row.town is not None and row.town.name == "共和镇"
    assert (row.enterprises_due, row.visited, row.complete) == (len(enterprises), 2, 1)
    assert (row.visits, row.counted_visits, row.required) == (5, 4, 3 * len(enterprises))
    assert row.percent == round(100 * 4 / (3 * len(enterprises)))
    # The shortfall: the never-visited first, then the one visited once; the one visited enough is not there
    assert [(s.enterprise, s.visits) for s in row.short] == [*((e, 0) for e in sorted(never, key=lambda e: e.name)), (once, 1)]
    assert {s.enterprise for s in row.not_visited} == set(never)
    # Last week holds the old visit
    last = patrol_coverage(Region.objects.filter(pk=grid.pk), week_label(this_week() - timedelta(days=7)))
    assert last.grids[0].visits == 1 and last.grids[0].visited == 1
    # The same from the county (a queryset of regions), which has no other plan
    county = patrol_coverage(Region.objects.filter(code="440784"), this_week())
    assert [g.grid for g in county.grids] == [grid]


def test_coverage_takes_n_from_the_policy_and_counts_findings() -> None:
    gonghe_plan()
    heshan_policy(patrol_visits_per_week=1)
    grid = gonghe_grid()
    first = grid_enterprises(grid)[0]
    visit(first, fails={3: "外来车辆未登记", 6: "口罩仅够 2 天"})
    [row] = patrol_coverage([grid], this_week()).grids
    assert row.visits_per_week == 1 and row.complete == 1 and row.findings == 2
    assert first not in [s.enterprise for s in row.short]


def test_enterprises_outside_any_plan_are_not_due() -> None:
    grid = gonghe_grid()
    assert patrol_coverage([grid], this_week()).grids == []
    # A plan that ended before the week does not count either
    plan = gonghe_plan()
    plan.starts_on, plan.ends_on = this_week() - timedelta(days=30), this_week() - timedelta(days=1)
    plan.save()
    assert patrol_coverage([grid], this_week()).grids == []


def test_a_zone_leaders_visit_counts_as_a_round_of_the_key_area_plan() -> None:
    gonghe_plan()
    zone = plan_create(kind=PlanKind.KEY_AREAS, name="共和片长巡查", region=gonghe_grid(), zone_leader=user("gongh_grid"),
                       key_areas="农贸市场、出租屋", starts_on=this_week() - timedelta(days=7), acting_user=user("heshan_cmd"))
    enterprise = grid_enterprises(gonghe_grid())[0]
    done = visit(enterprise)
    assert done.patrol_plan == zone  # the zone leader's own plan over the enterprise
    visit(grid_enterprises(gonghe_grid())[1])  # the same day: one round
    [rounds] = zone_leader_rounds([gonghe_grid()], this_week())
    assert (rounds.plan, rounds.every_days, rounds.required, rounds.done, rounds.met) == (zone, 2, 4, 1, False)
    assert rounds.days == [timezone.localdate()]
    # and the visit still counts for the enterprise's coverage
    [row] = patrol_coverage([gonghe_grid()], this_week()).grids
    assert row.visits == 2


def test_the_demo_has_teams_plans_and_a_week_with_gaps() -> None:
    hitech = Region.objects.get(code="441602-GXQ")
    last = patrol_coverage([hitech], this_week() - timedelta(days=7))
    assert len(last.grids) == 24 and last.enterprises_due > 100
    assert 0 < last.visits_done < last.visits_required
    assert any(g.not_visited for g in last.grids)
    # Wutongqiao: 10 found by last week's patrols, all 10 rectified
    assert last.findings == 10
    items = RectificationItem.objects.filter(inspection__template__kind=TemplateKind.PATROL, inspection__completed_at__date__lt=this_week())
    assert items.count() == 10 and set(items.values_list("status", flat=True)) == {RectificationStatus.VERIFIED}
    assert RectificationItem.objects.overdue(timezone.localdate()).filter(enterprise__town=hitech).exists()


# -- pages ----------------------------------------------------------------------------------------------

def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_phone_page_lists_who_needs_a_visit_and_a_visit_with_a_finding_goes_back_to_it(client_for: Callable[[str], Client]) -> None:
    officer = client_for("gongh_grid")
    gonghe_plan()
    enterprise = grid_enterprises(gonghe_grid())[0]
    page = officer.get(reverse("inspections:patrol"))
    html = page.content.decode()
    assert page.status_code == 200 and "本周待巡查" in html and enterprise.name in html and "本周 0/3 次" in html
    assert reverse("inspections:patrol-start", args=[enterprise.pk]) in html
    # Start: on to the patrol checklist on the inspection phone page
    response = officer.post(reverse("inspections:patrol-start", args=[enterprise.pk]))
    visit_ = Inspection.objects.get(enterprise=enterprise, template__kind=TemplateKind.PATROL, status=InspectionStatus.IN_PROGRESS)
    assert response["Location"] == reverse("inspections:detail", args=[visit_.uuid])
    detail = officer.get(response["Location"]).content.decode()
    assert "日常巡查" in detail and "共和镇巡查组" in detail and 'capture="environment"' in detail
    # An open visit is offered to continue
    assert reverse("inspections:detail", args=[visit_.uuid]) in officer.get(reverse("inspections:patrol")).content.decode()
    # Completing with a failed item: a rectification item, and back to the patrol page
    items = list(ChecklistTemplate.objects.get(kind=TemplateKind.PATROL, active=True).items.all())
    data = {f"result-{i.pk}": "pass" for i in items if not i.condition or getattr(enterprise, f"has_{i.condition}")}
    data |= {f"result-{items[1].pk}": "fail", f"note-{items[1].pk}": "测温点无人", "opinion": "限期整改", "signed_name": "网格员"}
    response = officer.post(reverse("inspections:complete", args=[visit_.uuid]), data)
    assert response.status_code == 302 and response["Location"] == reverse("inspections:patrol")
    assert any("巡查发现 1 项问题" in m for m in messages_of(response))
    assert RectificationItem.objects.filter(inspection=visit_, description__contains="测温点无人").exists()
    assert "本周 1/3 次" in officer.get(reverse("inspections:patrol")).content.decode()


def test_the_phone_page_finds_any_enterprise_in_scope_and_refuses_others(client_for: Callable[[str], Client]) -> None:
    officer = client_for("grid_officer")
    own = grid_enterprises(Region.objects.get(code="441602-GXQ-IND01"))[0]
    found = officer.get(reverse("inspections:patrol"), {"find": own.name[-6:]}).content.decode()
    assert reverse("inspections:patrol-start", args=[own.pk]) in found
    stranger = grid_enterprises(gonghe_grid())[0]
    assert reverse("inspections:patrol-start", args=[stranger.pk]) not in officer.get(reverse("inspections:patrol"),
                                                                                       {"find": stranger.name[-6:]}).content.decode()
    assert officer.post(reverse("inspections:patrol-start", args=[stranger.pk])).status_code == 404
    assert not Inspection.objects.filter(enterprise=stranger, template__kind=TemplateKind.PATROL).exists()
    assert client_for("ent_admin").get(reverse("inspections:patrol")).status_code == 403
    assert client_for("ent_admin").post(reverse("inspections:patrol-start", args=[own.pk])).status_code == 403


def test_coverage_page_filters_by_week_and_grid_and_exports(client_for: Callable[[str], Client]) -> None:
    command = client_for("hitech_cmd")
    url = reverse("inspections:patrol-coverage")
    last_week = week_label(this_week() - timedelta(days=7))
    page = command.get(url, {"week": last_week})
    html = page.content.decode()
    assert page.status_code == 200 and "工业企业第1网格" in html and "出租屋第6网格" in html and last_week in html
    grid = Region.objects.get(code="441602-GXQ-IND02")
    coverage = patrol_coverage([grid], this_week() - timedelta(days=7))
    one = command.get(url, {"week": last_week, "grid": grid.pk}).content.decode()
    grid1 = Region.objects.get(code="441602-GXQ-IND01")
    assert f'id="grid-{grid.pk}"' in one and f'id="grid-{grid1.pk}"' not in one
    for shortfall in coverage.grids[0].short:
        assert shortfall.enterprise.name in one
    # Excel: the grid sheet and the enterprises short of visits
    export = command.get(url, {"week": last_week, "export": "xlsx"})
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    grids, short = book.worksheets
    rows = list(grids.iter_rows(values_only=True))
    assert rows[0][:4] == ("镇街", "网格", "应巡企业数", "已巡企业数") and len(rows) == 25
    assert any(r[1] == "工业企业第2网格" and r[2] == coverage.grids[0].enterprises_due for r in rows[1:])
    names = {r[2] for r in list(short.iter_rows(values_only=True))[1:]}
    assert {s.enterprise.name for s in coverage.grids[0].short} <= names
    # A bad week says so; another county's grid is not a choice
    assert "请选择周次" in command.get(url, {"week": "不是周"}).content.decode()
    refused = command.get(url, {"grid": gonghe_grid().pk}).content.decode()
    assert "filter-errors" in refused and "共和第1网格" not in refused


def test_a_grid_officer_sees_the_coverage_of_their_grid_only(client_for: Callable[[str], Client]) -> None:
    html = client_for("grid_officer").get(reverse("inspections:patrol-coverage")).content.decode()
    assert "工业企业第1网格" in html and "工业企业第2网格" not in html
    assert client_for("employee").get(reverse("inspections:patrol-coverage")).status_code == 403


def test_plans_page_shows_the_policys_numbers_and_the_teams(client_for: Callable[[str], Client]) -> None:
    html = client_for("hitech_cmd").get(reverse("inspections:patrol-plans")).content.decode()
    assert "高新区第一巡查组" in html and "工业企业第1网格企业巡查" in html and "片长巡查" in html
    # A grid officer sees the town's teams and their own grid's plans, not another grid's
    own = client_for("grid_officer").get(reverse("inspections:patrol-plans")).content.decode()
    assert "高新区第一巡查组" in own and "工业企业第1网格企业巡查" in own and "工业企业第2网格企业巡查" not in own
    assert "高新区第一巡查组" not in client_for("heshan_cmd").get(reverse("inspections:patrol-plans")).content.decode()
