"""Places, enterprises and stockpiles the materials tests talk about: the demo's 高新区 and 鹤山市,
with enterprises made here whose on-site headcount is known (people written in bulk: the roster's
checks are the workforce tests' business, not ours)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.utils import timezone
from stdnum.cn import uscc

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership, User
from fugong.enterprises.choices import EssentialCategory, Sector, Size
from fugong.enterprises.models import Enterprise
from fugong.materials.choices import MovementKind
from fugong.materials.models import Material, StockMovement, Stockpile
from fugong.materials.services import stockpile_create, stockpile_movement_record
from fugong.regions.models import Region
from fugong.workforce.models import Person

HITECH = "441602-GXQ"
GRID1 = "441602-GXQ-IND01"
GRID2 = "441602-GXQ-IND02"
HESHAN = "440784"
_serials = count(1)


@pytest.fixture
def admin(users: Callable[[str], User]) -> User:
    return users("admin")


@pytest.fixture
def mask(db: Any) -> Material:
    return Material.objects.get(code="mask")


@pytest.fixture
def own_enterprise(db: Any) -> Enterprise:
    """ent_admin's enterprise (高新区 · 工业企业第1网格)."""
    return Membership.objects.get(user__username="ent_admin", role=Role.ENTERPRISE).enterprise  # type: ignore[return-value]


def add_people(enterprise: Enterprise, how_many: int, **fields: Any) -> None:
    """``how_many`` people on site at ``enterprise`` (returned, classified to work)."""
    serial = next(_serials) * 1000
    Person.objects.bulk_create([
        Person(enterprise=enterprise, name=f"物资测试{i}", id_number_encrypted="test", id_number_index=f"materials-{serial + i}",
               id_masked="441602********0000", birth_date=date(1990, 1, 1), sex="M", phone="13900000000", **fields)
        for i in range(how_many)
    ])


@pytest.fixture
def make_enterprise(db: Any) -> Callable[..., Enterprise]:
    """A new enterprise of 高新区 (工业企业第2网格 unless told) with ``people`` on site and no stock."""

    def make(name: str, people: int = 10, region: str = GRID2, essential: str = "") -> Enterprise:
        grid = Region.objects.get(code=region)
        body = f"91441602MA{next(_serials) + 5000:07d}"[:17]
        enterprise = Enterprise.objects.create(
            name=name, uscc=body + uscc.calc_check_digit(body), sector=Sector.INDUSTRY, size=Size.BELOW, essential_category=essential,
            address="测试路1号", region=grid, town=grid.parent if grid.level == "grid" and grid.parent else grid, legal_representative="赵一",
            contact_name="钱二", contact_phone="13900000000", headcount=people)
        add_people(enterprise, people)
        return enterprise

    return make


@pytest.fixture
def stock(admin: User) -> Callable[..., None]:
    """Put ``quantity`` of an item into an enterprise's stock (a received movement)."""

    def put(enterprise: Enterprise, material: Material, quantity: Any) -> None:
        StockMovement.objects.create(enterprise=enterprise, material=material, kind=MovementKind.RECEIVED, quantity=Decimal(str(quantity)),
                                     date=timezone.localdate(), created_by=admin)

    return put


@pytest.fixture
def hitech_pile(admin: User, mask: Material) -> Stockpile:
    """A fresh stockpile of 高新区 with 1,000 masks."""
    pile = stockpile_create(name="测试储备库", region=Region.objects.get(code=HITECH), acting_user=admin)
    stockpile_movement_record(stockpile=pile, material=mask, kind="received", quantity=1000, acting_user=admin)
    return pile


@pytest.fixture
def heshan_pile(admin: User, mask: Material) -> Stockpile:
    pile = stockpile_create(name="鹤山测试储备库", region=Region.objects.get(code=HESHAN), acting_user=admin)
    stockpile_movement_record(stockpile=pile, material=mask, kind="received", quantity=500, acting_user=admin)
    return pile


ESSENTIAL = EssentialCategory.FOOD
