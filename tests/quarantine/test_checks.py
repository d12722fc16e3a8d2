"""The twice-daily checks of people in isolation, and what a fever among them raises."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fugong.accounts.models import User
from fugong.enterprises.models import Enterprise
from fugong.health.choices import AlertKind, AlertStatus
from fugong.health.models import Alert
from fugong.policy.parameters import SHANGHAI
from fugong.quarantine.choices import PlacementReason, QuarantineKind
from fugong.quarantine.models import Placement, QuarantineCheck
from fugong.quarantine.services import check_record, placement_create, placement_release
from fugong.workforce.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def placement(admin: User, own_enterprise: Enterprise, person_at: Callable[..., Person]) -> Placement:
    """A worker in home isolation since three days ago."""
    return placement_create(person=person_at(own_enterprise), kind=QuarantineKind.HOME, reason=PlacementReason.OUTSIDE_CITY,
                            start=timezone.localdate() - timedelta(days=3), acting_user=admin)


def at_hour(hour: int) -> datetime:
    return datetime.combine(timezone.localdate(), datetime.min.time(), tzinfo=SHANGHAI).replace(hour=hour)


def test_a_fever_in_isolation_raises_a_fever_alert(users: Callable[[str], User], placement: Placement) -> None:
    # When the grid team's medic measures 38.1 ℃ in the afternoon
    result = check_record(placement=placement, temperature="38.1", at=at_hour(15), acting_user=users("grid_officer"))
    # Then the check is kept in the afternoon slot and a fever alert names the person and the enterprise
    assert (result.check.slot, result.check.temperature) == (2, Decimal("38.1"))
    alert = result.alert
    assert alert is not None and alert.kind == AlertKind.FEVER and alert.status == AlertStatus.OPEN
    assert (alert.person_id, alert.enterprise_id, alert.temperature) == (placement.person_id, placement.enterprise_id, Decimal("38.1"))
    assert "隔离观察中" in alert.detail
    assert result.check.alert == alert


def test_a_normal_check_raises_nothing_and_the_same_slot_again_corrects_it(users: Callable[[str], User], placement: Placement) -> None:
    medic = users("grid_officer")
    first = check_record(placement=placement, temperature="36.4", at=at_hour(8), acting_user=medic)
    again = check_record(placement=placement, temperature="36.6", at=at_hour(9), acting_user=medic)
    assert first.alert is None and again.alert is None
    assert (first.created, again.created) == (True, False)
    assert QuarantineCheck.objects.filter(placement=placement).count() == 1
    assert QuarantineCheck.objects.get(placement=placement).temperature == Decimal("36.6")


def test_correcting_a_fever_check_raises_no_second_alert(users: Callable[[str], User], placement: Placement) -> None:
    medic = users("grid_officer")
    check_record(placement=placement, temperature="38.0", slot=1, acting_user=medic)
    check_record(placement=placement, temperature="38.3", slot=1, acting_user=medic)
    assert Alert.objects.filter(person=placement.person, kind=AlertKind.FEVER).count() == 1


def test_a_cough_raises_a_symptom_alert(admin: User, placement: Placement) -> None:
    result = check_record(placement=placement, temperature="36.8", cough=True, symptoms="乏力", slot=1, acting_user=admin)
    assert result.alert is not None and result.alert.kind == AlertKind.SYMPTOM
    assert "咳嗽" in result.alert.detail and "乏力" in result.alert.detail


def test_slots_follow_the_policy_and_dates_the_isolation(admin: User, placement: Placement) -> None:
    with pytest.raises(ValidationError, match="时段应为 1–2"):
        check_record(placement=placement, temperature="36.5", slot=3, acting_user=admin)
    with pytest.raises(ValidationError, match="不能早于隔离开始日期"):
        check_record(placement=placement, temperature="36.5", day=placement.start - timedelta(days=1), slot=1, acting_user=admin)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        check_record(placement=placement, temperature="36.5", day=timezone.localdate() + timedelta(days=1), slot=1, acting_user=admin)
    with pytest.raises(ValidationError, match="体温应在"):
        check_record(placement=placement, temperature="63.5", slot=1, acting_user=admin)
    assert not QuarantineCheck.objects.filter(placement=placement).exists()


def test_a_missed_check_of_yesterday_can_be_filed_late(admin: User, placement: Placement) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    result = check_record(placement=placement, temperature="36.5", day=yesterday, slot=2, acting_user=admin)
    assert (result.check.date, result.check.slot) == (yesterday, 2)


def test_the_enterprise_checks_its_own_staff_but_the_employee_and_other_places_do_not(users: Callable[[str], User],
                                                                                       placement: Placement) -> None:
    assert check_record(placement=placement, temperature="36.5", slot=1, acting_user=users("ent_admin")).alert is None
    for username in ("employee", "gate_guard", "jmb_reviewer", "heshan_cmd"):
        with pytest.raises(PermissionDenied):
            check_record(placement=placement, temperature="36.5", slot=2, acting_user=users(username))


def test_no_check_after_release(admin: User, placement: Placement) -> None:
    released = placement_release(placement=placement, acting_user=admin, note="转送定点医院。")
    with pytest.raises(ValidationError, match="已解除隔离"):
        check_record(placement=released, temperature="36.5", slot=1, acting_user=admin)
