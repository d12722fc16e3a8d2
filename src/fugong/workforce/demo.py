"""Demo people (一人一档) for the approved enterprises of 高新区 and some of 鹤山市: rosters written
through the roster importer, health declarations, the demo employee's own record. Dated relative
to the real today, so the "today" pages show live figures.

The mix follows Heyuan's returned workers (SPEC.md, "The command centre's morning"): of 37,873,
23,730 were local and 14,143 not, 8,674 of them from other provinces. About 3,000 people at
scale 1.0 (750 at the test suite's 0.25), spread over the enterprises by headcount. Rosters go
through :class:`~fugong.workforce.importers.RosterImporter` (the same checks, encryption and bulk
insert as an upload, one audit entry per roster); the declarations are written in bulk, as they
would stand after a fortnight of people declaring through their links.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership, User
from fugong.core import idcard
from fugong.core.demo import GIVEN, SURNAMES
from fugong.enterprises.choices import Status
from fugong.enterprises.models import Enterprise
from fugong.policy.parameters import SHANGHAI
from fugong.regions.models import Region
from fugong.workforce.choices import DeclarationChannel, HouseholdHealth, PersonOrigin, Post, Transport
from fugong.workforce.declarations import LEGAL_BASIS, place_name
from fugong.workforce.importers import HEADERS, RosterImporter
from fugong.workforce.models import HealthDeclaration, Person
from fugong.workforce.services import id_number_index

PEOPLE_AT_FULL_SCALE = 3_000
HESHAN_SHARE = 0.2
# Heyuan's 37,873 returned workers: 23,730 local; of the 14,143 others, 8,674 from other provinces
# (the notices do not split the remaining 5,469; the demo halves them).
ORIGIN_WEIGHTS = {
    PersonOrigin.LOCAL_NOT_AWAY: 23_730,
    PersonOrigin.SAME_CITY_OTHER_DISTRICT: 2_735,
    PersonOrigin.OTHER_CITY_SAME_PROVINCE: 2_734,
    PersonOrigin.OTHER_PROVINCE: 8_674,
}
RETURN_WINDOW_DAYS = 20
DECLARED_SHARE = 0.85
APPROVED = (Status.APPROVED, Status.RESUMED, Status.SUSPENDED)


@dataclass(frozen=True)
class Home:
    """Where a worker comes from: the ID number's area code, the division to travel from, names."""

    area: str
    region: str
    household: str
    holiday: str


# By county (the enterprise's) and origin: a few real places each. A worker from another province
# travelled from their home county; a few came through Wuhan (湖北省武汉市, the seeds' key area).
LOCAL = {
    "441602": [Home("441602", "441602", "广东省河源市源城区", "源城区")],
    "440784": [Home("440784", "440784", "广东省江门市鹤山市", "鹤山市")],
}
SAME_CITY = {
    "441602": [Home("441621", "441621", "广东省河源市紫金县", "紫金县"), Home("441622", "441622", "广东省河源市龙川县", "龙川县"),
               Home("441623", "441623", "广东省河源市连平县", "连平县"), Home("441624", "441624", "广东省河源市和平县", "和平县"),
               Home("441625", "441625", "广东省河源市东源县", "东源县")],
    "440784": [Home("440703", "440703", "广东省江门市蓬江区", "蓬江区"), Home("440704", "440704", "广东省江门市江海区", "江海区"),
               Home("440781", "440781", "广东省江门市台山市", "台山市")],
}
OTHER_CITY = [Home("440105", "440105", "广东省广州市海珠区", "广州市"), Home("440304", "440304", "广东省深圳市福田区", "深圳市"),
              Home("441302", "441302", "广东省惠州市惠城区", "惠州市"), Home("441402", "441402", "广东省梅州市梅江区", "梅州市"),
              Home("440604", "440604", "广东省佛山市禅城区", "佛山市"), Home("441881", "441881", "广东省清远市英德市", "英德市")]
OTHER_PROVINCE = [Home("430104", "430104", "湖南省长沙市岳麓区", "长沙市"), Home("360121", "360121", "江西省南昌市南昌县", "南昌县"),
                  Home("450102", "450102", "广西壮族自治区南宁市兴宁区", "南宁市"), Home("510104", "510104", "四川省成都市锦江区", "成都市"),
                  Home("522601", "522601", "贵州省黔东南苗族侗族自治州凯里市", "凯里市"), Home("411302", "411302", "河南省南阳市宛城区", "南阳市"),
                  Home("421122", "421122", "湖北省黄冈市红安县", "红安县"), Home("350102", "350102", "福建省福州市鼓楼区", "福州市")]
