"""The demo shows the capability on Heyuan's figures without anyone typing anything."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from fugong.enterprises.models import Enterprise
from fugong.health.choices import AlertKind, AlertStatus, ReportStatus
from fugong.health.models import Alert, DailyReport
from fugong.health.reports import must_report
from fugong.quarantine.choices import PlacementStatus, QuarantineKind
from fugong.quarantine.demo import NOW_HELD, RELEASED_TOTAL, REPORT_DAYS
from fugong.quarantine.models import Placement, QuarantineCheck, Room, Site
from fugong.regions.models import Region
from fugong.workforce.models import Person
from tests.conftest import DEMO_SCALE

pytestmark = pytest.mark.django_db

HITECH = "441602-GXQ"


def test_the_demo_has_heyuans_central_site_its_reserve_and_observation_areas() -> None:
    hitech = Region.objects.get(code=HITECH)
    central = Site.objects.get(kind=QuarantineKind.CENTRAL, reserve=False, region=hitech)
    reserve = Site.objects.get(kind=QuarantineKind.CENTRAL, reserve=True, region=hitech)
    assert (central.rooms.count(), reserve.rooms.count()) == (42, 120)
    areas = Site.objects.filter(kind=QuarantineKind.ENTERPRISE, enterprise__town=hitech)
    approved = must_report(Enterprise.objects.filter(town=hitech))
    assert set(approved.values_list("pk", flat=True)) <= set(areas.values_list("enterprise_id", flat=True))
    rooms = Room.objects.filter(site__in=areas).count()
    assert 2 <= rooms / areas.count() <= 4  # Heyuan: 1,003 rooms in 315 areas
    assert Site.objects.filter(kind=QuarantineKind.CENTRAL, region__code="440784").exists()


def test_the_demo_holds_people_by_kind_with_some_due_today_and_released_ones() -> None:
    # The people are the workforce demo's (the quarantine demo runs after it)
    assert Person.objects.filter(enterprise__town__code=HITECH).exists()
    today = timezone.localdate()
    held = dict(Placement.objects.filter(status=PlacementStatus.ACTIVE).values_list("kind").annotate(n=Count("pk")))
    assert held == {kind: max(1, round(count * DEMO_SCALE)) for kind, count in NOW_HELD.items()}
    due = set(Placement.objects.filter(status=PlacementStatus.ACTIVE, planned_end=today).values_list("kind", flat=True))
    assert due == set(QuarantineKind.values)  # one of each kind is due for release today
    assert Placement.objects.filter(status=PlacementStatus.RELEASED).count() == round(RELEASED_TOTAL * DEMO_SCALE)
    # Everyone held has been checked twice a day since their start, and one has a fever today
    for placement in Placement.objects.filter(status=PlacementStatus.ACTIVE):
        days = (today - placement.start).days
        assert QuarantineCheck.objects.filter(placement=placement, date__lt=today).count() == 2 * days
    fevers = Alert.objects.filter(kind=AlertKind.FEVER, status=AlertStatus.OPEN, detail__startswith="隔离观察中")
    assert fevers.count() == 1


def test_the_demo_has_the_last_days_reports_and_today_some_still_missing() -> None:
    today = timezone.localdate()
    expected = must_report(Enterprise.objects.all()).count()
    assert expected > 0
    for back in range(1, REPORT_DAYS + 1):
        day = today - timedelta(days=back)
        filed = DailyReport.objects.filter(date=day, status__in=[ReportStatus.CONFIRMED, ReportStatus.ZERO]).count()
        assert filed == expected  # every one, a few late
    late = Alert.objects.filter(kind=AlertKind.MISSING_REPORT, date__lt=today, date__gte=today - timedelta(days=REPORT_DAYS))
    assert late.exists() and not late.filter(status=AlertStatus.OPEN).exists()
    filed_today = DailyReport.objects.filter(date=today).count()
    assert filed_today < expected
    assert DailyReport.objects.filter(status=ReportStatus.ZERO).exists() and DailyReport.objects.filter(status=ReportStatus.CONFIRMED).exists()
