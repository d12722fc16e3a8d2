"""The pre-submission checks (policy.decisions.application_checks) as pure functions: facts and a
policy in, checks with Chinese reasons out. No database, no clock: the tests pass both."""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fugong.policy.decisions import ApplicationFacts, Check, application_checks, headcount_supported, masks_needed, needs_county_approval
from fugong.policy.parameters import SHANGHAI, defaults
from fugong.policy.services import Policy

NOW = datetime(2020, 2, 6, 9, 0, tzinfo=SHANGHAI)
GENERAL = datetime(2020, 2, 10, 0, 0, tzinfo=SHANGHAI)  # the seeds' earliest resumption for ordinary enterprises
ALL_FILES = frozenset({"prevention_plan", "emergency_plan", "commitment"})
EQUIPPED = {"single_room": True, "suits": True, "goggles": True, "medical_kit": True}


def policy(**overrides: Any) -> Policy:
    return Policy(values={**defaults(), **overrides})


def facts(**overrides: Any) -> ApplicationFacts:
    """An application that passes every check: 100 people from 12 Feb with 7 days of masks."""
    base = ApplicationFacts(
        planned_start=datetime(2020, 2, 12, 8, 0, tzinfo=SHANGHAI), is_essential=False, returning_headcount=100,
        reserves={"mask": 700, "thermometer": 5, "disinfectant": 20, "alcohol": 10, "gloves": 300},
        observation_room=True, observation_equipment=EQUIPPED, commitment_signed=True, attachment_kinds=ALL_FILES,
    )
    return dataclasses.replace(base, **overrides)


def checks(f: ApplicationFacts | None = None, p: Policy | None = None, now: datetime = NOW) -> dict[str, Check]:
    result = application_checks(f or facts(), p or policy(), now)
    codes = [c.code for c in result]
    assert len(codes) == len(set(codes)), "one check per code"
    return {c.code: c for c in result}


def blocking_failures(f: ApplicationFacts, p: Policy | None = None, now: datetime = NOW) -> set[str]:
    return {c.code for c in checks(f, p, now).values() if not c.ok and c.blocking}


def test_a_complete_application_passes_every_check() -> None:
    result = checks()

    assert all(c.ok for c in result.values()), [c.message for c in result.values() if not c.ok]
    assert {"lead_time", "earliest_date", "masks", "observation_room", "commitment", "attachments"} <= set(result)


# -- lead time (48 hours) ----------------------------------------------------------------------------


def test_a_planned_start_exactly_48_hours_ahead_is_in_time() -> None:
    result = checks(facts(planned_start=NOW + timedelta(hours=48)))["lead_time"]

    assert result.ok
    assert result.rule == ("application_lead_hours",)


def test_a_planned_start_one_second_short_of_48_hours_is_refused_with_the_earliest_allowed_time() -> None:
    # Given a planned start a second too early
    result = checks(facts(planned_start=NOW + timedelta(hours=48) - timedelta(seconds=1)))["lead_time"]

    # Then it blocks, and says when the earliest allowed start is
    assert (result.ok, result.blocking) == (False, True)
    assert "须至少提前 48 小时申报" in result.message
    assert "2020-02-08 09:00" in result.message


def test_the_lead_time_follows_the_policy_value() -> None:
    planned = NOW + timedelta(hours=30)

    assert not checks(facts(planned_start=planned))["lead_time"].ok
    assert checks(facts(planned_start=planned), policy(application_lead_hours=24))["lead_time"].ok


def test_without_a_planned_start_the_application_is_told_to_give_one() -> None:
    result = checks(facts(planned_start=None))

    assert not result["planned_start"].ok and result["planned_start"].blocking
    assert "计划复工时间" in result["planned_start"].message
    assert "lead_time" not in result


# -- earliest resumption date ------------------------------------------------------------------------


def test_an_essential_enterprise_may_plan_before_the_general_date_with_the_county_approving() -> None:
    # Given an essential-supply enterprise planning to start on 9 Feb, submitted in time
    early = facts(planned_start=datetime(2020, 2, 9, 8, 0, tzinfo=SHANGHAI), is_essential=True)

    result = checks(early, now=datetime(2020, 2, 5, 8, 0, tzinfo=SHANGHAI))["earliest_date"]

    # Then it is a warning, not a refusal, and the county must approve
    assert (result.ok, result.blocking, result.level) == (False, False, "warning")
    assert "需县区指挥部批准" in result.message
    assert needs_county_approval(early, policy())