WUHAN = "420106"  # 湖北省武汉市武昌区: the trip that makes a risk-area traveller
WUHAN_SHARE = 0.03  # of those from other provinces
CONTACT_SHARE = 0.005
DEMO_EMPLOYEE = ("张晓明", "13800000006", Home("441625", "441625", "广东省河源市东源县", "东源县"))
DEMO_EMPLOYEE_BIRTH = date(1992, 3, 15)


def _id_number(rng: random.Random, area: str, born: date | None = None) -> str:
    """A valid ID number. Never born in 1990: the workforce tests build their numbers there."""
    if born is None:
        born = date(rng.randint(1966, 2001), rng.randint(1, 12), rng.randint(1, 28))
        if born.year == 1990:
            born = born.replace(year=1989)
    body = f"{area}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + idcard.check_character(body)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))


@dataclass
class Planned:
    """One generated worker: the roster row and what their declaration will say."""

    number: str
    row: list[str]
    origin: str
    home: Home
    return_date: date
    through_wuhan: bool
    contact: bool
    declares: bool
    channel: str


def _enterprises(p: dict[str, Any], own: Enterprise | None) -> tuple[list[Enterprise], list[Enterprise]]:
    """高新区's approved enterprises (and the demo employee's, and one per grid so that every grid
    has people), and about half of 鹤山市's approved ones (one per grid likewise)."""

    def pick(where: Q, share: float, grids: list[Region]) -> list[Enterprise]:
        candidates = list(Enterprise.objects.filter(where).select_related("region", "town").order_by("pk"))
        chosen = [e for i, e in enumerate(c for c in candidates if c.status in APPROVED) if i % round(1 / share) == 0]
        for grid in grids:
            if not any(e.region_id == grid.pk for e in chosen):
                first = next((e for e in candidates if e.region_id == grid.pk), None)
                if first is not None:
                    chosen.append(first)
        return chosen

    hitech = pick(Q(town=p["hitech"]), 1.0, p["grids"])
    if own is not None and own not in hitech:
        hitech.append(own)
    heshan = pick(Q(region__path__startswith=p["heshan"].path), 0.5, p["heshan_grids"])
    return hitech, heshan


def _allocate(enterprises: list[Enterprise], total: int) -> dict[int, int]:
    """People per enterprise in proportion to headcount, at least 3 (at most the headcount)."""
    weight = sum(e.headcount for e in enterprises) or 1
    return {e.pk: max(min(3, e.headcount), min(e.headcount, round(total * e.headcount / weight))) for e in enterprises}


