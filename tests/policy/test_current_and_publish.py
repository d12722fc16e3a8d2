"""Which policy is in force where and when, and publishing new versions."""

from __future__ import annotations

from datetime import datetime

import pytest

from fugong.audit.models import AuditEntry
from fugong.policy.models import PolicyVersion
from fugong.policy.parameters import SHANGHAI
from fugong.policy.services import current, policy_publish

HEYUAN, HITECH, HESHAN, SHAPING = "441602", "441602-GXQ", "440784", "440784001"


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


def publish(region=None, *, values, effective_from, user=None, note="测试调整"):
    return policy_publish(region=region, values=values, effective_from=effective_from, note=note, acting_user=user)


@pytest.mark.django_db
def test_the_seeded_base_policy_holds_the_seed_values():
    policy = current(None, at(2020, 2, 20))
    assert policy.application_lead_hours == 48
    assert policy.fever_threshold_celsius == policy["fever_threshold_celsius"]
    assert str(policy.fever_threshold_celsius) == "37.3"
    assert policy.dormitory_max_per_room == 4


@pytest.mark.django_db
def test_before_any_version_the_defaults_apply():
    policy = current(None, at(2019, 12, 1))
    assert policy.version_ids == ()
    assert policy.application_lead_hours == 48
    assert set(policy.sources.values()) == {"默认值"}


@pytest.mark.django_db
def test_the_version_in_force_at_the_moment_asked_is_used(users):
    # Given a base change to 24 hours' notice from 1 March 2020
    publish(values={"application_lead_hours": 24}, effective_from=at(2020, 3, 1), user=users("admin"))
    # Then a decision made on 29 February uses 48 hours and one on 1 March uses 24
    assert current(None, at(2020, 2, 29, 23, 59)).application_lead_hours == 48
    assert current(None, at(2020, 3, 1)).application_lead_hours == 24
    assert current(None, at(2020, 6, 1)).application_lead_hours == 24


@pytest.mark.django_db
def test_a_version_published_for_the_future_is_not_in_force_yet(users):
    publish(values={"application_lead_hours": 72}, effective_from=at(2099, 1, 1), user=users("admin"))
    assert current(None).application_lead_hours == 48


@pytest.mark.django_db
def test_a_county_override_applies_to_that_county_and_everything_below_it(region):
    # 鹤山市 asks for daily reports by 9:00 from 9 February 2020; the base says 10:00
    when = at(2020, 3, 1)
    assert current(region(HESHAN), when).daily_report_deadline_hour == 9
    assert current(region(SHAPING), when).daily_report_deadline_hour == 9
    heshan_grid = region(SHAPING).children.first().children.first()
    assert current(heshan_grid, when).daily_report_deadline_hour == 9


@pytest.mark.django_db
def test_a_county_override_does_not_reach_other_counties_or_the_base(region):
    when = at(2020, 3, 1)
    assert current(region(HEYUAN), when).daily_report_deadline_hour == 10
    assert current(region(HITECH), when).daily_report_deadline_hour == 10
    assert current(None, when).daily_report_deadline_hour == 10


@pytest.mark.django_db
def test_a_county_override_is_not_in_force_before_its_date(region):
    assert current(region(HESHAN), at(2020, 2, 8)).daily_report_deadline_hour == 10


@pytest.mark.django_db
def test_the_source_of_each_value_is_told(region):
    policy = current(region(HESHAN), at(2020, 3, 1))
    assert "鹤山市" in policy.sources["daily_report_deadline_hour"]
    assert "全域" in policy.sources["application_lead_hours"]


@pytest.mark.django_db
def test_a_later_base_change_still_reaches_a_county_for_what_it_did_not_decide(region, users):
    # Given 鹤山市's own deadline, and a base change of the notice period
    publish(values={"application_lead_hours": 24, "daily_report_deadline_hour": 11}, effective_from=at(2020, 3, 1), user=users("admin"))
    policy = current(region(HESHAN), at(2020, 3, 2))
    # Then 鹤山市 gets the new notice period but keeps its own deadline
    assert policy.application_lead_hours == 24
    assert policy.daily_report_deadline_hour == 9


@pytest.mark.django_db
def test_publishing_adds_a_version_and_leaves_the_old_one_as_it_was(users):
    # Given the seeded base version
    seeded = PolicyVersion.objects.get(region=None)
    seeded_values = dict(seeded.values)
    # When a change is published
    new = publish(values={"material_reserve_days": 10}, effective_from=at(2020, 3, 1), user=users("admin"))
    # Then there is a second, complete version and the first is untouched
    assert new.pk != seeded.pk
    assert new.version == seeded.version + 1
    assert new.values["material_reserve_days"] == 10
    assert new.values["application_lead_hours"] == 48
    seeded.refresh_from_db()
    assert seeded.values == seeded_values
    assert new.created_by == users("admin")


@pytest.mark.django_db
def test_a_county_version_keeps_only_what_differs_from_the_base(region, users):
    # When 鹤山市 publishes the full form with one value changed
    full = dict(current(region(HESHAN), at(2020, 3, 1)).values)
    full["daily_report_deadline_hour"] = 8
    version = publish(region(HESHAN), values=full, effective_from=at(2020, 3, 1), user=users("heshan_cmd"))
    # Then only that value is stored for the county
    assert version.values == {"daily_report_deadline_hour": 8}
    assert version.version == 2
    assert current(region(HESHAN), at(2020, 3, 2)).daily_report_deadline_hour == 8


@pytest.mark.django_db
def test_publishing_is_audited_with_who_what_and_when(users):
    version = publish(values={"rectification_days": 5}, effective_from=at(2020, 3, 1), user=users("admin"))
    entry = AuditEntry.objects.get(action="policy.publish")
    assert entry.actor_name == "系统管理员"
    assert entry.object_id == str(version.pk)
    assert entry.data["values"]["rectification_days"] == 5
    assert entry.data["version"] == version.version


@pytest.mark.django_db
def test_an_override_can_only_be_set_for_a_county(region, users):
    with pytest.raises(ValueError, match="只能按县区"):
        publish(region(HITECH), values={"daily_report_deadline_hour": 8}, effective_from=at(2020, 3, 1), user=users("admin"))


@pytest.mark.django_db
def test_a_bad_value_publishes_nothing_and_audits_nothing(users):
    versions = PolicyVersion.objects.count()
    with pytest.raises(ValueError, match="不能大于 720"):
        publish(values={"application_lead_hours": 1000}, effective_from=at(2020, 3, 1), user=users("admin"))
    assert PolicyVersion.objects.count() == versions
    assert not AuditEntry.objects.filter(action="policy.publish").exists()