def test_an_ordinary_enterprise_may_not_plan_before_the_general_date() -> None:
    early = facts(planned_start=datetime(2020, 2, 9, 23, 59, tzinfo=SHANGHAI), is_essential=False)

    result = checks(early, now=datetime(2020, 2, 5, 8, 0, tzinfo=SHANGHAI))["earliest_date"]

    assert (result.ok, result.blocking, result.level) == (False, True, "error")
    assert "2020-02-10 00:00" in result.message


def test_the_general_date_itself_is_allowed_and_needs_no_county_approval() -> None:
    on_time = facts(planned_start=GENERAL)

    assert checks(on_time, now=GENERAL - timedelta(days=3))["earliest_date"].ok
    assert not needs_county_approval(on_time, policy())


def test_a_declared_special_case_needs_the_county_even_after_the_general_date() -> None:
    assert needs_county_approval(facts(special_reason="新增生产线，申请三班倒"), policy())
    assert not needs_county_approval(facts(special_reason="   "), policy())


# -- masks (7 days × 1 per person per day) ------------------------------------------------------------


def test_a_mask_shortfall_says_how_many_are_needed_missing_and_how_many_people_the_stock_covers() -> None:
    # Given 100 people returning and 500 masks in stock
    result = checks(facts(returning_headcount=100, reserves={"mask": 500}))["masks"]

    # Then 100 × 7 × 1 = 700 are needed, 200 are missing, and 500 masks cover 71 people for 7 days
    assert (result.ok, result.blocking) == (False, True)
    assert "100 人 7 天需 700 只" in result.message
    assert "现有 500 只" in result.message
    assert "缺 200 只" in result.message
    assert "最多安排 71 人返岗" in result.message
    assert result.rule == ("material_reserve_days", "masks_per_person_per_day")


def test_exactly_seven_days_of_masks_is_enough() -> None:
    result = checks(facts(returning_headcount=100, reserves={"mask": 700}))["masks"]

    assert result.ok
    assert "满足 100 人 7 天用量（700 只）" in result.message


def test_mask_arithmetic_follows_the_policy_and_rounds_up() -> None:
    generous = policy(masks_per_person_per_day=Decimal("1.5"), material_reserve_days=10)

    assert masks_needed(33, generous) == 495
    assert masks_needed(1, policy(masks_per_person_per_day=Decimal("0.3"))) == 3  # 2.1 → 3 whole masks
    assert headcount_supported(500, policy()) == 71
    assert headcount_supported(100, policy(masks_per_person_per_day=Decimal("0"))) == 0


@given(headcount=st.integers(min_value=1, max_value=5000), masks=st.integers(min_value=0, max_value=50_000))
def test_the_masks_check_passes_exactly_when_the_stock_covers_everyone_for_seven_days(headcount: int, masks: int) -> None:
    result = checks(facts(returning_headcount=headcount, reserves={"mask": masks}))["masks"]

    assert result.ok == (masks >= headcount * 7)
    if not result.ok:
        assert f"缺 {headcount * 7 - masks} 只" in result.message
        assert headcount_supported(masks, policy()) < headcount


@given(headcount=st.integers(min_value=1, max_value=2000), masks=st.integers(min_value=0, max_value=40_000),
       days=st.integers(min_value=1, max_value=30), rate=st.decimals(min_value=Decimal("0.1"), max_value=Decimal("3"), places=1))
def test_the_masks_check_follows_any_policy(headcount: int, masks: int, days: int, rate: Decimal) -> None:
    p = policy(material_reserve_days=days, masks_per_person_per_day=rate)

    result = checks(facts(returning_headcount=headcount, reserves={"mask": masks}), p)["masks"]

    assert result.ok == (masks >= math.ceil(headcount * rate * days))


def test_without_returning_staff_there_is_no_mask_check_but_a_request_for_the_return_plan() -> None:
    result = checks(facts(returning_headcount=0))

    assert "masks" not in result
    assert not result["headcount"].ok and result["headcount"].blocking


def test_missing_other_supplies_are_warnings_only() -> None:
    result = checks(facts(reserves={"mask": 700}))

    warnings = {c.code for c in result.values() if c.level == "warning"}
    assert warnings == {"reserve_thermometer", "reserve_disinfectant", "reserve_alcohol", "reserve_gloves"}
    assert "未登记体温计储备" in result["reserve_thermometer"].message


# -- dormitory (≤ 4 per room) ----------------------------------------------------------------------------


