"""Who sees whose personal record: an employee only themself, an enterprise only its staff, an
officer only their jurisdiction's enterprises (Person.objects.for_user)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from fugong.accounts.models import User
from fugong.policy.classification import ORIGIN_LABELS, Origin
from fugong.workforce.choices import PersonOrigin
from fugong.workforce.models import Person

pytestmark = pytest.mark.django_db


def visible(username: str, staff) -> set[str]:
    """Which of the test's people the user sees (by their key in ``staff``)."""
    seen = set(Person.objects.for_user(User.objects.get(username=username)).values_list("pk", flat=True))
    return {key for key, person in staff.items() if person.pk in seen}


def test_enterprise_admin_sees_own_staff_only(staff):
    assert visible("ent_admin", staff) == {"employee", "colleague"}


def test_officer_of_another_county_sees_none_of_them(staff):
    assert visible("heshan_cmd", staff) == {"heshan"}
    assert Person.objects.for_user(User.objects.get(username="heshan_cmd")).filter(pk__in=[staff["employee"].pk, staff["neighbour"].pk]).count() == 0


def test_employee_sees_only_their_own_record(staff):
    assert visible("employee", staff) == {"employee"}


def test_employee_who_left_the_enterprise_no_longer_sees_their_record(staff):
    # Given the employee's membership ends (it is the only thing that binds them to the enterprise)
    User.objects.get(username="employee").memberships.all().delete()
    # Then their record is out of reach, though it still names their account
    assert visible("employee", staff) == set()


def test_command_and_grid_officers_see_their_jurisdiction(staff):
    assert visible("county_cmd", staff) == {"employee", "colleague", "neighbour"}
    assert visible("hitech_cmd", staff) == {"employee", "colleague", "neighbour"}
    # The grid officer's grid holds ent_admin's enterprise, not necessarily the neighbour's
    assert {"employee", "colleague"} <= visible("grid_officer", staff)
    assert "heshan" not in visible("grid_officer", staff)


def test_reviewers_and_gate_guards_see_no_personal_records(staff):
    assert visible("jmb_reviewer", staff) == set()
    assert visible("gate_guard", staff) == set()


def test_platform_admin_sees_everyone_and_anonymous_no_one(staff):
    assert visible("admin", staff) == set(staff)
    assert not Person.objects.for_user(AnonymousUser()).exists()


def test_inactive_user_sees_nothing(staff):
    user = User.objects.get(username="ent_admin")
    user.is_active = False
    assert not Person.objects.for_user(user).exists()


def test_origin_choices_are_the_classification_rules_origins():
    assert dict(PersonOrigin.choices) == {origin.value: label for origin, label in ORIGIN_LABELS.items()}
    assert {o.value for o in Origin} == set(PersonOrigin.values)
