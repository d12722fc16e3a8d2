"""Demo data modelled on the seed notices: 河源市源城区 with its 高新区 and Heyuan's 24 grids,
and 鹤山市 with its towns. Deterministic (fixed random seed), so every demo and test run sees
the same places, people and enterprises."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from stdnum.cn import uscc

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership, Notification, User
from fugong.enterprises.choices import ClosedManagement, EssentialCategory, GateKind, Sector, Size
from fugong.enterprises.models import Enterprise, Gate
from fugong.enterprises.services import town_of
from fugong.policy.models import PolicyVersion
from fugong.policy.parameters import PARAMETERS, SHANGHAI
from fugong.regions.choices import DepartmentKind, GridKind, Level
from fugong.regions.models import Department, Region
from fugong.regions.services import load_divisions

DEMO_PASSWORD = "Fugong2020demo"  # noqa: S105 - the published demo password, printed by `fugong demo`
HEYUAN_COUNTY = "441602"  # 河源市源城区
HESHAN_COUNTY = "440784"  # 鹤山市

# Heyuan hi-tech zone: 24 grids — 7 industrial, 5 construction sites, 6 residential committees, 6 rental housing.
HEYUAN_GRIDS = [(GridKind.INDUSTRIAL, 7, "工业企业"), (GridKind.CONSTRUCTION, 5, "建筑工地"),
                (GridKind.RESIDENTIAL, 6, "居委会"), (GridKind.RENTAL, 6, "出租屋")]
HESHAN_TOWNS_WITH_GRIDS = ["沙坪街道", "共和镇", "址山镇", "雅瑶镇"]

WORDS = ["华盛", "东江", "万绿", "龙记", "新丰", "恒达", "博泰", "嘉利", "富华", "联创", "源兴", "金鹏", "宏远", "永利",
         "粤港", "明阳", "鸿图", "立信", "长盛", "天润", "广兴", "佳美", "鹏程", "海川", "信达", "瑞丰", "和成", "伟业"]
TRADES = {
    Sector.INDUSTRY: ["电子科技有限公司", "精密制造有限公司", "塑胶制品有限公司", "五金有限公司", "光电有限公司", "新材料有限公司"],
    Sector.RETAIL_HOTEL_CATERING: ["商贸有限公司", "酒店有限公司", "超市有限公司"],
    Sector.SERVICES: ["物流有限公司", "物业管理有限公司", "信息技术有限公司"],
    Sector.CONSTRUCTION: ["建筑工程有限公司（项目工地）", "建设集团有限公司（施工项目部）"],
    Sector.REAL_ESTATE: ["房地产开发有限公司", "房产中介服务部"],
    Sector.STREET_SHOP: ["五金店", "便利店"],
    Sector.RESTAURANT: ["餐饮管理有限公司", "饭店"],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    role_label: str
    scope: str
    display_name: str


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _uscc(rng: random.Random, county: str) -> str:
    body = "91" + county + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))


class DemoBuilder:
    def __init__(self, seed: int = 2020) -> None:
        self.rng = random.Random(seed)
        self.accounts: list[DemoAccount] = []

    # -- places -----------------------------------------------------------------------------
    def places(self) -> dict[str, Any]:
        load_divisions([HEYUAN_COUNTY, HESHAN_COUNTY])
        yuancheng = Region.objects.get(code=HEYUAN_COUNTY)
        heshan = Region.objects.get(code=HESHAN_COUNTY)
        hitech, _ = Region.objects.get_or_create(
            code=f"{HEYUAN_COUNTY}-GXQ", defaults={"name": "高新区", "level": Level.TOWN, "parent": yuancheng, "is_development_zone": True}
        )
        grids: list[Region] = []
        for kind, count, label in HEYUAN_GRIDS:
            for number in range(1, count + 1):
                grid, _ = Region.objects.get_or_create(
                    code=f"{hitech.code}-{kind[:3].upper()}{number:02d}",
                    defaults={"name": f"{label}第{number}网格", "level": Level.GRID, "parent": hitech, "grid_kind": kind},
                )
                grids.append(grid)
        heshan_towns = {t.name: t for t in Region.objects.filter(parent=heshan, level=Level.TOWN)}
        heshan_grids: list[Region] = []
        for town_name in HESHAN_TOWNS_WITH_GRIDS:
            town = heshan_towns[town_name]
            community, _ = Region.objects.get_or_create(
                code=f"{town.code}-C01", defaults={"name": f"{town_name[:2]}社区", "level": Level.VILLAGE, "parent": town}
            )
            for number, kind in enumerate([GridKind.INDUSTRIAL, GridKind.INDUSTRIAL, GridKind.COMMERCIAL], start=1):
                grid, _ = Region.objects.get_or_create(
                    code=f"{community.code}-G{number:02d}",
                    defaults={"name": f"{town_name[:2]}第{number}网格", "level": Level.GRID, "parent": community, "grid_kind": kind},
                )
                heshan_grids.append(grid)
        return {"yuancheng": yuancheng, "heshan": heshan, "hitech": hitech, "grids": grids,
                "heshan_grids": heshan_grids, "heshan_towns": heshan_towns}

    def departments(self, p: dict[str, Any]) -> dict[str, Department]:
        plan = [
            (p["yuancheng"], "工信局", DepartmentKind.INDUSTRY), (p["yuancheng"], "应急管理局", DepartmentKind.EMERGENCY),
            (p["yuancheng"], "中小企业发展促进中心", DepartmentKind.SME), (p["hitech"], "经贸办", DepartmentKind.ECONOMY),
            (p["hitech"], "安监办", DepartmentKind.SAFETY), (p["hitech"], "工程办", DepartmentKind.ENGINEERING),
            (p["hitech"], "食安办", DepartmentKind.FOOD_SAFETY), (p["heshan"], "工信局", DepartmentKind.INDUSTRY),
            (p["heshan"], "应急管理局", DepartmentKind.EMERGENCY),
            # The street routing variant of 高新区 also sends park tenants to the park operator and street shops to the residents' committee;
            # the county variant sends 鹤山市's below-scale enterprises to its SME centre.
            (p["hitech"], "园区运营方", DepartmentKind.PARK), (p["hitech"], "社区居委会", DepartmentKind.COMMUNITY),
            (p["heshan"], "中小企业发展促进中心", DepartmentKind.SME),
        ]
        result = {}
        for region, name, kind in plan:
            department, _ = Department.objects.get_or_create(region=region, name=name, defaults={"kind": kind})
            result[f"{region.code}:{name}"] = department
        return result

    # -- enterprises ------------------------------------------------------------------------
    def enterprises(self, p: dict[str, Any], *, heyuan: int = 180, heshan: int = 95) -> list[Enterprise]:
        if Enterprise.objects.exists():
            return list(Enterprise.objects.all())
        rng = self.rng
        rows: list[Enterprise] = []
        used: set[str] = set()
        for county, count, grids, city in ((p["yuancheng"], heyuan, p["grids"], "河源市"), (p["heshan"], heshan, p["heshan_grids"], "鹤山市")):
            for index in range(count):
                grid = grids[index % len(grids)]
                sector = {GridKind.CONSTRUCTION: Sector.CONSTRUCTION, GridKind.RENTAL: rng.choice([Sector.STREET_SHOP, Sector.RESTAURANT]),
                          GridKind.RESIDENTIAL: rng.choice([Sector.RETAIL_HOTEL_CATERING, Sector.SERVICES, Sector.REAL_ESTATE]),
                          GridKind.COMMERCIAL: rng.choice([Sector.RETAIL_HOTEL_CATERING, Sector.RESTAURANT, Sector.STREET_SHOP])}.get(
                    grid.grid_kind, Sector.INDUSTRY)
                name = f"{city}{''.join(rng.sample(WORDS, 2))}{rng.choice(TRADES[sector])}"
                while name in used:
                    name = f"{city}{''.join(rng.sample(WORDS, 2))}{rng.choice(TRADES[sector])}"
                used.add(name)
                above = sector == Sector.INDUSTRY and rng.random() < 0.45
                headcount = rng.randint(150, 1800) if above else rng.randint(5, 140)
                essential = rng.choice([EssentialCategory.EPIDEMIC_SUPPLIES, EssentialCategory.FOOD, EssentialCategory.MEDICAL_DEVICES,
                                        EssentialCategory.UTILITIES]) if sector == Sector.INDUSTRY and rng.random() < 0.12 else ""
                enterprise = Enterprise(
                    name=name, uscc=_uscc(rng, county.code), sector=sector, size=Size.ABOVE if above else Size.BELOW,
                    essential_category=essential, in_park=grid.grid_kind == GridKind.INDUSTRIAL and rng.random() < 0.3,
                    key_cultivated=above and rng.random() < 0.3, address=f"{grid.parent.name if grid.parent else ''}{rng.randint(1, 300)}号",
                    region=grid, town=town_of(grid), legal_representative=_name(rng), contact_name=_name(rng),
                    contact_phone=_phone(rng), headcount=headcount, has_canteen=headcount > 80 and rng.random() < 0.7,
                    has_dormitory=headcount > 100 and rng.random() < 0.6, has_shuttle_bus=headcount > 300 and rng.random() < 0.5,
                    closed_management=rng.choice(list(ClosedManagement.values)), local_staff_percent=rng.randint(30, 95),
                )
                rows.append(enterprise)
        Enterprise.objects.bulk_create(rows, batch_size=1000)
        return list(Enterprise.objects.all())

    # -- people -----------------------------------------------------------------------------
    def user(self, username: str, display_name: str, role: str, *, superuser: bool = False, mobile: str | None = None,
             **target: Any) -> User:
        user, created = User.objects.get_or_create(username=username, defaults={"display_name": display_name, "mobile": mobile})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_superuser = user.is_staff = superuser
            user.save()
        if not superuser:
            Membership.objects.get_or_create(user=user, role=role, **target)
        scope = next((str(v) for v in target.values()), "全部")
        self.accounts.append(DemoAccount(username, DEMO_PASSWORD, role, Role(role).label, scope, display_name))
        return user

    def people(self, p: dict[str, Any], departments: dict[str, Department], enterprises: list[Enterprise]) -> None:
        hitech_first = next(e for e in enterprises if e.region_id == p["grids"][0].pk)
        gate, _ = Gate.objects.get_or_create(enterprise=hitech_first, name="东门", defaults={"kind": GateKind.ENTERPRISE})
        Gate.objects.get_or_create(region=p["yuancheng"], name="源城区入城检查站", defaults={"kind": GateKind.CHECKPOINT})
        self.user("admin", "系统管理员", Role.ADMIN, superuser=True)
        self.user("county_cmd", "源城区指挥部值班员", Role.COMMAND, mobile="13800000001", region=p["yuancheng"])
        self.user("hitech_cmd", "高新区指挥部 陈主任", Role.COMMAND, mobile="13800000002", region=p["hitech"])
        self.user("heshan_cmd", "鹤山市务工管理组 李组长", Role.COMMAND, mobile="13800000003", region=p["heshan"])
        self.user("jmb_reviewer", "高新区经贸办 王科长", Role.REVIEWER, department=departments[f"{p['hitech'].code}:经贸办"])
        self.user("gxj_reviewer", "源城区工信局 刘股长", Role.REVIEWER, department=departments[f"{p['yuancheng'].code}:工信局"])
        self.user("grid_officer", "工业企业第1网格 网格长", Role.GRID, mobile="13800000004", region=p["grids"][0])
        self.user("gongh_grid", "共和镇网格员", Role.GRID, region=p["heshan_grids"][3])
        self.user("ent_admin", f"{hitech_first.name} 防疫专员", Role.ENTERPRISE, mobile="13800000005", enterprise=hitech_first)
        self.user("employee", "员工 张晓明", Role.EMPLOYEE, enterprise=hitech_first)
        self.user("gate_guard", "东门门岗", Role.GATE, gate=gate)

    def policy(self, p: dict[str, Any]) -> None:
        if PolicyVersion.objects.exists():
            return
        admin = User.objects.filter(username="admin").first()
        PolicyVersion.objects.create(
            region=None, version=1, effective_from=datetime(2020, 1, 25, tzinfo=SHANGHAI),
            values={param.key: param.dump(param.default) for param in PARAMETERS},
            note="依据各地复工复产通知初始化（种子值）", created_by=admin,
        )
        # 鹤山市 asked essential-supply enterprises to file daily by 9:00 (a county override).
        PolicyVersion.objects.create(region=p["heshan"], version=1, effective_from=datetime(2020, 2, 9, tzinfo=SHANGHAI),
                                     values={"daily_report_deadline_hour": 9}, note="鹤山市务工管理组：日报9时前报送", created_by=admin)

    # -- resumption -------------------------------------------------------------------------
    def applications(self, p: dict[str, Any], departments: dict[str, Department], scale: float = 1.0) -> dict[str, int]:
        """高新区 reviews by the street variant of the routing rules; then the demo's applications are
        played through the services (see ``fugong.resumption.demo``). Skipped once applications exist."""
        from fugong.resumption import seeds
        from fugong.resumption.demo import seed_applications
        from fugong.resumption.models import Application, RoutingRule

        seeds.install(RoutingRule, variant="街道版", region=p["hitech"])
        if Application.objects.exists():
            return {}
        return seed_applications(p, departments, self.rng, scale)

    def more_accounts(self) -> None:
        """A few of the accounts the applications brought, worth trying: the next reviewer of
        ent_admin's application, and 鹤山市's reviewers and a town command."""
        for username in ("ajb_reviewer", "heshan_gxj", "heshan_sme", "gonghe_cmd", "checkpoint_guard"):
            membership = (Membership.objects.filter(user__username=username)
                          .select_related("user", "department__region", "region", "gate__region").first())
            if membership is not None:
                target = membership.department or membership.region or membership.gate
                self.accounts.append(DemoAccount(username, DEMO_PASSWORD, membership.role, Role(membership.role).label, str(target),
                                                 membership.user.display_name))


def seed_demo(*, scale: float = 1.0) -> list[DemoAccount]:
    """Create (or complete) the demo data and return the demo accounts. ``scale`` below 1 plays
    fewer resumption applications (every state still present): the test suite seeds with it."""
    from fugong.resumption.demo import quiet_old_notifications

    builder = DemoBuilder()
    with transaction.atomic():
        places = builder.places()
        departments = builder.departments(places)
        enterprises = builder.enterprises(places)
        builder.people(places, departments, enterprises)
        builder.policy(places)
    # The applications in a transaction of their own: the notifications they send are written on
    # its commit, and the demo's past ones are then marked read.
    last_notification = Notification.objects.aggregate(m=Max("pk"))["m"] or 0
    with transaction.atomic():
        builder.applications(places, departments, scale)
    quiet_old_notifications(last_notification)
    # People (一人一档) of the approved enterprises, dated relative to today: fugong.workforce.demo.
    from fugong.workforce.demo import seed_people

    with transaction.atomic():
        seed_people(places, random.Random(20200204), scale)
    # Their classification, the risk-area list, passes and one re-evaluation run (commits by batch).
    from fugong.workforce.demo import seed_classification_and_passes

    seed_classification_and_passes(places, random.Random(20200205), scale)
    # Their check-ins of the last days (today's slot partly done) and a few fever and symptom
    # alerts, open and closed: fugong.health.demo.
    from fugong.health.demo import seed_checkins

    seed_checkins(scale)
    # The gate log of 东门 and 源城区入城检查站 (today and the days before), once passes exist.
    from fugong.gates.demo import seed_gate_log

    seed_gate_log(scale)
    # Quarantine sites and placements, and the daily reports of the last days (needs the people,
    # check-ins and gate log above): fugong.quarantine.demo.
    from fugong.quarantine.demo import seed_quarantine

    seed_quarantine(places, scale)
    # Protective materials: enterprise stock, the stockpiles of 源城区, 高新区 and 鹤山市, and
    # allocations in each state (needs the people above): fugong.materials.demo.
    from fugong.materials.demo import seed_materials

    seed_materials(places, scale)
    # Subsidy schemes of 河源市 and 高新区's park, new hires and referrals on the rosters, and
    # applications computed from them: fugong.subsidies.demo.
    from fugong.subsidies.demo import seed_subsidies

    seed_subsidies(places, scale)
    # Help requests routed to the departments, and the labour-demand ledger: fugong.assistance.demo.
    from fugong.assistance.demo import seed_assistance

    seed_assistance(places, scale)
    # Patrol teams and plans of 高新区, last week's and this week's visits with their gaps, and
    # findings in every state: fugong.inspections.demo.
    from fugong.inspections.demo import seed_patrols

    seed_patrols(places, scale)
    builder.more_accounts()
    # Last: the command centre's flags, the rollups of the last days and one daily summary, computed
    # from everything above: fugong.command.demo.
    from fugong.command.demo import seed_command

    seed_command(places, scale)
    return builder.accounts


def accounts_as_dicts(accounts: list[DemoAccount]) -> list[dict[str, str]]:
    return [asdict(a) for a in accounts]
