"""The demo's materials: stockpiles modelled on Heyuan and Heshan, shortages that show, every
allocation state."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from fugong.enterprises.models import Enterprise
from fugong.materials.choices import AllocationStatus, StockpileMovementKind
from fugong.materials.models import Allocation, Material, Stockpile
from fugong.materials.selectors import short_enterprises, supply_overview
from fugong.materials.services import handed_out

pytestmark = pytest.mark.django_db


def test_demo_has_the_notices_figures_and_shortages() -> None:
    hitech = Stockpile.objects.get(name="高新区防疫物资储备库")
    assert handed_out([hitech], Material.objects.get(code="mask")) == Decimal(275_000)
    assert handed_out([hitech], Material.objects.get(code="thermometer")) == Decimal(386)
    heshan = Stockpile.objects.get(name="鹤山市防疫物资储备库")
    out = heshan.movements.filter(kind=StockpileMovementKind.ALLOCATED_OUT, material__code="mask")
    assert {sum(-m.quantity for m in out if m.date == day) for day in {m.date for m in out}} == {Decimal(7500)}
    assert set(Allocation.objects.values_list("status", flat=True)) == set(AllocationStatus.values)
    today = timezone.localdate()
    overview = supply_overview(Enterprise.objects.all(), today)
    with_figures = [s for s in overview.values() if s.shortest_days is not None]
    short = short_enterprises(Enterprise.objects.all(), today)
    assert with_figures and 0 < short.count() < len(with_figures)
