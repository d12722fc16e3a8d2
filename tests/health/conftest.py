"""People and clients the check-in and alert tests talk about: ent_admin's enterprise (高新区 ·
工业企业第1网格) with the demo employee's own record and a colleague, a neighbour of the same grid
and an enterprise of 鹤山市."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership, User
from fugong.enterprises.models import Enterprise
from fugong.health import services
from fugong.workforce.models import Person
from fugong.workforce.services import person_create
from tests.workforce.factories import id_number

GRID1 = "441602-GXQ-IND01"


def register(enterprise: Enterprise, serial: int, name: str, **data: Any) -> Person:
    """A person registered through the service, as the platform admin (serials from 7,000 keep
    clear of the demo's rosters)."""
    admin = User.objects.get(username="admin")
    return person_create(enterprise=enterprise, acting_user=admin,
                         data={"name": name, "id_number": id_number(7000 + serial), "phone": "13900000000", **data})


@pytest.fixture
def own_enterprise(db: Any) -> Enterprise:
    return Membership.objects.get(user__username="ent_admin", role=Role.ENTERPRISE).enterprise  # type: ignore[return-value]


@pytest.fixture
def staff(own_enterprise: Enterprise) -> dict[str, Person]:
    """The demo employee's own record (the demo's, with the demo's check-ins of the last days, or
    one made here), two colleagues without any check-in yet, a person of another enterprise of the
    same grid and one of 鹤山市."""
    employee_user = User.objects.get(username="employee")
    employee = Person.objects.filter(user=employee_user).first()
    if employee is None:
        employee = register(own_enterprise, 1, "张晓明")
        Person.objects.filter(pk=employee.pk).update(user=employee_user)
        employee.user = employee_user
    same_grid = Enterprise.objects.filter(region__code=GRID1).exclude(pk=own_enterprise.pk).order_by("pk").first()
    heshan = Enterprise.objects.filter(region__path__contains="/440784/").order_by("pk").first()
    assert same_grid is not None and heshan is not None
    return {
        "employee": employee,
        "colleague": register(own_enterprise, 2, "李秀英"),
        "newcomer": register(own_enterprise, 5, "王芳"),
        "neighbour": register(same_grid, 3, "陈建国"),
        "heshan": register(heshan, 4, "黄丽"),
    }


@pytest.fixture
def post_checkins(client_for: Callable[[str], Client]) -> Callable[..., Any]:
    """POST /api/v1/checkins as a demo account, optionally with an Idempotency-Key: with an API
    token of the account, as devices and apps post (the devices' view, ``health.api.device_post``),
    or ``session=True`` signed in on a page (the viewset)."""
    from fugong.accounts.models import ApiToken

    tokens: dict[str, str] = {}

    def send(username: str, body: Any, *, key: str | None = None, session: bool = False) -> Any:
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
        if session:
            client = client_for(username)
        else:
            if username not in tokens:
                tokens[username] = ApiToken.issue(user=User.objects.get(username=username), name="测试设备")[1]
            client = Client(HTTP_AUTHORIZATION=f"Token {tokens[username]}")
        return client.post("/api/v1/checkins", json.dumps(body, default=str), content_type="application/json", **headers)

    return send


@pytest.fixture
def policy_cache() -> Iterator[None]:
    """The in-process policy cache on (the test settings turn it off), emptied before and after."""
    from django.test import override_settings

    services.forget_cached_policies()
    with override_settings(FUGONG_POLICY_CACHE_SECONDS=60):
        yield
    services._clear_policies()


def at(text: str) -> datetime:
    """An aware moment from ISO text (with its offset)."""
    return datetime.fromisoformat(text)


def give_pass(person: Person) -> Any:
    """An open pass of ``person``, as the grid officer's approval leaves it (made directly: issuing
    is the workforce tests' subject)."""
    from datetime import timedelta

    from django.utils import timezone

    from fugong.workforce.models import Pass

    today = timezone.localdate()
    return Pass.objects.create(person=person, enterprise_id=person.enterprise_id, valid_from=today, valid_to=today + timedelta(days=29),
                               issued_by=User.objects.get(username="grid_officer"))