def _plan(rng: random.Random, enterprise: Enterprise, count: int, county: str, today: date) -> list[Planned]:
    origins, weights = list(ORIGIN_WEIGHTS), list(ORIGIN_WEIGHTS.values())
    rows: list[Planned] = []
    for _ in range(count):
        origin = rng.choices(origins, weights)[0]
        home = rng.choice({PersonOrigin.LOCAL_NOT_AWAY: LOCAL[county], PersonOrigin.SAME_CITY_OTHER_DISTRICT: SAME_CITY[county],
                           PersonOrigin.OTHER_CITY_SAME_PROVINCE: OTHER_CITY, PersonOrigin.OTHER_PROVINCE: OTHER_PROVINCE}[origin])
        # Back over the last 20 days; a few are still on their way (planned for the next days).
        returned = today + timedelta(days=rng.randint(1, 3)) if rng.random() < 0.05 else today - timedelta(days=rng.randint(0, RETURN_WINDOW_DAYS - 1))
        nearby = origin in (PersonOrigin.LOCAL_NOT_AWAY, PersonOrigin.SAME_CITY_OTHER_DISTRICT)
        transport = (rng.choice([Transport.SELF_DRIVE, Transport.SELF_DRIVE, Transport.BUS, Transport.OTHER]) if nearby
                     else rng.choice([Transport.SELF_DRIVE, Transport.TRAIN, Transport.TRAIN, Transport.BUS, Transport.PLANE]))
        post = rng.choices([Post.FRONT_LINE, Post.KEY, Post.CORE, Post.OTHER], [60, 20, 10, 10])[0]
        room = f"{rng.choice('ABC')}栋{rng.randint(1, 5)}{rng.randint(1, 20):02d}" if enterprise.has_dormitory and rng.random() < 0.4 else ""
        bus = "是" if enterprise.has_shuttle_bus and rng.random() < 0.3 else "否"
        number = _id_number(rng, home.area)
        row = [_name(rng), number, _phone(rng), f"{enterprise.town.name if enterprise.town_id else ''}{rng.randint(1, 300)}号宿舍区" if room else
               f"{home.household}{rng.choice(['建设路', '人民路', '新华街', '中山路'])}{rng.randint(1, 200)}号", home.household,
               returned.isoformat(), Transport(transport).label, Post(post).label, room, bus, home.holiday, PersonOrigin(origin).label]
        through_wuhan = origin == PersonOrigin.OTHER_PROVINCE and rng.random() < WUHAN_SHARE
        declares = returned <= today and rng.random() < DECLARED_SHARE
        channel = DeclarationChannel.LINK if rng.random() < 0.75 else DeclarationChannel.ENTERPRISE
        rows.append(Planned(number, row, origin, home, returned, through_wuhan, rng.random() < CONTACT_SHARE, declares, channel))
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _trips(plan: Planned, declared: date, names: dict[str, str]) -> list[dict[str, str]]:
    """The declared travel of the last 14 days: from home to here, perhaps by way of Wuhan."""
    if plan.origin == PersonOrigin.LOCAL_NOT_AWAY:
        return []
    left = plan.return_date - timedelta(days=1)
    start = max(declared - timedelta(days=13), left - timedelta(days=10))
    trips = [{"region": plan.home.region, "name": names.get(plan.home.region, plan.home.household), "from": start.isoformat(),
              "to": left.isoformat()}]
    if plan.through_wuhan:
        trips.append({"region": WUHAN, "name": names.get(WUHAN, "湖北省武汉市武昌区"), "from": left.isoformat(), "to": left.isoformat()})
    return trips


def seed_people(p: dict[str, Any], rng: random.Random, scale: float = 1.0) -> dict[str, int]:
    """Seed the demo's people; skipped once people exist. Returns how many were imported and declared."""
    if Person.objects.exists():
        return {}
    today = timezone.localdate()
    employee = User.objects.filter(username="employee").first()
    membership = Membership.objects.filter(user=employee, role=Role.EMPLOYEE).select_related("enterprise").first() if employee else None
    own = membership.enterprise if membership is not None else None
    hitech, heshan = _enterprises(p, own)
    total = max(60, round(PEOPLE_AT_FULL_SCALE * scale))
    heshan_total = round(total * HESHAN_SHARE)
    counts = _allocate(hitech, total - heshan_total) | _allocate(heshan, heshan_total)
    admins = dict(Membership.objects.filter(role=Role.ENTERPRISE, enterprise__in=[*hitech, *heshan])
                  .values_list("enterprise_id", "user_id"))
    users = {u.pk: u for u in User.objects.filter(pk__in=admins.values())}

    plans: dict[str, Planned] = {}
    imported = 0
    for enterprise in [*hitech, *heshan]:
        county = "440784" if enterprise in heshan else "441602"
        planned = _plan(rng, enterprise, counts[enterprise.pk], county, today)
        if enterprise == own and employee is not None:
            name, phone, home = DEMO_EMPLOYEE
            number = _id_number(rng, home.area, DEMO_EMPLOYEE_BIRTH)
            returned = today - timedelta(days=3)
            row = [name, number, phone, "河源市源城区高新区科技大道18号员工宿舍", home.household, returned.isoformat(), Transport.SELF_DRIVE.label,
                   Post.FRONT_LINE.label, "", "否", home.holiday, PersonOrigin.SAME_CITY_OTHER_DISTRICT.label]
            planned.insert(0, Planned(number, row, PersonOrigin.SAME_CITY_OTHER_DISTRICT, home, returned, False, False, True,
                                      DeclarationChannel.ACCOUNT))
        importer = RosterImporter(enterprise=enterprise, acting_user=users.get(admins.get(enterprise.pk, 0)), today=today)
        result = importer.run(_csv([plan.row for plan in planned]), "花名册.csv")
        imported += result.imported
        plans.update({id_number_index(plan.number): plan for plan in planned})

    if own is not None and employee is not None:
        Person.objects.filter(enterprise=own, name=DEMO_EMPLOYEE[0], phone=DEMO_EMPLOYEE[1]).update(user=employee)
    declared = _declare(plans, today)
    return {"people": imported, "declarations": declared}


