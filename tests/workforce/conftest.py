"""Enterprises and people of the demo data that the workforce tests talk about."""

from __future__ import annotations

from typing import Any

import pytest

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership, User
from fugong.enterprises.models import Enterprise
from fugong.workforce.models import Person
from fugong.workforce.services import person_create
from tests.workforce.factories import id_number


@pytest.fixture
def own_enterprise(db: Any) -> Enterprise:
    """ent_admin's enterprise (高新区 · 工业企业第1网格), where the demo's employee works too."""
    return Membership.objects.get(user__username="ent_admin", role=Role.ENTERPRISE).enterprise  # type: ignore[return-value]


@pytest.fixture
def neighbour_enterprise(own_enterprise: Enterprise) -> Enterprise:
    """Another enterprise of the hi-tech zone (源城区)."""
    return Enterprise.objects.filter(town__code="441602-GXQ").exclude(pk=own_enterprise.pk).first()  # type: ignore[return-value]


@pytest.fixture
def empty_rosters(own_enterprise: Enterprise, neighbour_enterprise: Enterprise) -> int:
    """ent_admin's enterprise and its neighbour without the demo's people, for the tests that count
    what an import wrote (deleted inside the test's transaction: the demo is back after it).
    Returns the audit log's last sequence number, so that a test reads only its own entries."""
    from django.db.models import Max

    from fugong.audit.models import AuditEntry

    Person.objects.filter(enterprise__in=[own_enterprise, neighbour_enterprise]).delete()
    return AuditEntry.objects.aggregate(last=Max("seq"))["last"] or 0


@pytest.fixture
def heshan_enterprise(db: Any) -> Enterprise:
    """An enterprise of 鹤山市, another county."""
    return Enterprise.objects.filter(region__path__contains="/440784/").first()  # type: ignore[return-value]


def register(enterprise: Enterprise, serial: int, name: str = "王小明", **data: Any) -> Person:
    """A person registered through the service, as the platform admin."""
    admin = User.objects.get(username="admin")
    return person_create(enterprise=enterprise, acting_user=admin,
                         data={"name": name, "id_number": id_number(serial), "phone": "13900000000", **data})


@pytest.fixture
def staff(own_enterprise: Enterprise, neighbour_enterprise: Enterprise, heshan_enterprise: Enterprise) -> dict[str, Person]:
    """Two people at ent_admin's enterprise (one of them the demo employee's own record), one at
    a neighbour of the same zone and one in 鹤山市."""
    employee = register(own_enterprise, 1, "张晓明")
    Person.objects.filter(pk=employee.pk).update(user=User.objects.get(username="employee"))
    return {
        "employee": employee,
        "colleague": register(own_enterprise, 2, "李秀英"),
        "neighbour": register(neighbour_enterprise, 3, "陈建国"),
        "heshan": register(heshan_enterprise, 4, "黄丽"),
    }
