"""Every number of the seed notices is a typed parameter whose default is the seed value."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from fugong.policy.parameters import BY_KEY, PARAMETERS, SHANGHAI, defaults
from fugong.policy.services import validate_values


def test_defaults_are_the_seed_values():
    values = defaults()
    assert values["application_lead_hours"] == 48
    assert values["material_reserve_days"] == 7
    assert values["masks_per_person_per_day"] == Decimal("1")
    assert values["dormitory_max_per_room"] == 4
    assert values["commitment_days"] == 14
    assert values["travel_history_days"] == 14
    assert values["central_quarantine_days"] == 14
    assert values["fever_threshold_celsius"] == Decimal("37.3")
    assert values["checkins_per_day"] == 2
    assert values["max_commute_hours"] == 6
    assert values["patrol_visits_per_week"] == 3
    assert values["zone_leader_patrol_every_days"] == 2
    assert values["canteen_min_distance_cm"] == 100
    assert values["daily_report_deadline_hour"] == 10
    assert values["earliest_resumption_at"] == datetime(2020, 2, 10, 0, 0, tzinfo=SHANGHAI)


def test_every_default_passes_its_own_checks():
    for parameter in PARAMETERS:
        assert parameter.parse(parameter.dump(parameter.default)) == parameter.default, parameter.key


def test_parameter_keys_are_unique():
    assert len(BY_KEY) == len(PARAMETERS)


def test_a_number_typed_as_text_is_read():
    assert BY_KEY["application_lead_hours"].parse("24") == 24
    assert BY_KEY["fever_threshold_celsius"].parse("37.5") == Decimal("37.5")
    assert BY_KEY["fever_threshold_celsius"].parse(37.3) == Decimal("37.3")


def test_a_time_without_a_zone_is_taken_as_beijing_time():
    parsed = BY_KEY["earliest_resumption_at"].parse("2020-02-17T08:00")
    assert parsed == datetime(2020, 2, 17, 8, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("application_lead_hours", "两天", "“申请须提前(小时)”的值“两天”格式不正确"),
        ("application_lead_hours", 1.5, "格式不正确"),
        ("application_lead_hours", "1.5", "格式不正确"),
        ("application_lead_hours", None, "格式不正确"),
        ("application_lead_hours", -1, "“申请须提前(小时)”不能小于 0"),
        ("application_lead_hours", 721, "“申请须提前(小时)”不能大于 720"),
        ("dormitory_max_per_room", 0, "“宿舍每间最多人数”不能小于 1"),
        ("fever_threshold_celsius", "abc", "“发热体温阈值”的值“abc”格式不正确"),
        ("fever_threshold_celsius", "40", "不能大于 39"),
        ("fever_threshold_celsius", "NaN", "格式不正确"),
        ("fever_threshold_celsius", "Infinity", "“发热体温阈值”"),
        ("earliest_resumption_at", "2月10日", "格式不正确"),
    ],
)
def test_a_bad_value_is_refused_with_a_chinese_message(key, raw, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        BY_KEY[key].parse(raw)


def test_validating_lists_every_problem_at_once_in_chinese():
    with pytest.raises(ValueError) as refused:
        validate_values({"application_lead_hours": 9999, "fever_threshold_celsius": "热", "no_such_thing": 1})
    message = str(refused.value)
    assert "不能大于 720" in message
    assert "“发热体温阈值”的值“热”格式不正确" in message
    assert "未知参数“no_such_thing”" in message


@pytest.mark.django_db
def test_checking_values_needs_no_database(django_assert_num_queries):
    # Parsing and validating are pure: the clock and the database are the caller's business
    with django_assert_num_queries(0):
        assert validate_values({"application_lead_hours": "24", "fever_threshold_celsius": "37.5"}) == {
            "application_lead_hours": 24, "fever_threshold_celsius": "37.5"}
        assert defaults()["application_lead_hours"] == 48