def _declare(plans: dict[str, Planned], today: date) -> int:
    """The declarations people sent on or after their return, written in bulk, and copied onto them."""
    codes = {plan.home.region for plan in plans.values()} | {WUHAN}
    names = {region.code: place_name(region) for region in Region.objects.filter(code__in=codes)}
    rng = random.Random(4)
    declarations: list[HealthDeclaration] = []
    people: list[Person] = []
    for person in Person.objects.filter(id_number_index__in=list(plans)).only("pk", "id_number_index", "user_id"):
        plan = plans[person.id_number_index]
        if not plan.declares:
            continue
        day = min(today, plan.return_date + timedelta(days=rng.randint(0, 2)))
        at = datetime.combine(day, time(rng.randint(7, 21), rng.randint(0, 59)), tzinfo=SHANGHAI)
        at = min(at, timezone.now())
        trips = _trips(plan, day, names)
        declarations.append(HealthDeclaration(
            person=person, declared_at=at, channel=plan.channel, travel_history=trips, contact_with_case=plan.contact,
            contact_detail="同车厢有返乡人员后被确诊" if plan.contact else "", temperature=None, household_health=HouseholdHealth.HEALTHY,
            legal_basis=LEGAL_BASIS, consent=True, recorded_by_id=person.user_id,
        ))
        person.travel_history, person.contact_with_case = trips, plan.contact
        person.household_health, person.declared_at = HouseholdHealth.HEALTHY, at
        people.append(person)
    HealthDeclaration.objects.bulk_create(declarations, batch_size=1000)
    Person.objects.bulk_update(people, ["travel_history", "contact_with_case", "household_health", "declared_at"], batch_size=500)
    return len(declarations)


# -- classification, risk areas, passes, one re-evaluation run (A2) ---------------------------------

# Risk areas of the demo, dated relative to today so that the people's 14-day travel meets them:
# (division code, level, first day as days before today, last day as days before today or None, basis).
DEMO_RISK_AREAS: list[tuple[str, str, int, int | None, str]] = [
    ("420100", "high", 60, None, "湖北省新冠肺炎疫情防控指挥部通告（第1号）"),
    ("420000", "high", 45, None, "湖北省全省列为重点疫区"),
    ("330300", "high", 40, None, "浙江省温州市疫情防控工作领导小组通告"),
    ("411500", "medium", 35, None, "河南省信阳市疫情防控指挥部通告"),
    ("441900", "medium", 50, 18, "广东省东莞市（已解除）"),
]
PASS_SHARE = 0.85  # of the eligible staff of enterprises that may work; the demo employee always
REVOKED_SHARE = 0.03


def demo_pass_start(person: Person, wanted: date) -> date:
    """The first day of a demo pass meant to start on ``wanted``: not before the person's eligible
    date, except for local people who never left (pass after approval), who were as eligible a
    week ago as today — their classification dates eligibility from the day it ran. The demo's
    passes then reach back over the days its gates and check-ins tell, whatever the hour."""
    from fugong.policy.classification import Category

    if person.category == Category.PASS_AFTER_APPROVAL or person.eligible_on is None:
        return wanted
    return max(person.eligible_on, wanted)


