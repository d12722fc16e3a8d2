"""Schemes, enterprises and rosters the subsidy tests talk about: Heyuan's rules on a scheme of
their own (period 2020-02-01 – 2020-06-30, cut-off 2020-02-20), a fresh enterprise of 高新区 with
a roster registered through the workforce service, and the demo's accounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import count
from typing import Any

import pytest

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership, User
from fugong.enterprises.choices import Sector, Size
from fugong.enterprises.models import Enterprise
from fugong.regions.models import Region
from fugong.subsidies.models import SubsidyScheme
from fugong.subsidies.seeds import HEYUAN_BASIS, RENT_BASIS, heyuan_rules, rent_rules, scheme_create
from fugong.workforce.models import Person
from fugong.workforce.services import person_create
from tests.workforce.factories import id_number

HITECH = "441602-GXQ"
GRID1 = "441602-GXQ-IND01"
START, CUTOFF, END = date(2020, 2, 1), date(2020, 2, 20), date(2020, 6, 30)
_serials = count(8200)  # ID numbers of their own, apart from the demo's and other apps' tests
_uscc = count(1)


@pytest.fixture
def admin(users: Callable[[str], User]) -> User:
    return users("admin")


@pytest.fixture
def own_enterprise(db: Any) -> Enterprise:
    return Membership.objects.get(user__username="ent_admin", role=Role.ENTERPRISE).enterprise  # type: ignore[return-value]


@pytest.fixture
def heyuan_scheme(db: Any) -> SubsidyScheme:
    """Heyuan's four rules over 2020-02-01 – 2020-06-30 for 高新区 (returned by 2-20 → 300, later until 3-31 → 200)."""
    return scheme_create(region=Region.objects.get(code=HITECH), name="测试返岗稳岗补贴", period=(START, END), legal_basis=HEYUAN_BASIS,
                         rules=heyuan_rules(cutoff=CUTOFF, last_return=date(2020, 3, 31)))


@pytest.fixture
def rent_scheme(db: Any) -> SubsidyScheme:
    """February free, March and April at half, for park tenants of 高新区."""
    return scheme_create(region=Region.objects.get(code=HITECH), name="测试园区租金减免", period=(START, END), legal_basis=RENT_BASIS,
                         rules=rent_rules(first_month=START), park_tenants_only=True)


def make_enterprise(*, in_park: bool = False, grid: str = GRID1, name: str = "") -> Enterprise:
    from stdnum.cn import uscc

    serial = next(_uscc)
    body = f"9144160{serial % 10}MB{serial:07d}"
    region = Region.objects.get(code=grid)
    return Enterprise.objects.create(
        name=name or f"河源市补贴测试{serial}电子有限公司", uscc=body + uscc.calc_check_digit(body), sector=Sector.INDUSTRY, size=Size.BELOW,
        address="高新区1号", region=region, town=Region.objects.get(code=HITECH), legal_representative="赵一", contact_name="钱二",
        contact_phone="13900000000", headcount=20, in_park=in_park,
    )


@pytest.fixture
def fresh_enterprise(db: Any) -> Enterprise:
    """A new enterprise of 高新区 · 工业企业第1网格 with no one on its roster yet."""
    return make_enterprise()


@pytest.fixture
def person_at(admin: User) -> Callable[..., Person]:
    """Register a person through the service (as the platform admin)."""

    def make(enterprise: Enterprise, name: str, **data: Any) -> Person:
        data = {"name": name, "id_number": id_number(next(_serials), area="441625"), "phone": "13900000000", "origin": "other_province", **data}
        return person_create(enterprise=enterprise, acting_user=admin, data=data)

    return make


@pytest.fixture
def roster(fresh_enterprise: Enterprise, person_at: Callable[..., Person]) -> dict[str, Person]:
    """Six workers of the fresh enterprise, each earning something different under Heyuan's rules:

    - 王早归: back 2-20 (the cut-off day) from another province → 300
    - 李晚归: back 2-21 from another city of the province → 200
    - 张本地: local, never away → no return bonus
    - 刘老员: back 2-10 from the same city, referred 陈新人 → 300 + referral 300
    - 陈新人: hired 2-15 (a new hire), referred by 刘老员, from another province → 3 months on 5-15, travel 300
    - 赵新近: hired 4-01 → not yet 3 months on 6-01
    """
    e = fresh_enterprise
    people = {
        "王早归": person_at(e, "王早归", return_date=date(2020, 2, 20), origin="other_province"),
        "李晚归": person_at(e, "李晚归", return_date=date(2020, 2, 21), origin="other_city_same_province"),
        "张本地": person_at(e, "张本地", origin="local_not_away"),
        "刘老员": person_at(e, "刘老员", return_date=date(2020, 2, 10), origin="same_city_other_district"),
    }
    people["陈新人"] = person_at(e, "陈新人", return_date=date(2020, 2, 15), hired_on=date(2020, 2, 15), origin="other_province",
                              referred_by=people["刘老员"].pk)
    people["赵新近"] = person_at(e, "赵新近", return_date=date(2020, 4, 1), hired_on=date(2020, 4, 1), origin="same_city_other_district")
    return people


@pytest.fixture
def enterprise_admin(fresh_enterprise: Enterprise) -> User:
    """An enterprise admin of the fresh enterprise."""
    user = User.objects.create_user(username="subsidy_ent", password="x", display_name="补贴测试 防疫专员")
    Membership.objects.create(user=user, role=Role.ENTERPRISE, enterprise=fresh_enterprise)
    return user
