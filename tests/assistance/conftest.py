"""Shared helpers of the help-for-enterprises tests: the demo's places and people, fresh routing
rules (the demo's replaced by ones each test states), and requests filed through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fugong.accounts.models import Membership, User
from fugong.assistance.models import HelpRequest, RoutingRule
from fugong.assistance.services import help_request_file
from fugong.enterprises.models import Enterprise
from fugong.regions.models import Department, Region

HEYUAN, HITECH, HESHAN = "441602", "441602-GXQ", "440784"
GRID1, GRID2 = "441602-GXQ-IND01", "441602-GXQ-IND02"


@pytest.fixture
def user() -> Callable[[str], User]:
    return lambda username: User.objects.get(username=username)


@pytest.fixture
def region() -> Callable[[str], Region]:
    return lambda code: Region.objects.get(code=code)


@pytest.fixture
def department() -> Callable[[str, str], Department]:
    return lambda code, name: Department.objects.get(region__code=code, name=name)


@pytest.fixture
def own(db: Any) -> Enterprise:
    """ent_admin's enterprise (高新区 · 工业企业第1网格)."""
    enterprise = Membership.objects.get(user__username="ent_admin").enterprise
    assert enterprise is not None
    return enterprise


@pytest.fixture
def neighbour(own: Enterprise) -> Enterprise:
    """Another enterprise of the same grid."""
    found = Enterprise.objects.filter(region=own.region).exclude(pk=own.pk).order_by("pk").first()
    assert found is not None
    return found


@pytest.fixture
def other_grid(db: Any) -> Enterprise:
    found = Enterprise.objects.filter(region__code=GRID2).order_by("pk").first()
    assert found is not None
    return found


@pytest.fixture
def heshan_enterprise(db: Any) -> Enterprise:
    found = Enterprise.objects.filter(region__path__startswith=Region.objects.get(code=HESHAN).path).order_by("pk").first()
    assert found is not None
    return found


@pytest.fixture
def rules(db: Any, region: Callable[[str], Region], department: Callable[[str, str], Department]) -> dict[str, RoutingRule]:
    """The rules the tests state: 源城区 finance → its SME centre, protective supplies → 工信局;
    高新区 finance → 经贸办, any category → 工程办 is NOT set (so 'other' falls back to the town's command)."""
    RoutingRule.objects.all().delete()
    heyuan, hitech = region(HEYUAN), region(HITECH)
    sme = department(HEYUAN, "中小企业发展促进中心")
    gxj = department(HEYUAN, "工信局")
    jmb = department(HITECH, "经贸办")
    return {
        "county_finance": RoutingRule.objects.create(region=heyuan, category="finance", department=sme),
        "county_supplies": RoutingRule.objects.create(region=heyuan, category="protective_supplies", department=gxj),
        "hitech_finance": RoutingRule.objects.create(region=hitech, category="finance", department=jmb),
    }


@pytest.fixture
def file_request(user: Callable[[str], User]) -> Callable[..., HelpRequest]:
    def make(enterprise: Enterprise, category: str = "finance", by: str = "ent_admin", **kwargs: Any) -> HelpRequest:
        acting = User.objects.get(username="admin") if by == "admin" else user(by)
        values = {"title": "流动资金紧张", "description": "希望对接银行疫情专项贷款。"} | kwargs
        return help_request_file(enterprise=enterprise, category=category, acting_user=acting, **values)

    return make