def seed_classification_and_passes(p: dict[str, Any], rng: random.Random, scale: float = 1.0) -> dict[str, int]:
    """Classify every demo person, keep a risk-area list, issue passes to most of the eligible
    staff of approved enterprises (the demo employee included when eligible), revoke a few, and
    record one finished re-evaluation run with its changes. Skipped once risk areas exist.

    The story of the run: the list is first kept without the area that catches the most recent
    travellers; everyone is classified and passes are issued; then that area is added, and the
    run moves those travellers into quarantine (their passes revoked on the way)."""
    from django.db import transaction

    from fugong.audit.services import record
    from fugong.policy.services import current
    from fugong.workforce.choices import ReevaluationTrigger, RevocationReason
    from fugong.workforce.classify import RegionCodes, RiskIndex, classify_queryset, key_area_places, reevaluation_execute
    from fugong.workforce.models import Pass, ReevaluationRun, RiskArea

    if RiskArea.objects.exists() or not Person.objects.exists():
        return {}
    today, now = timezone.localdate(), timezone.now()
    admin = User.objects.filter(username="admin").first()
    regions = {r.code: r for r in Region.objects.filter(code__in=[code for code, *_ in DEMO_RISK_AREAS])}
    areas = [RiskArea(region=regions[code], level=level, valid_from=today - timedelta(days=start),
                      valid_to=today - timedelta(days=end) if end is not None else None, source=source, created_by=admin)
             for code, level, start, end, source in DEMO_RISK_AREAS if code in regions]
    days = int(current(None).travel_history_days)
    codes = RegionCodes()

    def hits(risk: RiskIndex, history: Any) -> bool:
        return bool(key_area_places(history, today=today, travel_days=days, risk=risk, regions=codes))

    travellers = list(Person.objects.exclude(travel_history=[]).values_list("travel_history", flat=True))
    # The area added last is the one that catches the most travellers (the run then shows them).
    counts = [sum(hits(RiskIndex([(a.region.code, a.valid_from, a.valid_to)]), h) for h in travellers) for a in areas]
    last = areas.pop(max(range(len(areas)), key=lambda i: counts[i]))
    with transaction.atomic():
        RiskArea.objects.bulk_create(areas)
    classify_queryset(Person.objects.all(), today=today)

    # Passes: most eligible people of enterprises that may work, issued over the last week by the
    # grid officer of their grid (else the command above it).
    # The demo employee's enterprise is still drafting its application; its own pass is shown all the same.
    may_work = Q(enterprise__status__in=[Status.APPROVED, Status.RESUMED]) | (Q(user__isnull=False) & ~Q(enterprise__status=Status.SUSPENDED))
    eligible = list(Person.objects.filter(may_work, eligible_on__lte=today).exclude(category="").select_related("enterprise").order_by("pk"))
    issuers = _pass_issuers()
    new_passes: list[Pass] = []
    for person in eligible:
        if person.user_id is None and rng.random() > PASS_SHARE:
            continue
        start = demo_pass_start(person, today - timedelta(days=rng.randint(0, 7)))
        new_passes.append(Pass(person=person, enterprise=person.enterprise, valid_from=start, valid_to=start + timedelta(days=29),
                               issued_by=issuers.get(person.enterprise.region_id) or admin))
    revoked = [item for item in new_passes if item.person.user_id is None and rng.random() < REVOKED_SHARE]
    for item in revoked:
        item.revoked_at = now - timedelta(hours=rng.randint(1, 72))
        item.revoked_reason = rng.choice([RevocationReason.FEVER, RevocationReason.QUARANTINE, RevocationReason.OTHER])
    with transaction.atomic():
        Pass.objects.bulk_create(new_passes, batch_size=1000)
        record(action="pass.issue_bulk", actor=admin, object_label="出入证", data={"count": len(new_passes), "demo": True})

    # The last area joins the list and a re-evaluation run follows (in process, as eager Celery would).
    with transaction.atomic():
        last.save(force_insert=True)
        record(action="risk_area.create", actor=admin, obj=last, object_label="风险地区", data={"region": last.region.code, "demo": True})
        run = ReevaluationRun.objects.create(trigger=ReevaluationTrigger.RISK_AREAS, created_by=admin)
    run = reevaluation_execute(run.pk, today=today)
    return {"risk_areas": len(areas) + 1, "passes": len(new_passes), "revoked": len(revoked), "run_changes": run.changed}


def _pass_issuers() -> dict[int, Any]:
    """Who signs the demo's passes, by enterprise region: the officer of the nearest grid or command above it."""
    officers = {m.region.path: m.user for m in Membership.objects.filter(role__in=[Role.GRID, Role.COMMAND], region__isnull=False)
                .select_related("region", "user")}
    issuers: dict[int, Any] = {}
    for region_id, path in Enterprise.objects.values_list("region_id", "region__path").distinct():
        nearest = max((above for above in officers if path.startswith(above)), key=len, default=None)
        if nearest is not None:
            issuers[region_id] = officers[nearest]
    return issuers
