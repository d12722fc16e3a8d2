"""The flag rule one reason at a time, and the bulk refresh: history only on change, bounded queries."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from fugong.command.choices import Flag, Reason
from fugong.command.flags import FlagFacts, decide
from fugong.command.models import EnterpriseFlag, FlagChange
from fugong.command.services import flags_refresh, mark_dirty, refresh_dirty
from fugong.enterprises.models import Enterprise
from fugong.health.choices import AlertKind
from fugong.health.models import Alert
from fugong.inspections.choices import RectificationStatus
from fugong.inspections.models import RectificationItem

POLICY = SimpleNamespace(flag_returned_percent=100, material_reserve_days=7)
GREEN = FlagFacts(status="approved", planned=10, returned=10)


def codes(facts: FlagFacts) -> list[str]:
    return decide(facts, POLICY).codes


@pytest.mark.parametrize("status, reason", [("not_applied", Reason.NOT_APPLIED), ("applying", Reason.APPLYING), ("suspended", Reason.SUSPENDED)])
def test_not_resumed_or_suspended_is_red_with_its_reason(status: str, reason: str) -> None:
    decision = decide(FlagFacts(status=status), POLICY)
    assert decision.flag == Flag.RED
    assert decision.codes == [reason]


def test_resumed_with_everyone_back_and_no_problem_is_green() -> None:
    assert decide(GREEN, POLICY).flag == Flag.GREEN
    assert decide(FlagFacts(status="resumed"), POLICY).flag == Flag.GREEN  # no return plan: nothing to compare with


@pytest.mark.parametrize("change, reason", [
    ({"returned": 9}, Reason.PARTLY_RETURNED),
    ({"rectifications_open": 1}, Reason.RECTIFICATION_OPEN),
    ({"rectifications_overdue": 2}, Reason.RECTIFICATION_OVERDUE),
    ({"help_open": 1}, Reason.HELP_OPEN),
    ({"materials_short": ("口罩",)}, Reason.MATERIALS_SHORT),
    ({"report_missing_on": date(2020, 3, 1)}, Reason.REPORT_MISSING),
    ({"fever_open": 1}, Reason.FEVER_OPEN),
])
def test_each_problem_turns_a_resumed_enterprise_yellow_and_says_why(change: dict[str, Any], reason: str) -> None:
    facts = FlagFacts(**{**GREEN.__dict__, **change})
    decision = decide(facts, POLICY)
    assert decision.flag == Flag.YELLOW
    assert decision.codes == [reason]
    assert decision.reasons[0][1]  # a Chinese text


def test_the_returned_threshold_is_the_policy_parameter() -> None:
    facts = FlagFacts(status="approved", planned=10, returned=8)
    assert decide(facts, SimpleNamespace(flag_returned_percent=80, material_reserve_days=7)).flag == Flag.GREEN
    assert decide(facts, SimpleNamespace(flag_returned_percent=90, material_reserve_days=7)).flag == Flag.YELLOW


def test_problems_of_a_red_enterprise_are_listed_and_it_stays_red() -> None:
    decision = decide(FlagFacts(status="applying", rectifications_open=1), POLICY)
    assert decision.flag == Flag.RED
    assert decision.codes == [Reason.APPLYING, Reason.RECTIFICATION_OPEN]


# -- the service, on the demo ------------------------------------------------------------------------


def _resumed_enterprise() -> Enterprise:
    return Enterprise.objects.filter(status="approved").order_by("pk").first()  # type: ignore[return-value]


@pytest.mark.django_db
def test_refresh_writes_history_only_when_the_colour_changes() -> None:
    enterprise = _resumed_enterprise()
    flags_refresh(enterprises=[enterprise.pk])
    before = FlagChange.objects.filter(enterprise=enterprise).count()
    flags_refresh(enterprises=[enterprise.pk])
    assert FlagChange.objects.filter(enterprise=enterprise).count() == before, "same colour: no history row"
    was = EnterpriseFlag.objects.get(enterprise=enterprise).flag
    Enterprise.objects.filter(pk=enterprise.pk).update(status="suspended")
    flags_refresh(enterprises=[enterprise.pk])
    flag = EnterpriseFlag.objects.get(enterprise=enterprise)
    assert flag.flag == Flag.RED and Reason.SUSPENDED in flag.reason_codes
    change = FlagChange.objects.filter(enterprise=enterprise).order_by("-changed_at", "-pk").first()
    assert change is not None and (change.old_flag, change.new_flag) == (was, Flag.RED)
    assert FlagChange.objects.filter(enterprise=enterprise).count() == before + (was != Flag.RED)


@pytest.mark.django_db
def test_an_open_fever_alert_and_an_overdue_finding_show_as_reasons_with_their_lists() -> None:
    enterprise = _resumed_enterprise()
    now = timezone.now()
    Alert.objects.create(kind=AlertKind.FEVER, enterprise=enterprise, date=timezone.localdate(), detail="37.9℃", raised_at=now)
    RectificationItem.objects.create(enterprise=enterprise, description="测温点无人值守", deadline=timezone.localdate() - timedelta(days=2),
                                     status=RectificationStatus.OPEN)
    flags_refresh(enterprises=[enterprise.pk])
    flag = EnterpriseFlag.objects.get(enterprise=enterprise)
    by_code = {r["code"]: r for r in flag.reasons}
    assert flag.flag == Flag.YELLOW
    assert f"enterprise={enterprise.pk}" in by_code[Reason.FEVER_OPEN]["url"] and "status=open" in by_code[Reason.FEVER_OPEN]["url"]
    assert "overdue=true" in by_code[Reason.RECTIFICATION_OVERDUE]["url"]


@pytest.mark.django_db
def test_an_event_marks_the_flag_dirty_and_the_periodic_job_recomputes_it() -> None:
    enterprise = _resumed_enterprise()
    flags_refresh(enterprises=[enterprise.pk])
    Alert.objects.create(kind=AlertKind.FEVER, enterprise=enterprise, date=timezone.localdate(), detail="38.1℃", raised_at=timezone.now())
    assert EnterpriseFlag.objects.get(enterprise=enterprise).dirty  # the signal marked it
    result = refresh_dirty()
    flag = EnterpriseFlag.objects.get(enterprise=enterprise)
    assert result.computed >= 1 and not flag.dirty and Reason.FEVER_OPEN in flag.reason_codes
    assert mark_dirty([]) == 0


@pytest.mark.django_db
def test_refreshing_the_whole_county_takes_a_bounded_number_of_queries(django_assert_max_num_queries: Any) -> None:
    EnterpriseFlag.objects.all().delete()  # every flag is new: the most writes
    with django_assert_max_num_queries(60):
        result = flags_refresh()
    assert result.computed == Enterprise.objects.count() > 100


@pytest.mark.django_db
def test_a_queryset_of_enterprises_is_refreshed_as_a_subquery_not_a_list_of_ids() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    town_id = Enterprise.objects.order_by("pk").values_list("town_id", flat=True).first()
    chosen = Enterprise.objects.filter(town_id=town_id)
    with CaptureQueriesContext(connection) as queries:
        result = flags_refresh(enterprises=chosen)
    assert result.computed == chosen.count() > 0 and result.town_ids == {town_id}
    longest = max(len(q["sql"]) for q in queries.captured_queries if "INSERT" not in q["sql"] and "UPDATE" not in q["sql"])
    assert longest < 4000  # the ids are not spelled out
    by_list = {f.enterprise_id: (f.flag, f.reasons) for f in EnterpriseFlag.objects.filter(enterprise__in=chosen)}
    flags_refresh(enterprises=list(chosen.values_list("pk", flat=True)))
    assert by_list == {f.enterprise_id: (f.flag, f.reasons) for f in EnterpriseFlag.objects.filter(enterprise__in=chosen)}


@pytest.mark.django_db
def test_the_county_of_a_place_is_found_by_its_path() -> None:
    from fugong.command.policies import CountyPolicies
    from fugong.regions.models import Region

    policies = CountyPolicies(timezone.localdate())
    grid = Region.objects.filter(level="grid").order_by("pk").first()
    assert grid is not None
    county = grid.ancestor_at("county")
    assert county is not None
    assert policies.county_of(grid.path) == county
    assert policies.county_of(county.path) == county
    assert policies.county_of("/") is None
