"""The check-in and alert services: the day in Asia/Shanghai, the slot from the policy, what a
fever or a symptom raises, closing an alert, the policy kept in the process."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from fugong.accounts.models import User
from fugong.audit.models import AuditEntry
from fugong.health.choices import AlertKind, AlertOutcome, AlertStatus, CheckInSource
from fugong.health.models import Alert, CheckIn
from fugong.health.services import (
    alert_close,
    cached_policy,
    checkin_batch,
    checkin_record,
    local_day_and_hour,
    slot_of,
)
from fugong.policy.parameters import SHANGHAI
from fugong.policy.services import Policy, policy_publish
from fugong.regions.models import Region
from fugong.workforce.models import Person
from tests.health.conftest import give_pass

pytestmark = pytest.mark.django_db

HEYUAN = "441602"


def policy(**values: Any) -> Policy:
    from fugong.policy.parameters import defaults

    return Policy(values=defaults() | values)


def publish(region: str | None, **values: Any) -> None:
    policy_publish(region=Region.objects.get(code=region) if region else None, values=values, effective_from=timezone.now() - timedelta(minutes=1),
                   note="测试", acting_user=User.objects.get(username="admin"))


# -- the day and the slot --------------------------------------------------------------------------

def test_at_0640_beijing_time_the_check_in_counts_for_that_day_although_utc_is_still_yesterday(staff: dict[str, Person]) -> None:
    # Given 06:40 on 10 February 2020 in Beijing: 22:40 on the 9th in UTC
    moment = datetime(2020, 2, 9, 22, 40, tzinfo=UTC)
    assert moment.date() == date(2020, 2, 9)
    # When a check-in taken then is recorded (then)
    [result] = checkin_batch(items=[{"person": staff["colleague"].pk, "temperature": "36.4", "at": moment.isoformat()}],
                             acting_user=User.objects.get(username="ent_admin"), now=moment)
    # Then it is the morning check of the 10th
    checkin = CheckIn.objects.get(pk=result.id)
    assert (checkin.date, checkin.slot) == (date(2020, 2, 10), 1)


def test_a_time_without_offset_is_read_as_beijing_time(staff: dict[str, Person]) -> None:
    now = datetime(2020, 2, 10, 15, 0, tzinfo=SHANGHAI)
    [result] = checkin_batch(items=[{"person": staff["colleague"].pk, "temperature": "36.4", "at": "2020-02-10T07:55:00"}],
                             acting_user=User.objects.get(username="ent_admin"), now=now)
    checkin = CheckIn.objects.get(pk=result.id)
    assert (checkin.date, checkin.slot) == (date(2020, 2, 10), 1)
    assert timezone.localtime(checkin.recorded_at).hour == 7


@pytest.mark.parametrize(("hour", "morning_ends", "slot"), [(11, 12, 1), (12, 12, 2), (10, 10, 2), (9, 10, 1), (23, 12, 2)])
def test_the_slot_comes_from_the_hour_and_the_policys_end_of_the_morning(hour: int, morning_ends: int, slot: int) -> None:
    assert slot_of(hour, policy(morning_slot_ends_hour=morning_ends)) == slot


def test_a_county_that_ends_the_morning_at_ten_puts_a_half_past_ten_check_in_in_the_afternoon(staff: dict[str, Person]) -> None:
    # Given 源城区's own policy: the morning check ends at 10:00
    publish(HEYUAN, morning_slot_ends_hour=10)
    now = datetime(2020, 2, 10, 10, 30, tzinfo=SHANGHAI)
    user = User.objects.get(username="admin")
    # When a worker of 源城区 and one of 鹤山市 check in at 10:30
    results = checkin_batch(items=[{"person": staff["colleague"].pk, "temperature": "36.5"}, {"person": staff["heshan"].pk, "temperature": "36.5"}],
                            acting_user=user, now=now)
    # Then the first counts for the afternoon and the second (seeds' 12:00) for the morning
    assert [CheckIn.objects.get(pk=r.id).slot for r in results] == [2, 1]


@settings(max_examples=300, deadline=None)
@given(hour=st.integers(0, 23), per_day=st.integers(1, 6), morning_ends=st.integers(6, 15))
def test_every_hour_falls_in_exactly_one_existing_slot_and_slots_never_go_back(hour: int, per_day: int, morning_ends: int) -> None:
    rules = policy(checkins_per_day=per_day, morning_slot_ends_hour=morning_ends)
    slot = slot_of(hour, rules)
    assert 1 <= slot <= per_day
    if hour < morning_ends or per_day == 1:
        assert slot == 1
    elif per_day > 1:
        assert slot >= 2  # the afternoon starts when the morning ends
    if hour > 0:
        assert slot_of(hour - 1, rules) <= slot
    assert slot_of(23, rules) == per_day  # the evening is the last slot of the day


@settings(max_examples=300, deadline=None)
@given(moment=st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)))
def test_the_day_is_always_the_day_in_beijing(moment: datetime) -> None:
    day, hour = local_day_and_hour(moment)
    beijing = (moment + timedelta(hours=8)).replace(tzinfo=None)
    assert (day, hour) == (beijing.date(), beijing.hour)


# -- what a check-in raises -------------------------------------------------------------------------

def test_a_fever_raises_an_alert_and_revokes_the_persons_passes(staff: dict[str, Person]) -> None:
    # Given a worker with an open pass
    colleague = staff["colleague"]
    issued = give_pass(colleague)
    # When their temperature is 37.3 ℃ (the seeds' threshold) at the morning check
    result = checkin_record(person=colleague, temperature="37.3", slot=1, acting_user=User.objects.get(username="ent_admin"))
    # Then a fever alert names them and the check-in, and the pass is revoked for fever
    assert result.alert is not None
    assert (result.alert.kind, result.alert.status, result.alert.checkin_id) == (AlertKind.FEVER, AlertStatus.OPEN, result.checkin.pk)
    assert result.alert.temperature == Decimal("37.3")
    issued.refresh_from_db()
    assert issued.revoked_at is not None and issued.revoked_reason == "fever"


def test_just_below_the_threshold_nothing_is_raised(staff: dict[str, Person]) -> None:
    colleague = staff["colleague"]
    issued = give_pass(colleague)
    result = checkin_record(person=colleague, temperature="37.2", slot=1)
    assert result.alert is None
    issued.refresh_from_db()
    assert issued.revoked_at is None


def test_a_county_with_a_lower_threshold_raises_at_its_own(staff: dict[str, Person]) -> None:
    publish(HEYUAN, fever_threshold_celsius="37.0")
    assert checkin_record(person=staff["colleague"], temperature="37.1", slot=1).alert is not None
    assert checkin_record(person=staff["heshan"], temperature="37.1", slot=1).alert is None


@pytest.mark.parametrize(("cough", "symptoms", "detail"), [(True, "", "症状：咳嗽"), (False, "咽痛", "症状：咽痛"), (True, "乏力", "症状：咳嗽、乏力")])
def test_a_cough_or_another_symptom_raises_a_symptom_alert_and_keeps_the_pass(staff: dict[str, Person], cough: bool, symptoms: str,
                                                                              detail: str) -> None:
    colleague = staff["colleague"]
    issued = give_pass(colleague)
    result = checkin_record(person=colleague, temperature="36.6", cough=cough, symptoms=symptoms, slot=1)
    assert result.alert is not None and (result.alert.kind, result.alert.detail) == (AlertKind.SYMPTOM, detail)
    issued.refresh_from_db()
    assert issued.revoked_at is None


def test_a_correction_in_the_same_slot_does_not_raise_the_same_alert_twice(staff: dict[str, Person]) -> None:
    colleague = staff["colleague"]
    first = checkin_record(person=colleague, temperature="38.0", slot=1)
    again = checkin_record(person=colleague, temperature="38.2", slot=1)
    assert again.checkin.pk == first.checkin.pk and not again.created
    assert again.alert == first.alert
    assert Alert.objects.filter(person=colleague).count() == 1


def test_a_new_fever_after_the_alert_was_closed_raises_a_new_one(staff: dict[str, Person]) -> None:
    colleague = staff["colleague"]
    first = checkin_record(person=colleague, temperature="38.0", slot=1)
    assert first.alert is not None
    alert_close(alert=first.alert, outcome=AlertOutcome.CLEARED, note="复测正常。", acting_user=User.objects.get(username="ent_admin"))
    again = checkin_record(person=colleague, temperature="38.3", slot=1)
    assert again.alert is not None and again.alert.pk != first.alert.pk


@pytest.mark.parametrize(("value", "message"), [("35", None), ("abc", "体温应为数字"), ("45", "34.0–43.0"), ("33.9", "34.0–43.0"),
                                                 ("NaN", "34.0–43.0")])
def test_a_temperature_is_a_body_temperature_or_refused_in_chinese(staff: dict[str, Person], value: str, message: str | None) -> None:
    if message is None:
        assert checkin_record(person=staff["colleague"], temperature=value, slot=1).checkin.temperature == Decimal("35.0")
        return
    with pytest.raises(ValidationError) as refused:
        checkin_record(person=staff["colleague"], temperature=value, slot=1)
    assert message in " ".join(refused.value.messages)


def test_a_check_in_older_than_the_policy_allows_is_refused(staff: dict[str, Person]) -> None:
    with pytest.raises(ValidationError) as refused:
        checkin_record(person=staff["colleague"], temperature="36.5", at=timezone.now() - timedelta(days=3))
    assert "补报" in " ".join(refused.value.messages)
    assert checkin_record(person=staff["colleague"], temperature="36.5", at=timezone.now() - timedelta(days=2)).created


# -- closing an alert -------------------------------------------------------------------------------

def _fever(person: Person) -> Alert:
    alert = checkin_record(person=person, temperature="38.5", slot=1).alert
    assert alert is not None
    return alert


def test_closing_an_alert_keeps_the_outcome_and_is_audited_without_personal_values(staff: dict[str, Person]) -> None:
    colleague = staff["colleague"]
    alert = _fever(colleague)
    user = User.objects.get(username="ent_admin")
    closed = alert_close(alert=alert, outcome=AlertOutcome.CLINIC, note=f"已送{colleague.name}至市人民医院发热门诊。", acting_user=user)
    assert (closed.status, closed.outcome, closed.closed_by) == (AlertStatus.CLOSED, AlertOutcome.CLINIC, user)
    entry = AuditEntry.objects.filter(action="alert.close").order_by("-seq").first()
    assert entry is not None and entry.object_id == str(alert.pk) and entry.actor_id == user.pk
    text = json.dumps(entry.data, ensure_ascii=False) + entry.object_label
    assert entry.data["outcome"] == AlertOutcome.CLINIC
    for personal in (colleague.name, colleague.phone, colleague.id_masked, "发热门诊", "38.5"):
        assert personal not in text


def test_closing_needs_an_outcome_and_a_note(staff: dict[str, Person]) -> None:
    alert = _fever(staff["colleague"])
    user = User.objects.get(username="ent_admin")
    with pytest.raises(ValidationError):
        alert_close(alert=alert, outcome="", note="已处置。", acting_user=user)
    with pytest.raises(ValidationError):
        alert_close(alert=alert, outcome=AlertOutcome.CLEARED, note="  ", acting_user=user)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


@pytest.mark.parametrize("username", ["employee", "gate_guard", "jmb_reviewer", "gongh_grid"])
def test_only_the_officers_over_the_enterprise_and_its_admin_close_its_alerts(staff: dict[str, Person], username: str) -> None:
    alert = _fever(staff["colleague"])
    with pytest.raises(PermissionDenied):
        alert_close(alert=alert, outcome=AlertOutcome.CLEARED, note="排除。", acting_user=User.objects.get(username=username))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_closing_a_closed_alert_changes_nothing(staff: dict[str, Person]) -> None:
    alert = _fever(staff["colleague"])
    admin = User.objects.get(username="ent_admin")
    first = alert_close(alert=alert, outcome=AlertOutcome.ISOLATED, note="已隔离。", acting_user=admin)
    audits = AuditEntry.objects.filter(action="alert.close").count()
    again = alert_close(alert=alert, outcome=AlertOutcome.CLEARED, note="排除。", acting_user=User.objects.get(username="grid_officer"))
    assert (again.outcome, again.closed_at) == (first.outcome, first.closed_at)
    assert AuditEntry.objects.filter(action="alert.close").count() == audits


# -- the policy kept in the process -----------------------------------------------------------------

def test_a_published_policy_reaches_the_check_ins_of_this_process_at_once(staff: dict[str, Person], policy_cache: None) -> None:
    # Given the policy of 源城区 cached by a first check-in
    colleague = staff["colleague"]
    assert checkin_record(person=colleague, temperature="37.1", slot=1).alert is None
    assert cached_policy(colleague.enterprise.region_id).fever_threshold_celsius == Decimal("37.3")
    # When 源城区 lowers its threshold to 37.0
    publish(HEYUAN, fever_threshold_celsius="37.0")
    # Then the next check-in is judged by it, without waiting for the cache to expire
    assert checkin_record(person=colleague, temperature="37.1", slot=2).alert is not None


def test_the_cached_policy_is_read_once_per_place(staff: dict[str, Person], policy_cache: None, django_assert_num_queries: Any) -> None:
    region_id = staff["colleague"].enterprise.region_id
    cached_policy(region_id)
    with django_assert_num_queries(0):
        for _ in range(5):
            cached_policy(region_id)


def test_a_check_in_keeps_where_it_was_taken(staff: dict[str, Person]) -> None:
    result = checkin_record(person=staff["employee"], temperature="36.5", slot=1, source=CheckInSource.GATE)
    assert result.checkin.source == CheckInSource.GATE


def test_a_reading_half_a_tenth_below_the_threshold_rounds_up_to_a_fever() -> None:
    from fugong.health.services import clean_temperature

    assert clean_temperature("37.25") == Decimal("37.3")
    assert clean_temperature("37.24") == Decimal("37.2")
