"""Places, people and sites the quarantine tests talk about: the demo's 高新区 and 鹤山市, with
people registered through the workforce service and sites opened through ours."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from typing import Any

import pytest

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership, User
from fugong.enterprises.models import Enterprise
from fugong.quarantine.choices import QuarantineKind
from fugong.quarantine.models import Site
from fugong.quarantine.services import site_create
from fugong.regions.models import Region
from fugong.workforce.models import Person
from fugong.workforce.services import person_create
from tests.workforce.factories import id_number

HITECH = "441602-GXQ"
_serials = count(7000)  # ID numbers of their own, apart from the demo's and the workforce tests'


@pytest.fixture
def admin(users: Callable[[str], User]) -> User:
    return users("admin")


@pytest.fixture
def own_enterprise(db: Any) -> Enterprise:
    """ent_admin's enterprise (高新区 · 工业企业第1网格), where the demo's employee works too."""
    return Membership.objects.get(user__username="ent_admin", role=Role.ENTERPRISE).enterprise  # type: ignore[return-value]


@pytest.fixture
def neighbour_enterprise(own_enterprise: Enterprise) -> Enterprise:
    """Another enterprise of 高新区, on another grid than grid_officer's."""
    return Enterprise.objects.filter(town__code=HITECH).exclude(region=own_enterprise.region).order_by("pk").first()  # type: ignore[return-value]


@pytest.fixture
def heshan_enterprise(db: Any) -> Enterprise:
    """An enterprise of 鹤山市, another county."""
    return Enterprise.objects.filter(region__path__contains="/440784/").order_by("pk").first()  # type: ignore[return-value]


@pytest.fixture
def person_at(admin: User) -> Callable[..., Person]:
    """Register a person at an enterprise through the service (as the platform admin); local and
    not away unless said otherwise, so classified as eligible for a pass."""

    def make(enterprise: Enterprise, name: str = "王小明", **data: Any) -> Person:
        data = {"name": name, "id_number": id_number(next(_serials), area="441625"), "phone": "13900000000", "origin": "local_not_away", **data}
        return person_create(enterprise=enterprise, acting_user=admin, data=data)

    return make


@pytest.fixture
def central_site(admin: User) -> Site:
    """A small centralised site of 高新区: three single rooms."""
    return site_create(kind=QuarantineKind.CENTRAL, name="测试集中隔离点", region=Region.objects.get(code=HITECH), rooms=3, acting_user=admin,
                       address="高新区隔离酒店")


@pytest.fixture
def observation_area(admin: User, own_enterprise: Enterprise) -> Site:
    """ent_admin's enterprise's observation area: two rooms, the second with two beds."""
    return site_create(kind=QuarantineKind.ENTERPRISE, name="测试企业观察区", region=own_enterprise.region, enterprise=own_enterprise,
                       rooms=[("A1", 1), ("A2", 2)], acting_user=admin)
