"""Demo quarantine and daily reports, on Heyuan's figures (SPEC.md, "Quarantine and isolation"):
a 42-room centralised site plus 120 hotel rooms in reserve; enterprise observation areas for the
approved enterprises of 高新区 (Heyuan counted 315 areas with 1,003 rooms, about 3.2 rooms each);
at one time 10 in enterprise observation, 20 at home, 12 centralised, and 365 released in total
(people counts scaled by ``scale``), a few due for release today.

Then the daily reports (日报告) of the approved enterprises for the last days, their figures
computed from the data like the page's; most filed on time, a few late (their missing-report
alert closed by the late report), and today's still missing for some.

Dated relative to the real today, so "due for release today" and "who has not reported" show live
figures. The people placed are the workforce demo's; without any yet, the placements wait (they
are seeded by the next ``fugong demo``). Each part is skipped once it exists.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from fugong.accounts.models import User
from fugong.enterprises.models import Enterprise
from fugong.health.choices import AlertKind, AlertOutcome, AlertStatus, ReportStatus
from fugong.health.models import Alert, DailyReport
from fugong.health.reports import check_missing_reports, daily_report_figures, deadline_of, must_report
from fugong.policy.parameters import SHANGHAI
from fugong.quarantine.choices import PlacementReason, PlacementStatus, QuarantineKind
from fugong.quarantine.models import Bed, Placement, QuarantineCheck, Site
from fugong.quarantine.services import check_record, free_beds, placement_create, planned_end_for, site_create
from fugong.workforce.models import Person

SEED = 20200215
CENTRAL_ROOMS = 42  # Heyuan's centralised site
RESERVE_ROOMS = 120  # and its hotel rooms in reserve
HESHAN_CENTRAL_ROOMS = 30
ROOMS_PER_AREA = [2, 3, 3, 3, 4, 4]  # about 1,003 rooms / 315 areas
NOW_HELD = {QuarantineKind.ENTERPRISE: 10, QuarantineKind.HOME: 20, QuarantineKind.CENTRAL: 12}
RELEASED_TOTAL = 365
REPORT_DAYS = 7  # daily reports of the days before today
ON_TIME_SHARE = 0.9
TODAY_FILED_SHARE = 0.7
ZERO_SHARE = 0.4
FIRST_FILING_HOUR = 7  # of the reports with nothing abnormal, those filed as zero reports
HOME_RELEASE_NOTES = ["满14天，社区医生复核无异常，解除居家隔离。", "隔离期满，体温正常，解除隔离。"]
EARLY_RELEASE_NOTES = ["核酸检测两次阴性，经专家组评估提前解除。", "排除密切接触，提前解除。"]
OBSERVATION_NAMES = ["厂区东北角独立板房", "办公楼一楼观察室", "宿舍楼一楼西侧单间", "门卫室旁独立房间", "仓库旁独立房间"]


def _scaled(count: int, scale: float) -> int:
    return max(1, round(count * scale))


def seed_quarantine(places: dict[str, Any], scale: float = 1.0) -> dict[str, int]:
    """Sites, placements and daily reports of the demo (each part skipped once it exists).
    Returns counts of what was written."""
    rng = random.Random(SEED)
    admin = User.objects.get(username="admin")
    counts: dict[str, int] = {}
    with transaction.atomic():
        if not Site.objects.exists():
            counts["sites"] = _sites(places, rng, admin)
    with transaction.atomic():
        if not Placement.objects.exists():
            counts |= _placements(places, rng, admin, scale)
    with transaction.atomic():
        if not DailyReport.objects.exists():
            counts |= _daily_reports(rng)
    return counts


# -- sites -----------------------------------------------------------------------------------------


def _sites(places: dict[str, Any], rng: random.Random, admin: User) -> int:
    hitech, heshan = places["hitech"], places["heshan"]
    site_create(kind=QuarantineKind.CENTRAL, name="高新区集中隔离点（东江宾馆）", region=hitech, rooms=CENTRAL_ROOMS, acting_user=admin,
                address="高新区科技大道东江宾馆", note="单人单间，配驻点医生两名、保安四名。")
    site_create(kind=QuarantineKind.CENTRAL, name="高新区备用隔离酒店（万绿酒店）", region=hitech, rooms=RESERVE_ROOMS, reserve=True, acting_user=admin,
                address="高新区兴业大道万绿酒店", note="储备房源，集中隔离点住满时启用。")
    site_create(kind=QuarantineKind.CENTRAL, name="鹤山市集中隔离点（沙坪酒店）", region=heshan, rooms=HESHAN_CENTRAL_ROOMS, acting_user=admin,
                address="沙坪街道人民路")
    created = 3
    for enterprise in _area_enterprises(places):
        rooms = rng.choice(ROOMS_PER_AREA)
        location = _observation_location(enterprise) or rng.choice(OBSERVATION_NAMES)
        site_create(kind=QuarantineKind.ENTERPRISE, name=f"{enterprise.name}观察区", region=enterprise.region, enterprise=enterprise,
                    rooms=[(f"G{number}", 1) for number in range(1, rooms + 1)], address=location, acting_user=admin)
        created += 1
    return created


def _area_enterprises(places: dict[str, Any]) -> list[Enterprise]:
    """The 高新区 enterprises with an observation area: the approved ones, and ent_admin's (its
    application declares one), so every demo account that places people has somewhere to."""
    from fugong.accounts.models import Membership

    approved = list(must_report(Enterprise.objects.filter(town=places["hitech"])).order_by("pk"))
    own = Membership.objects.filter(user__username="ent_admin").values_list("enterprise_id", flat=True).first()
    if own is not None and own not in {e.pk for e in approved}:
        approved.insert(0, Enterprise.objects.get(pk=own))
    return approved


def _observation_location(enterprise: Enterprise) -> str:
    from fugong.resumption.models import Application

    return (Application.objects.filter(enterprise=enterprise, observation_room=True).exclude(observation_room_location="")
            .order_by("-updated_at").values_list("observation_room_location", flat=True).first() or "")


# -- placements ------------------------------------------------------------------------------------


def _placements(places: dict[str, Any], rng: random.Random, admin: User, scale: float) -> dict[str, int]:
    # Not the people with an account (the demo employee): they show their pass and check-ins instead.
    people = list(Person.objects.filter(enterprise__town=places["hitech"], user__isnull=True).select_related("enterprise__region")
                  .order_by("pk"))
    if not people:
        return {}
    rng.shuffle(people)
    today = timezone.localdate()
    areas = {site.enterprise_id: site for site in Site.objects.filter(kind=QuarantineKind.ENTERPRISE)}
    central = Site.objects.get(name__startswith="高新区集中隔离点")
    by_category: dict[str, list[Person]] = {}
    for person in people:
        by_category.setdefault(person.category or "", []).append(person)
    used: set[Any] = set()
    # An observation area holds only a few beds: place a person there only while one is free.
    beds_left = {enterprise_id: free_beds(site).count() for enterprise_id, site in areas.items()}

    def take(prefer: str = "", where: set[int] | None = None) -> Person | None:
        for pool in (by_category.get(prefer, []) if prefer else [], people):
            for person in pool:
                if person.pk not in used and (where is None or person.enterprise_id in where):
                    used.add(person.pk)
                    return person
        return None

    held = 0
    for kind, reason, prefer in ((QuarantineKind.CENTRAL, PlacementReason.KEY_AREA, "central_quarantine"),
                                 (QuarantineKind.ENTERPRISE, PlacementReason.OUTSIDE_CITY, "isolate_before_pass"),
                                 (QuarantineKind.HOME, PlacementReason.OUTSIDE_CITY, "isolate_before_pass")):
        for number in range(_scaled(NOW_HELD[kind], scale)):
            with_beds = {enterprise_id for enterprise_id, left in beds_left.items() if left > 0}
            person = take(prefer, with_beds if kind == QuarantineKind.ENTERPRISE else None)
            if person is None:
                break
            if kind == QuarantineKind.ENTERPRISE:
                beds_left[person.enterprise_id] -= 1
            # The first of each kind is due for release today; the others started over the last 13 days.
            start = today - timedelta(days=14 if number == 0 else rng.randint(0, 13))
            site = {QuarantineKind.ENTERPRISE: areas.get(person.enterprise_id), QuarantineKind.CENTRAL: central}.get(kind)
            placement_create(person=person, kind=kind, reason=reason if number % 5 else PlacementReason.CONTACT, start=start, site=site,
                             acting_user=admin, note="按返岗人员分类管控安排。")
            held += 1
    checks = _checks(rng, admin)
    released = _released(people, used, areas, central, rng, admin, _scaled(RELEASED_TOTAL, scale))
    return {"placements_held": held, "placements_released": released, "checks": checks}


def _checks(rng: random.Random, admin: User) -> int:
    """The twice-daily checks of everyone held, from their first day to now; one fever today."""
    now = timezone.localtime()
    today = now.date()
    rows: list[QuarantineCheck] = []
    held = list(Placement.objects.filter(status=PlacementStatus.ACTIVE).order_by("start", "pk"))
    for placement in held:
        day = placement.start
        while day <= today:
            for slot, hour in ((1, 8), (2, 16)):
                moment = datetime.combine(day, time(hour, rng.randint(0, 50)), tzinfo=SHANGHAI)
                if moment > now:
                    continue
                rows.append(QuarantineCheck(placement=placement, date=day, slot=slot, recorded_at=moment, recorded_by=admin,
                                            temperature=Decimal(rng.choice(["36.2", "36.4", "36.5", "36.6", "36.7", "36.8"]))))
            day += timedelta(days=1)
    QuarantineCheck.objects.bulk_create(rows, batch_size=2000)
    # The last one placed (not yet due) has a fever at today's next check: an open alert to act on.
    fresh = [p for p in held if p.planned_end > today]
    if fresh:
        slot = 1 if now.hour < 12 else 2
        check_record(placement=fresh[-1], temperature="37.8", slot=slot, acting_user=admin)
    return len(rows) + (1 if fresh else 0)


def _released(people: list[Person], used: set[Any], areas: dict[int, Site], central: Site, rng: random.Random, admin: User,
              total: int) -> int:
    """Released placements of the past weeks, written in bulk (the demo's history): about half at
    home, a third in observation areas, the rest centralised; a few released early with a reason."""
    from fugong.policy.services import current

    today = timezone.localdate()
    free = [p for p in people if p.pk not in used] or people
    central_beds = list(Bed.objects.filter(room__site=central).order_by("room__order"))
    area_beds: dict[int, list[Bed]] = {}
    for area_bed in Bed.objects.filter(room__site__kind=QuarantineKind.ENTERPRISE).select_related("room__site"):
        area_beds.setdefault(area_bed.room.site.enterprise_id, []).append(area_bed)  # type: ignore[arg-type]
    policy = current(central.region)
    rows: list[Placement] = []
    for number in range(total):
        person = free[number % len(free)]
        roll = rng.random()
        kind = (QuarantineKind.HOME if roll < 0.5 else
                QuarantineKind.ENTERPRISE if roll < 0.83 and person.enterprise_id in area_beds else QuarantineKind.CENTRAL)
        reason = PlacementReason.KEY_AREA if kind == QuarantineKind.CENTRAL else PlacementReason.OUTSIDE_CITY
        start = today - timedelta(days=rng.randint(16, 45))
        planned_end = planned_end_for(reason=reason, start=start, policy=policy)
        early = rng.random() < 0.05
        released_on = planned_end - timedelta(days=rng.randint(2, 6)) if early else planned_end
        bed: Bed | None = None
        if kind == QuarantineKind.CENTRAL:
            bed = rng.choice(central_beds)
        elif kind == QuarantineKind.ENTERPRISE:
            bed = rng.choice(area_beds[person.enterprise_id])
        rows.append(Placement(
            person=person, enterprise_id=person.enterprise_id, kind=kind, reason=reason, site=bed.room.site if bed else None,
            room=bed.room if bed else None, bed=bed, start=start, planned_end=planned_end, status=PlacementStatus.RELEASED,
            released_on=released_on, released_by=admin, created_by=admin,
            released_at=datetime.combine(released_on, time(10, rng.randint(0, 59)), tzinfo=SHANGHAI),
            release_note=rng.choice(EARLY_RELEASE_NOTES if early else HOME_RELEASE_NOTES),
        ))
    Placement.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# -- daily reports ---------------------------------------------------------------------------------


def _daily_reports(rng: random.Random) -> dict[str, int]:
    """The last days' reports of every enterprise that must report, figures from the data: most on
    time, a few late (the missing-report alert raised at the cut-off, closed by the late report),
    today's filed by most so far; then the missing-report job runs as the scheduler would."""
    now = timezone.now()
    local_now = timezone.localtime(now)
    today = local_now.date()
    enterprises = list(must_report(Enterprise.objects.all()).select_related("region", "town").order_by("pk"))
    reports: list[DailyReport] = []
    alerts: list[Alert] = []
    deadlines: dict[Any, Any] = {}
    submitters = _submitters(enterprises)
    for back in range(REPORT_DAYS, -1, -1):
        day = today - timedelta(days=back)
        for enterprise in enterprises:
            deadline = deadline_of(enterprise, day, deadlines)
            if back == 0:
                # Today's so far: none before 7:00 (nobody files at night), then most of them.
                if local_now.hour < FIRST_FILING_HOUR or rng.random() >= TODAY_FILED_SHARE:
                    continue
                submitted = min(deadline - timedelta(minutes=rng.randint(20, 150)), now - timedelta(minutes=rng.randint(1, 30)))
            elif rng.random() < ON_TIME_SHARE:
                submitted = deadline - timedelta(minutes=rng.randint(10, 150))
            else:
                submitted = deadline + timedelta(minutes=rng.randint(25, 200))
                alerts.append(Alert(kind=AlertKind.MISSING_REPORT, enterprise=enterprise, date=day, raised_at=deadline + timedelta(minutes=15),
                                    detail=f"{day:%m月%d日}日报未在 {deadline:%H:%M} 前报送", status=AlertStatus.CLOSED,
                                    outcome=AlertOutcome.CLEARED, closed_at=submitted, closed_by=submitters.get(enterprise.pk),
                                    note=f"企业已于 {submitted.astimezone(SHANGHAI):%m月%d日 %H:%M} 补报日报。"))
            figures = daily_report_figures(enterprise, day)
            zero = not figures.abnormal and rng.random() < ZERO_SHARE
            reports.append(DailyReport(enterprise=enterprise, date=day, status=ReportStatus.ZERO if zero else ReportStatus.CONFIRMED,
                                       submitted_at=submitted, submitted_by=submitters.get(enterprise.pk), **figures.as_fields(),
                                       note="" if zero or rng.random() < 0.7 else "新返岗人员已全部登记测温，防控物资充足。"))
    DailyReport.objects.bulk_create(reports, batch_size=1000)
    Alert.objects.bulk_create(alerts, batch_size=1000)
    raised = check_missing_reports(at=now)  # today's, if the cut-off has passed
    return {"daily_reports": len(reports), "late_reports": len(alerts), "missing_today": len(raised)}


def _submitters(enterprises: list[Enterprise]) -> dict[int, User]:
    """Each enterprise's prevention officer (the demo's accounts), when it has one."""
    from fugong.accounts.choices import Role
    from fugong.accounts.models import Membership

    found: dict[int, User] = {}
    for membership in Membership.objects.filter(role=Role.ENTERPRISE, enterprise__in=enterprises).select_related("user").order_by("pk"):
        found.setdefault(membership.enterprise_id, membership.user)  # type: ignore[arg-type]
    return found

