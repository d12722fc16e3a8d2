"""Services of help for enterprises: routing as data, the request's state machine (answer,
confirm, send back), who may do each step, response times, overdue, the hotline, and the labour
ledger's rules and totals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fugong.accounts.models import Membership, Notification, User
from fugong.assistance.choices import Channel, EventKind, PositionStatus, RequestStatus
from fugong.assistance.models import HelpRequest, Position, RoutingRule
from fugong.assistance.routing import route_for
from fugong.assistance.selectors import (
    help_requests_in,
    labour_by_sector,
    labour_by_town,
    open_positions,
    requests_by_town,
    response_by_category,
    response_by_department,
)
from fugong.assistance.services import (
    help_request_answer,
    help_request_confirm,
    position_create,
    position_track,
    position_update,
    rule_save,
)
from fugong.audit.models import AuditEntry
from fugong.enterprises.models import Enterprise
from fugong.policy.models import PolicyVersion
from fugong.regions.choices import DepartmentKind
from fugong.regions.models import Department, Region
from tests.assistance.conftest import HEYUAN, HITECH

pytestmark = pytest.mark.django_db

Users = Callable[[str], User]


# -- routing ---------------------------------------------------------------------------------------


def test_most_specific_region_wins(rules: dict[str, RoutingRule], own: Enterprise) -> None:
    # Given a county rule and a town rule for finance
    # When an enterprise of the town asks for finance help
    route = route_for(own, "finance")
    # Then the town's rule routes it (高新区经贸办, not 源城区's SME centre), and says so
    assert route.rule == rules["hitech_finance"]
    assert route.department is not None and route.department.name == "经贸办"
    assert "高新区" in route.note


def test_county_rule_applies_where_the_town_has_none(rules: dict[str, RoutingRule], own: Enterprise) -> None:
    route = route_for(own, "protective_supplies")
    assert route.rule == rules["county_supplies"]
    assert route.department is not None and route.department.name == "工信局"


def test_rule_naming_the_category_beats_any_category_in_the_same_region(rules: dict[str, RoutingRule], own: Enterprise,
                                                                         department: Callable[[str, str], Department],
                                                                         region: Callable[[str], Region]) -> None:
    RoutingRule.objects.create(region=region(HITECH), category="", department=department(HITECH, "工程办"))
    assert route_for(own, "finance").department.name == "经贸办"  # type: ignore[union-attr]
    assert route_for(own, "logistics").department.name == "工程办"  # type: ignore[union-attr]


def test_without_a_rule_the_town_command_handles_it(rules: dict[str, RoutingRule], own: Enterprise, file_request: Any,
                                                    django_capture_on_commit_callbacks: Any) -> None:
    # Given no rule for "other" anywhere above the enterprise
    with django_capture_on_commit_callbacks(execute=True):
        request = file_request(own, "other")
    # Then it goes to the command of the enterprise's town, who is told
    assert request.department is None and request.routing_rule is None
    assert request.handler == "高新区指挥部"
    assert "高新区指挥部" in request.route_note
    assert Notification.objects.filter(user__username="hitech_cmd", title__contains=own.name).exists()


def test_a_rule_may_only_name_a_department_serving_its_region(rules: dict[str, RoutingRule], user: Users,
                                                              region: Callable[[str], Region],
                                                              department: Callable[[str, str], Department]) -> None:
    # 高新区's 经贸办 does not serve 鹤山市: its reviewers would never see what is sent to them
    with pytest.raises(ValidationError) as error:
        rule_save(acting_user=user("admin"), region=region("440784"), category="logistics", department=department(HITECH, "经贸办"))
    assert "辖区不包括" in str(error.value)


def test_command_officer_keeps_rules_of_own_jurisdiction_only(rules: dict[str, RoutingRule], user: Users,
                                                              region: Callable[[str], Region],
                                                              department: Callable[[str, str], Department]) -> None:
    hitech_cmd = user("hitech_cmd")
    made = rule_save(acting_user=hitech_cmd, region=region(HITECH), category="utilities", department=department(HITECH, "工程办"))
    assert made.pk and AuditEntry.objects.filter(action="assistance.rule_save", object_id=str(made.pk)).exists()
    # not the county's rule above it …
    with pytest.raises(PermissionDenied):
        rule_save(acting_user=hitech_cmd, rule=rules["county_finance"], region=region(HITECH), category="finance",
                  department=department(HITECH, "经贸办"))
    # … nor a new one for the county
    with pytest.raises(ValidationError):
        rule_save(acting_user=hitech_cmd, region=region(HEYUAN), category="labour", department=department(HEYUAN, "工信局"))


def test_one_rule_per_region_and_category(rules: dict[str, RoutingRule], user: Users, region: Callable[[str], Region],
                                          department: Callable[[str, str], Department]) -> None:
    with pytest.raises(ValidationError) as error:
        rule_save(acting_user=user("admin"), region=region(HITECH), category="finance", department=department(HITECH, "工程办"))
    assert "已有" in str(error.value)


# -- filing ----------------------------------------------------------------------------------------


def test_enterprise_files_a_request_routed_to_the_department(rules: dict[str, RoutingRule], own: Enterprise, file_request: Any,
                                                             django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request = file_request(own, "finance")
    assert request.status == RequestStatus.FILED and request.channel == Channel.ONLINE
    assert request.department is not None and request.department.name == "经贸办"
    assert request.answer_due_at - request.filed_at == timedelta(hours=48)
    assert [r.kind for r in request.records.all()] == [EventKind.FILED, EventKind.ROUTED]
    assert AuditEntry.objects.filter(action="assistance.request_file", object_id=str(request.pk)).exists()
    # the routed department's reviewer is told in the inbox
    assert Notification.objects.filter(user__username="jmb_reviewer", url=request.get_absolute_url()).exists()


def test_enterprise_cannot_file_for_another_enterprise(rules: dict[str, RoutingRule], neighbour: Enterprise, file_request: Any) -> None:
    with pytest.raises(PermissionDenied):
        file_request(neighbour)


def test_answer_due_follows_the_county_policy(rules: dict[str, RoutingRule], own: Enterprise, file_request: Any, user: Users,
                                              region: Callable[[str], Region]) -> None:
    # Given 源城区 shortened the answer time to 24 hours
    PolicyVersion.objects.create(region=region(HEYUAN), version=99, effective_from=timezone.now() - timedelta(hours=1),
                                 values={"help_request_answer_hours": 24}, note="测试")
    request = file_request(own)
    assert request.answer_due_at - request.filed_at == timedelta(hours=24)


def test_hotline_officer_files_for_an_enterprise_with_the_caller(rules: dict[str, RoutingRule], other_grid: Enterprise,
                                                                 file_request: Any) -> None:
    request = file_request(other_grid, "finance", by="hitech_cmd", channel=Channel.HOTLINE, caller_name="刘先生", caller_phone="13902761234")
    assert request.channel == Channel.HOTLINE
    assert (request.caller_name, request.caller_phone_masked) == ("刘先生", "139****1234")
    assert request.created_by.username == "hitech_cmd"  # type: ignore[union-attr]
    assert "来电人：刘先生" in request.records.get(kind=EventKind.FILED).text
    # the audit log keeps no caller
    entry = AuditEntry.objects.get(action="assistance.request_file", object_id=str(request.pk))
    assert "刘先生" not in str(entry.data) and "13902761234" not in str(entry.data)


def test_hotline_needs_the_caller(rules: dict[str, RoutingRule], other_grid: Enterprise, file_request: Any) -> None:
    with pytest.raises(ValidationError) as error:
        file_request(other_grid, by="hitech_cmd", channel=Channel.HOTLINE)
    assert "来电人" in str(error.value)


@pytest.mark.parametrize("by", ["ent_admin", "jmb_reviewer", "grid_officer"])
def test_only_a_command_officer_in_scope_files_through_the_hotline(rules: dict[str, RoutingRule], own: Enterprise, file_request: Any,
                                                                   by: str) -> None:
    with pytest.raises(PermissionDenied):
        file_request(own, by=by, channel=Channel.HOTLINE, caller_name="刘先生")


def test_hotline_officer_cannot_file_for_another_county(rules: dict[str, RoutingRule], heshan_enterprise: Enterprise,
                                                        file_request: Any) -> None:
    with pytest.raises(PermissionDenied):
        file_request(heshan_enterprise, by="hitech_cmd", channel=Channel.HOTLINE, caller_name="刘先生")


def test_filing_refuses_empty_fields_in_chinese(rules: dict[str, RoutingRule], own: Enterprise, file_request: Any) -> None:
    with pytest.raises(ValidationError) as error:
        file_request(own, "nonsense", title=" ", description="")
    assert set(error.value.message_dict) == {"category", "title", "description"}


# -- the state machine -----------------------------------------------------------------------------


def test_full_cycle_with_a_reopen_measures_response_and_resolution(rules: dict[str, RoutingRule], own: Enterprise, file_request: Any,
                                                                   user: Users, django_capture_on_commit_callbacks: Any) -> None:
    filed = timezone.now() - timedelta(hours=30)
    request = file_request(own, at=filed)
    # answered 5 hours later by the routed department
    with django_capture_on_commit_callbacks(execute=True):
        request = help_request_answer(help_request=request, answer="已对接农商行。", acting_user=user("jmb_reviewer"),
                                      at=filed + timedelta(hours=5))
    assert request.status == RequestStatus.ANSWERED
    assert request.response_seconds == 5 * 3600
    assert Notification.objects.filter(user__username="ent_admin", title__contains="已答复").exists()
    # the enterprise says it is not solved: back to the department, a new answer due
    sent_back = filed + timedelta(hours=10)
    request = help_request_confirm(help_request=request, solved=False, note="银行尚未联系。", acting_user=user("ent_admin"), at=sent_back)
    assert request.status == RequestStatus.REOPENED and request.reopen_count == 1
    assert request.answer_due_at == sent_back + timedelta(hours=48)
    # answered again: the response time stays the first answer's
    request = help_request_answer(help_request=request, answer="客户经理已上门。", acting_user=user("jmb_reviewer"), at=filed + timedelta(hours=20))
    assert request.response_seconds == 5 * 3600 and request.first_answered_at == filed + timedelta(hours=5)
    # solved: closed, filed → closed measured
    request = help_request_confirm(help_request=request, solved=True, acting_user=user("ent_admin"), at=filed + timedelta(hours=26))
    assert request.status == RequestStatus.CLOSED
    assert request.resolution_seconds == 26 * 3600
    assert [r.kind for r in request.records.all()] == [EventKind.FILED, EventKind.ROUTED, EventKind.ANSWERED, EventKind.REOPENED,
                                                       EventKind.ANSWERED, EventKind.CONFIRMED]
    assert AuditEntry.objects.filter(object_id=str(request.pk), action__startswith="assistance.").count() == 5  # filed, answered, sent back, answered, closed


def test_illegal_transitions_raise(rules: dict[str, RoutingRule], own: Enterprise, file_request: Any, user: Users) -> None:
    request = file_request(own)
    # not answered yet: nothing to confirm
    with pytest.raises(ValidationError):
        help_request_confirm(help_request=request, solved=True, acting_user=user("ent_admin"))
    request = help_request_answer(help_request=request, answer="已办理。", acting_user=user("jmb_reviewer"))
    # answered: not answered again until sent back
    with pytest.raises(ValidationError):
        help_request_answer(help_request=request, answer="再次答复。", acting_user=user("jmb_reviewer"))
    request = help_request_confirm(help_request=request, solved=True, acting_user=user("ent_admin"))
    # closed: nothing moves
    for call in (lambda: help_request_confirm(help_request=request, solved=False, note="x", acting_user=user("ent_admin")),
                 lambda: help_request_answer(help_request=request, answer="x", acting_user=user("admin"))):
        with pytest.raises(ValidationError):
            call()


def test_not_solved_needs_a_note(rules: dict[str, RoutingRule], own: Enterprise, file_request: Any, user: Users) -> None:
    request = help_request_answer(help_request=file_request(own), answer="已办理。", acting_user=user("jmb_reviewer"))
    with pytest.raises(ValidationError) as error:
        help_request_confirm(help_request=request, solved=False, acting_user=user("ent_admin"))
    assert "note" in error.value.message_dict


@pytest.mark.parametrize("by", ["gxj_reviewer", "grid_officer", "ent_admin", "heshan_cmd"])
def test_only_the_routed_department_or_the_command_answers(rules: dict[str, RoutingRule], own: Enterprise, file_request: Any, user: Users,
                                                           by: str) -> None:
    request = file_request(own, "finance")  # routed to 高新区经贸办
    with pytest.raises(PermissionDenied):
        help_request_answer(help_request=request, answer="已办理。", acting_user=user(by))


def test_the_command_over_the_enterprise_may_answer(rules: dict[str, RoutingRule], own: Enterprise, file_request: Any, user: Users) -> None:
    for username in ("hitech_cmd", "county_cmd"):
        request = file_request(own, "finance")
        assert help_request_answer(help_request=request, answer="指挥部协调。", acting_user=user(username)).status == RequestStatus.ANSWERED


def test_county_department_answers_what_a_county_rule_sent_it(rules: dict[str, RoutingRule], own: Enterprise, file_request: Any,
                                                              user: Users) -> None:
    request = file_request(own, "protective_supplies")  # 源城区工信局
    assert help_request_answer(help_request=request, answer="已调配口罩。", acting_user=user("gxj_reviewer")).status == RequestStatus.ANSWERED


def test_only_the_enterprise_that_asked_confirms(rules: dict[str, RoutingRule], own: Enterprise, neighbour: Enterprise, file_request: Any,
                                                 user: Users) -> None:
    request = help_request_answer(help_request=file_request(own), answer="已办理。", acting_user=user("jmb_reviewer"))
    stranger = User.objects.create(username="neighbour_admin")
    Membership.objects.create(user=stranger, role="enterprise", enterprise=neighbour)
    for someone in (stranger, user("jmb_reviewer"), user("hitech_cmd"), user("grid_officer")):
        with pytest.raises(PermissionDenied):
            help_request_confirm(help_request=request, solved=True, acting_user=someone)
    assert HelpRequest.objects.get(pk=request.pk).status == RequestStatus.ANSWERED


def test_overdue_after_the_policy_hours(rules: dict[str, RoutingRule], own: Enterprise, file_request: Any) -> None:
    late = file_request(own, at=timezone.now() - timedelta(hours=49))
    fresh = file_request(own, at=timezone.now() - timedelta(hours=47))
    overdue = set(HelpRequest.objects.overdue().values_list("pk", flat=True))
    assert late.pk in overdue and fresh.pk not in overdue
    assert late.is_overdue(timezone.now()) and not fresh.is_overdue(timezone.now())


# -- response times and the command centre's selectors ---------------------------------------------


def test_averages_per_department_and_category(rules: dict[str, RoutingRule], own: Enterprise, file_request: Any, user: Users) -> None:
    HelpRequest.objects.all().delete()
    start = timezone.now() - timedelta(days=2)
    for hours_taken in (2, 6):
        request = file_request(own, "finance", at=start)
        help_request_answer(help_request=request, answer="已办理。", acting_user=user("jmb_reviewer"), at=start + timedelta(hours=hours_taken))
    file_request(own, "other", at=start)  # the town's command, not answered
    scoped = HelpRequest.objects.all()
    departments = {row.label: row for row in response_by_department(scoped)}
    assert departments["高新区经贸办"].total == 2 and departments["高新区经贸办"].avg_response_hours == 4.0
    assert departments["高新区指挥部"].avg_response_seconds is None and departments["高新区指挥部"].overdue == 1
    categories = {row.key: row for row in response_by_category(scoped)}
    assert categories["finance"].avg_response == "4.0小时" and categories["labour"].total == 0


def test_town_counts_for_the_command_centre(db: Any, region: Callable[[str], Region]) -> None:
    # From the demo: open, solved and totals per town, worked out here by hand
    requests = list(HelpRequest.objects.select_related("enterprise__town"))
    rows = {row.label: row for row in requests_by_town(help_requests_in([region(HEYUAN).path, region("440784").path]))}
    for town in {r.enterprise.town.name for r in requests}:
        mine = [r for r in requests if r.enterprise.town.name == town]
        assert rows[town].total == len(mine)
        assert rows[town].closed == sum(r.status == RequestStatus.CLOSED for r in mine)
        assert rows[town].open == sum(r.status != RequestStatus.CLOSED for r in mine)
    assert rows["高新区"].total >= 20 and rows["高新区"].closed > rows["高新区"].open


# -- the labour ledger -----------------------------------------------------------------------------

POSITION = {"title": "普工", "count": 10, "skills": "能适应倒班", "start_date": timezone.localdate(), "contact_name": "李四",
            "contact_phone": "13800001111"}


def test_enterprise_posts_and_edits_its_positions(own: Enterprise, neighbour: Enterprise, user: Users) -> None:
    position = position_create(enterprise=own, data=POSITION, acting_user=user("ent_admin"))
    assert position.status == PositionStatus.OPEN and position.open_count == 10
    assert position_update(position=position, data={"status": "paused"}, acting_user=user("ent_admin")).open_count == 0
    with pytest.raises(PermissionDenied):
        position_create(enterprise=neighbour, data=POSITION, acting_user=user("ent_admin"))
    for someone in ("hitech_cmd", "grid_officer", "jmb_reviewer"):
        with pytest.raises(PermissionDenied):
            position_update(position=position, data={"count": 3}, acting_user=user(someone))


def test_filled_never_exceeds_wanted(own: Enterprise, user: Users) -> None:
    position = position_create(enterprise=own, data=POSITION, acting_user=user("ent_admin"))
    with pytest.raises(ValidationError) as error:
        position_track(position=position, matched_count=12, filled_count=11, acting_user=user("hitech_cmd"))
    assert "不能超过需求人数" in str(error.value)
    position_track(position=position, matched_count=8, filled_count=6, acting_user=user("hitech_cmd"))
    # nor by lowering the count below those already hired
    with pytest.raises(ValidationError):
        position_update(position=position, data={"count": 5}, acting_user=user("ent_admin"))
    assert Position.objects.get(pk=position.pk).open_count == 4


def test_position_dates_and_wages_are_checked(own: Enterprise, user: Users) -> None:
    data = POSITION | {"wage_min": 6000, "wage_max": 4000, "end_date": timezone.localdate() - timedelta(days=1)}
    with pytest.raises(ValidationError) as error:
        position_create(enterprise=own, data=data, acting_user=user("ent_admin"))
    assert set(error.value.message_dict) == {"wage_max", "end_date"}


def test_progress_by_the_hr_department_not_by_other_reviewers(own: Enterprise, user: Users, region: Callable[[str], Region]) -> None:
    position = position_create(enterprise=own, data=POSITION, acting_user=user("ent_admin"))
    with pytest.raises(PermissionDenied):
        position_track(position=position, matched_count=1, filled_count=1, acting_user=user("jmb_reviewer"))
    hr, _ = Department.objects.get_or_create(region=region(HEYUAN), name="人社局", defaults={"kind": DepartmentKind.HR})
    officer = User.objects.create(username="hr_officer")
    Membership.objects.create(user=officer, role="reviewer", department=hr)
    assert position_track(position=position, matched_count=3, filled_count=2, acting_user=officer).filled_count == 2
    with pytest.raises(PermissionDenied):
        position_track(position=position, matched_count=3, filled_count=2, acting_user=user("grid_officer"))


def test_totals_per_town_and_sector_and_open_positions(db: Any, region: Callable[[str], Region]) -> None:
    positions = list(Position.objects.select_related("enterprise__town"))
    hitech = region(HITECH)
    expected_open = sum(max(p.count - p.filled_count, 0) for p in positions if p.status == "open" and p.enterprise.town_id == hitech.pk)
    assert open_positions([hitech.path]) == expected_open > 0
    towns = {row.label: row for row in labour_by_town(Position.objects.all())}
    assert towns["高新区"].open == expected_open
    assert towns["高新区"].wanted == sum(p.count for p in positions if p.enterprise.town_id == hitech.pk)
    sectors = {row.key: row for row in labour_by_sector(Position.objects.all())}
    assert sum(row.positions for row in sectors.values()) == len(positions)
    assert sectors["industry"].filled == sum(p.filled_count for p in positions if p.enterprise.sector == "industry")


def test_demo_ledger_totals_shawans_980_at_full_scale(db: Any, region: Callable[[str], Region]) -> None:
    from tests.conftest import DEMO_SCALE

    assert open_positions([region(HITECH).path]) == round(980 * DEMO_SCALE)


def test_request_times_are_aware(rules: dict[str, RoutingRule], own: Enterprise, file_request: Any) -> None:
    request = file_request(own)
    assert isinstance(request.filed_at, datetime) and timezone.is_aware(request.filed_at)
