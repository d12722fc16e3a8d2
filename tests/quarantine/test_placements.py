"""Placing people in isolation and releasing them: beds, planned ends from policy, passes, alerts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from fugong.accounts.models import User
from fugong.audit.models import AuditEntry
from fugong.enterprises.models import Enterprise
from fugong.health.choices import AlertKind, AlertOutcome, AlertStatus
from fugong.health.services import alert_raise
from fugong.policy.parameters import SHANGHAI
from fugong.policy.services import current, policy_publish
from fugong.quarantine.choices import PlacementReason, PlacementStatus, QuarantineKind
from fugong.quarantine.models import Placement, Site
from fugong.quarantine.selectors import due_for_release, occupancy_by_kind, summary, with_occupancy
from fugong.quarantine.services import free_beds, placement_create, placement_release, planned_end_for, site_create
from fugong.regions.models import Region
from fugong.workforce.choices import RevocationReason
from fugong.workforce.models import Pass, Person
from fugong.workforce.services import pass_issue

pytestmark = pytest.mark.django_db


def place(person: Person, user: User, **kwargs: Any) -> Placement:
    kwargs.setdefault("kind", QuarantineKind.HOME)
    kwargs.setdefault("reason", PlacementReason.OUTSIDE_CITY)
    return placement_create(person=person, acting_user=user, **kwargs)


# -- placing ---------------------------------------------------------------------------------------


def test_a_central_placement_takes_a_free_bed_and_ends_after_the_policy_days(admin: User, central_site: Site,
                                                                             own_enterprise: Enterprise, person_at: Callable[..., Person]) -> None:
    # Given a worker back from a key epidemic area and a centralised site with free single rooms
    person = person_at(own_enterprise)
    start = timezone.localdate() - timedelta(days=2)
    # When the officer places them there without choosing a room
    placement = place(person, admin, kind=QuarantineKind.CENTRAL, reason=PlacementReason.KEY_AREA, site=central_site, start=start)
    # Then a free bed is taken and the planned end is the start plus the policy's days (14 by default)
    assert placement.bed is not None and placement.bed.room.site == central_site
    assert placement.planned_end == start + timedelta(days=int(current(own_enterprise.region).central_quarantine_days)) == start + timedelta(days=14)
    assert placement.status == PlacementStatus.ACTIVE
    assert free_beds(central_site).count() == 2


def test_the_planned_end_follows_a_county_policy_for_the_reason(admin: User, own_enterprise: Enterprise,
                                                                 person_at: Callable[..., Person]) -> None:
    # Given 源城区 shortens the isolation of workers back from outside the city to 7 days
    county = Region.objects.get(code="441602")
    policy_publish(region=county, values={"outside_city_isolation_days": 7}, effective_from=datetime(2020, 1, 1, tzinfo=SHANGHAI),
                   note="测试", acting_user=admin)
    today = timezone.localdate()
    # When one worker is isolated for coming from outside the city and another as a contact
    from_outside = place(person_at(own_enterprise, "甲"), admin, reason=PlacementReason.OUTSIDE_CITY)
    contact = place(person_at(own_enterprise, "乙"), admin, reason=PlacementReason.CONTACT)
    # Then each ends after its own parameter
    assert from_outside.planned_end == today + timedelta(days=7)
    assert contact.planned_end == today + timedelta(days=14)


@given(reason=st.sampled_from(PlacementReason.values), start=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
       central=st.integers(1, 60), outside=st.integers(0, 60))
def test_planned_end_is_the_start_plus_the_reasons_parameter(reason: str, start: date, central: int, outside: int) -> None:
    policy = {"central_quarantine_days": central, "outside_city_isolation_days": outside}
    end = planned_end_for(reason=reason, start=start, policy=policy)
    assert end - start == timedelta(days=outside if reason == PlacementReason.OUTSIDE_CITY else central)
    assert end >= start


def test_home_quarantine_has_no_site_room_or_bed(admin: User, own_enterprise: Enterprise, central_site: Site,
                                                 person_at: Callable[..., Person]) -> None:
    placement = place(person_at(own_enterprise), admin, kind=QuarantineKind.HOME, site=central_site)
    assert (placement.site, placement.room, placement.bed) == (None, None, None)
    assert placement.where == "居家隔离"


def test_placing_a_person_revokes_their_open_passes(admin: User, own_enterprise: Enterprise, person_at: Callable[..., Person]) -> None:
    # Given a worker with a pass
    person = person_at(own_enterprise)
    issued = pass_issue(person=person, acting_user=admin)
    # When they are placed in isolation
    place(person, admin)
    # Then the pass is revoked for quarantine
    issued.refresh_from_db()
    assert issued.revoked_at is not None and issued.revoked_reason == RevocationReason.QUARANTINE
    assert not Pass.objects.filter(person=person, revoked_at__isnull=True).exists()


def test_a_person_already_in_isolation_cannot_be_placed_again(admin: User, own_enterprise: Enterprise, central_site: Site,
                                                               person_at: Callable[..., Person]) -> None:
    person = person_at(own_enterprise)
    place(person, admin)
    with pytest.raises(ValidationError) as refused:
        place(person, admin, kind=QuarantineKind.CENTRAL, site=central_site)
    assert "已在隔离中" in str(refused.value)
    assert Placement.objects.filter(person=person).count() == 1
    assert free_beds(central_site).count() == 3


def test_no_bed_is_ever_booked_twice(admin: User, own_enterprise: Enterprise, central_site: Site, person_at: Callable[..., Person]) -> None:
    # Given one worker in the first bed of the site
    first = place(person_at(own_enterprise, "甲"), admin, kind=QuarantineKind.CENTRAL, site=central_site)
    # When another is placed explicitly into the same bed
    second = person_at(own_enterprise, "乙")
    with pytest.raises(ValidationError) as refused:
        place(second, admin, kind=QuarantineKind.CENTRAL, site=central_site, bed=first.bed)
    # Then it is refused in Chinese, and the database itself would refuse it too
    assert "该床位已有人入住" in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(person=second, enterprise=own_enterprise, kind=QuarantineKind.CENTRAL, reason=PlacementReason.CONTACT,
                                 site=central_site, room=first.room, bed=first.bed, start=first.start, planned_end=first.planned_end)
    # And a room without a free bed is refused, while leaving the room empty takes another bed
    with pytest.raises(ValidationError, match="已住满"):
        place(second, admin, kind=QuarantineKind.CENTRAL, site=central_site, room=first.room)
    other = place(second, admin, kind=QuarantineKind.CENTRAL, site=central_site)
    assert other.bed != first.bed


def test_a_full_site_is_refused_and_points_to_the_reserve(admin: User, own_enterprise: Enterprise, central_site: Site,
                                                          person_at: Callable[..., Person]) -> None:
    for name in "甲乙丙":
        place(person_at(own_enterprise, name), admin, kind=QuarantineKind.CENTRAL, site=central_site)
    with pytest.raises(ValidationError) as refused:
        place(person_at(own_enterprise, "丁"), admin, kind=QuarantineKind.CENTRAL, site=central_site)
    assert "已住满" in str(refused.value) and "备用隔离酒店" in str(refused.value)


def test_an_observation_area_takes_only_its_own_enterprises_staff(admin: User, observation_area: Site, neighbour_enterprise: Enterprise,
                                                                  person_at: Callable[..., Person]) -> None:
    with pytest.raises(ValidationError, match="只能安排本企业员工"):
        place(person_at(neighbour_enterprise), admin, kind=QuarantineKind.ENTERPRISE, site=observation_area)


def test_the_site_kind_must_match_the_placement_kind(admin: User, central_site: Site, own_enterprise: Enterprise,
                                                     person_at: Callable[..., Person]) -> None:
    with pytest.raises(ValidationError, match="与所选隔离方式不符"):
        place(person_at(own_enterprise), admin, kind=QuarantineKind.ENTERPRISE, site=central_site)


def test_the_enterprise_places_its_staff_in_its_area_but_not_at_a_central_site(users: Callable[[str], User], observation_area: Site,
                                                                                central_site: Site, own_enterprise: Enterprise,
                                                                                neighbour_enterprise: Enterprise,
                                                                                person_at: Callable[..., Person]) -> None:
    ent_admin = users("ent_admin")
    # Into its own observation area: yes
    placed = place(person_at(own_enterprise, "甲"), ent_admin, kind=QuarantineKind.ENTERPRISE, site=observation_area)
    assert placed.site == observation_area
    # A central site it does not see reads as unknown
    with pytest.raises(ValidationError, match="您辖区内的隔离点"):
        place(person_at(own_enterprise, "乙"), ent_admin, kind=QuarantineKind.CENTRAL, site=central_site)
    # Another enterprise's worker: refused
    with pytest.raises(PermissionDenied):
        place(person_at(neighbour_enterprise, "丙"), ent_admin)


@pytest.mark.parametrize("username", ["jmb_reviewer", "gate_guard", "employee"])
def test_roles_that_place_nobody_are_refused(users: Callable[[str], User], own_enterprise: Enterprise, username: str,
                                             person_at: Callable[..., Person]) -> None:
    person = person_at(own_enterprise)
    with pytest.raises(PermissionDenied):
        place(person, users(username))
    assert not Placement.objects.filter(person=person).exists()


def test_a_future_start_is_refused(admin: User, own_enterprise: Enterprise, person_at: Callable[..., Person]) -> None:
    with pytest.raises(ValidationError, match="不能晚于今天"):
        place(person_at(own_enterprise), admin, start=timezone.localdate() + timedelta(days=1))


def test_placing_from_a_fever_alert_closes_the_alert_as_isolated(admin: User, own_enterprise: Enterprise, observation_area: Site,
                                                                  person_at: Callable[..., Person]) -> None:
    # Given an open fever alert of a worker
    person = person_at(own_enterprise)
    alert = alert_raise(kind=AlertKind.FEVER, enterprise=own_enterprise, person=person, temperature=Decimal("38.2"), detail="体温 38.2℃")
    # When the officer places them from the alert
    placement = place(person, admin, kind=QuarantineKind.ENTERPRISE, site=observation_area, reason=PlacementReason.FEVER, alert=alert)
    # Then the placement remembers the alert, and the alert is closed as "isolated"
    alert.refresh_from_db()
    assert placement.alert == alert
    assert (alert.status, alert.outcome) == (AlertStatus.CLOSED, AlertOutcome.ISOLATED)
    assert "企业观察区" in alert.note
    # And a closed alert cannot be used again, nor another person's alert
    placement_release(placement=placement, acting_user=admin, note="转送定点医院。")
    with pytest.raises(ValidationError, match="已处置"):
        place(person, admin, alert=alert)
    with pytest.raises(ValidationError, match="不是这名人员"):
        place(person_at(own_enterprise, "乙"), admin, alert=alert)


def test_placing_is_audited_without_personal_values(admin: User, own_enterprise: Enterprise, person_at: Callable[..., Person]) -> None:
    person = person_at(own_enterprise, "欧阳娜娜", phone="13912345678")
    placement = place(person, admin, note="住址：兴源路8号")
    entry = AuditEntry.objects.get(action="quarantine.place", object_id=str(placement.pk))
    assert entry.object_label == "隔离安排"
    assert entry.data["person"] == str(person.pk) and entry.data["planned_end"] == placement.planned_end.isoformat()
    text = str(entry.payload())
    for personal in ("欧阳娜娜", "13912345678", person.id_masked, "兴源路"):
        assert personal not in text


# -- release ---------------------------------------------------------------------------------------


def test_release_before_the_planned_end_needs_a_reason(admin: User, own_enterprise: Enterprise, central_site: Site,
                                                       person_at: Callable[..., Person]) -> None:
    # Given a worker placed today at a central site (planned end in 14 days)
    placement = place(person_at(own_enterprise), admin, kind=QuarantineKind.CENTRAL, site=central_site)
    # When the officer releases them early without a reason
    with pytest.raises(ValidationError) as refused:
        placement_release(placement=placement, acting_user=admin)
    # Then it is refused, saying when the planned end is
    assert placement.planned_end.strftime("%Y-%m-%d") in str(refused.value)
    assert Placement.objects.get(pk=placement.pk).status == PlacementStatus.ACTIVE
    # And with a reason it is released, the bed freed, and the release audited
    released = placement_release(placement=placement, acting_user=admin, note="核酸检测两次阴性，经专家组评估提前解除。")
    assert (released.status, released.released_on) == (PlacementStatus.RELEASED, timezone.localdate())
    assert free_beds(central_site).count() == 3
    entry = AuditEntry.objects.get(action="quarantine.release", object_id=str(placement.pk))
    assert entry.data["early"] is True and "核酸" not in str(entry.payload())


def test_release_on_the_planned_end_needs_no_reason_and_twice_changes_nothing(admin: User, own_enterprise: Enterprise,
                                                                               person_at: Callable[..., Person]) -> None:
    today = timezone.localdate()
    placement = place(person_at(own_enterprise), admin, start=today - timedelta(days=14))
    assert placement.planned_end == today
    released = placement_release(placement=placement, acting_user=admin)
    again = placement_release(placement=released, acting_user=admin)
    assert again.released_on == today
    assert AuditEntry.objects.filter(action="quarantine.release", object_id=str(placement.pk)).count() == 1


@pytest.mark.parametrize("username", ["ent_admin", "employee", "jmb_reviewer"])
def test_only_officers_release(users: Callable[[str], User], admin: User, own_enterprise: Enterprise, username: str,
                               person_at: Callable[..., Person]) -> None:
    placement = place(person_at(own_enterprise), admin, start=timezone.localdate() - timedelta(days=14))
    with pytest.raises(PermissionDenied):
        placement_release(placement=placement, acting_user=users(username))
    assert Placement.objects.get(pk=placement.pk).status == PlacementStatus.ACTIVE


def test_the_grid_officer_releases_a_worker_of_their_grid(users: Callable[[str], User], admin: User, own_enterprise: Enterprise,
                                                           person_at: Callable[..., Person]) -> None:
    placement = place(person_at(own_enterprise), admin, start=timezone.localdate() - timedelta(days=14))
    assert placement_release(placement=placement, acting_user=users("grid_officer")).status == PlacementStatus.RELEASED


# -- what the pages count --------------------------------------------------------------------------


def test_due_for_release_today_lists_exactly_the_placements_ending_today(admin: User, own_enterprise: Enterprise,
                                                                          person_at: Callable[..., Person]) -> None:
    # Given placements ending yesterday, today, tomorrow, and one ending today already released
    today = timezone.localdate()
    ending = {days: place(person_at(own_enterprise, f"人{days}"), admin, start=today - timedelta(days=days)) for days in (15, 14, 13)}
    released = place(person_at(own_enterprise, "已解除"), admin, start=today - timedelta(days=14))
    placement_release(placement=released, acting_user=admin)
    # When the officer asks who is due today (among these)
    made = [*ending.values(), released]
    due = set(due_for_release(Placement.objects.filter(pk__in=[p.pk for p in made]), today))
    # Then exactly the open one ending today
    assert due == {ending[14]}


def test_occupancy_is_beds_used_over_beds_in_service_with_the_reserve_apart(admin: User, own_enterprise: Enterprise, central_site: Site,
                                                                             person_at: Callable[..., Person]) -> None:
    # Given the 3-bed site with two people, and a 5-room reserve hotel nobody uses yet
    hitech = Region.objects.get(code="441602-GXQ")
    reserve = site_create(kind=QuarantineKind.CENTRAL, name="测试备用酒店", region=hitech, rooms=5, reserve=True, acting_user=admin)
    for name in "甲乙":
        place(person_at(own_enterprise, name), admin, kind=QuarantineKind.CENTRAL, site=central_site)
    sites = Site.objects.filter(pk__in=[central_site.pk, reserve.pk])
    # Then the site says 2 of 3, and the kind's total counts the reserve's rooms apart
    annotated = with_occupancy(sites).get(pk=central_site.pk)
    assert (annotated.room_count, annotated.bed_count, annotated.used_beds) == (3, 3, 2)  # type: ignore[attr-defined]
    central = occupancy_by_kind(sites)[QuarantineKind.CENTRAL]
    assert (central.used, central.total, central.reserve_rooms, central.percent) == (2, 3, 5, 67)
    # And once the reserve takes someone, its beds are in service
    place(person_at(own_enterprise, "丙"), admin, kind=QuarantineKind.CENTRAL, site=reserve)
    central = occupancy_by_kind(sites)[QuarantineKind.CENTRAL]
    assert (central.used, central.total, central.reserve_rooms) == (3, 8, 0)


def test_summary_counts_isolation_by_kind_due_today_and_released(admin: User, own_enterprise: Enterprise, central_site: Site,
                                                                  observation_area: Site, person_at: Callable[..., Person]) -> None:
    today = timezone.localdate()
    made = [
        place(person_at(own_enterprise, "甲"), admin, kind=QuarantineKind.CENTRAL, site=central_site),
        place(person_at(own_enterprise, "乙"), admin, kind=QuarantineKind.ENTERPRISE, site=observation_area, start=today - timedelta(days=14)),
        place(person_at(own_enterprise, "丙"), admin),
        place(person_at(own_enterprise, "丁"), admin),
        place(person_at(own_enterprise, "戊"), admin, start=today - timedelta(days=20)),
    ]
    placement_release(placement=made[-1], acting_user=admin)
    counted = summary(Placement.objects.filter(pk__in=[p.pk for p in made]), today)
    assert counted.by_kind == {QuarantineKind.HOME: 2, QuarantineKind.ENTERPRISE: 1, QuarantineKind.CENTRAL: 1}
    assert (counted.in_isolation, counted.due_today, counted.overdue, counted.released_total) == (4, 1, 0, 1)


def test_a_site_needs_rooms_and_an_observation_area_an_enterprise(admin: User) -> None:
    hitech = Region.objects.get(code="441602-GXQ")
    with pytest.raises(ValidationError):
        site_create(kind=QuarantineKind.ENTERPRISE, name="无企业观察区", region=hitech, rooms=1, acting_user=admin)
    with pytest.raises(ValidationError):
        site_create(kind=QuarantineKind.HOME, name="居家", region=hitech, rooms=1, acting_user=admin)
    with pytest.raises(ValidationError):
        site_create(kind=QuarantineKind.CENTRAL, name="空隔离点", region=hitech, rooms=0, acting_user=admin)


def test_a_town_command_cannot_open_a_site_in_another_county(users: Callable[[str], User]) -> None:
    heshan = Region.objects.get(code="440784")
    with pytest.raises(PermissionDenied):
        site_create(kind=QuarantineKind.CENTRAL, name="越权隔离点", region=heshan, rooms=2, acting_user=users("hitech_cmd"))
    assert not Site.objects.filter(name="越权隔离点").exists()
