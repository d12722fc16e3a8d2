"""The demo's gates and people with passes for the gate tests.

People are registered and given passes through the workforce services in each test (rolled back
with it), whatever the workforce demo holds: the gate tests need to know exactly whose pass is
valid, revoked or expired."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fugong.accounts.models import User
from fugong.enterprises.models import Enterprise, Gate
from fugong.workforce.choices import PersonOrigin
from fugong.workforce.models import Pass, Person
from fugong.workforce.services import pass_issue, person_create
from tests.workforce.factories import id_number

# ID numbers of another birth date and place than the demo's and the workforce tests', so that
# registering them never collides with people already at the enterprise.
BORN = date(1987, 6, 15)
AREA = "441622"


@pytest.fixture
def east_gate(db: Any) -> Gate:
    """东门 of ent_admin's enterprise (高新区 · 工业企业第1网格), guarded by gate_guard."""
    return Gate.objects.select_related("enterprise__region").get(name="东门", enterprise__isnull=False)


@pytest.fixture
def checkpoint(db: Any) -> Gate:
    """源城区入城检查站: a checkpoint of 河源市源城区."""
    return Gate.objects.select_related("region").get(name="源城区入城检查站")


@pytest.fixture
def own_enterprise(east_gate: Gate) -> Enterprise:
    return east_gate.enterprise  # type: ignore[return-value]


@pytest.fixture
def guard(db: Any) -> User:
    return User.objects.get(username="gate_guard")


@pytest.fixture
def admin(db: Any) -> User:
    return User.objects.get(username="admin")


@pytest.fixture
def worker(db: Any) -> Callable[..., Pass]:
    """A person registered at ``enterprise`` (local, not away: a pass after approval) with a pass
    issued today by the platform admin; with another ``start``, a pass row dated so (the service
    issues from today only), for expired and not-yet-valid passes."""
    serials = iter(range(500, 1000))

    def make(enterprise: Enterprise, name: str = "张晓明", *, start: date | None = None) -> Pass:
        admin = User.objects.get(username="admin")
        person: Person = person_create(enterprise=enterprise, acting_user=admin,
                                       data={"name": name, "id_number": id_number(next(serials), area=AREA, born=BORN),
                                             "phone": "13900000000", "origin": PersonOrigin.LOCAL_NOT_AWAY})
        if start is None:
            return pass_issue(person=person, acting_user=admin)
        return Pass.objects.create(person=person, enterprise=enterprise, valid_from=start, valid_to=start + timedelta(days=29), issued_by=admin)

    return make


@pytest.fixture
def gate_client(client_for: Callable[[str], Client]) -> Client:
    return client_for("gate_guard")


@pytest.fixture
def other_gate(db: Any, own_enterprise: Enterprise) -> Gate:
    """A gate of another enterprise of the same grid: not gate_guard's."""
    neighbour = Enterprise.objects.filter(region=own_enterprise.region).exclude(pk=own_enterprise.pk).order_by("pk").first()
    assert neighbour is not None
    return Gate.objects.create(enterprise=neighbour, name="北门")


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)