def test_four_per_room_is_allowed() -> None:
    result = checks(facts(has_dormitory=True, dormitory_rooms=10, dormitory_residents=40))["dormitory"]

    assert result.ok
    assert result.rule == ("dormitory_max_per_room",)


def test_more_than_four_per_room_says_how_many_rooms_are_needed() -> None:
    result = checks(facts(has_dormitory=True, dormitory_rooms=10, dormitory_residents=41))["dormitory"]

    assert (result.ok, result.blocking) == (False, True)
    assert "平均每间 4.1 人，超过每间 4 人" in result.message
    assert "至少需要 11 间" in result.message


def test_a_dormitory_without_rooms_given_is_asked_for_them() -> None:
    result = checks(facts(has_dormitory=True, dormitory_rooms=0, dormitory_residents=12))["dormitory"]

    assert (result.ok, result.blocking) == (False, True)
    assert "宿舍间数" in result.message


def test_no_dormitory_no_dormitory_check() -> None:
    assert "dormitory" not in checks(facts(has_dormitory=False))


# -- observation room, commitment, attachments ---------------------------------------------------------------


def test_an_observation_room_is_required() -> None:
    result = checks(facts(observation_room=False, observation_equipment={}))["observation_room"]

    assert (result.ok, result.blocking) == (False, True)
    assert "隔离观察室" in result.message


def test_missing_observation_equipment_is_named_as_a_warning() -> None:
    result = checks(facts(observation_equipment={"single_room": True, "suits": False, "goggles": True}))["observation_room"]

    assert (result.ok, result.blocking) == (False, False)
    assert result.message == "隔离观察室缺少：防护服、医药箱。"


def test_the_commitment_must_be_signed_and_says_fourteen_days() -> None:
    result = checks(facts(commitment_signed=False))["commitment"]

    assert (result.ok, result.blocking) == (False, True)
    assert "14 天内" in result.message


def test_missing_documents_are_named() -> None:
    result = checks(facts(attachment_kinds=frozenset({"commitment"})))["attachments"]

    assert (result.ok, result.blocking) == (False, True)
    assert result.message == "请上传：防控实施方案、应急预案。"


def test_a_shuttle_bus_also_needs_its_vehicle_list() -> None:
    assert checks(facts(has_shuttle_bus=False))["attachments"].ok
    result = checks(facts(has_shuttle_bus=True))["attachments"]

    assert not result.ok
    assert "班车车辆及人员清单" in result.message
    assert checks(facts(has_shuttle_bus=True, attachment_kinds=ALL_FILES | {"bus_list"}))["attachments"].ok


def test_every_failure_reads_in_chinese() -> None:
    broken = facts(planned_start=NOW, returning_headcount=10, reserves={}, has_dormitory=True, dormitory_rooms=1, dormitory_residents=9,
                   observation_room=False, commitment_signed=False, attachment_kinds=frozenset())

    failures = [c for c in application_checks(broken, policy(), NOW) if not c.ok]

    assert {"lead_time", "masks", "dormitory", "observation_room", "commitment", "attachments"} <= {c.code for c in failures}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c.message) for c in failures)


# -- purity ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_checks_read_neither_the_database_nor_the_clock(django_assert_num_queries: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a clock that must not be read
    from django.utils import timezone

    def no_clock() -> datetime:
        raise AssertionError("the checks read the clock")

    monkeypatch.setattr(timezone, "now", no_clock)

    # When every check runs, failing and passing ones alike
    with django_assert_num_queries(0):
        passing = application_checks(facts(), policy(), NOW)
        failing = application_checks(facts(reserves={}, has_dormitory=True, dormitory_rooms=1, dormitory_residents=9), policy(), NOW)

    # Then they decide from the facts and the policy alone, the same way every time
    assert passing == application_checks(facts(), policy(), NOW)
    assert any(not c.ok for c in failing)


def test_return_dates_already_past_are_a_warning_that_does_not_block():
    from datetime import date as day

    now = datetime(2020, 3, 1, 9, 0, tzinfo=SHANGHAI)
    facts = ApplicationFacts(planned_start=now + timedelta(days=5), is_essential=False, returning_headcount=30,
                             return_batches=((day(2020, 2, 20), 10), (day(2020, 3, 4), 20)))
    check = next(c for c in application_checks(facts, Policy(values=defaults()), now) if c.code == "return_dates")
    assert not check.ok and not check.blocking
    assert "10 人" in check.message and "2020-02-20" in check.message
