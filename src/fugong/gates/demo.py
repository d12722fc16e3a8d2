"""Demo gate log: the 东门 of ent_admin's enterprise (the demo account gate_guard) and 源城区入城检查站
(a checkpoint; the demo account checkpoint_guard) for today and the days before.

Played through the real services (:mod:`fugong.gates.services`) at the moments the passages
happened, so every pass is verified, every worker's temperature becomes a gate check-in, and the
one worker's fever (at 东门, or at the checkpoint when no 东门 worker held a pass yesterday)
raises its alert and revokes the pass — which the worker then finds refused as 已吊销 this
morning. Dated relative to the real today (never after now), so the gate's "today" figures are
live. Workers are the people the workforce demo gave a pass (and 东门's preparation crew, see
:func:`_preparation_crew`); people with a login of their own are left alone. Without any pass yet
the seeding waits (it runs again with the next ``fugong demo``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership, User
from fugong.enterprises.choices import GateKind
from fugong.enterprises.models import Gate
from fugong.gates import services
from fugong.gates.choices import Direction
from fugong.gates.models import Passage
from fugong.policy.parameters import SHANGHAI
from fugong.policy.services import current
from fugong.workforce.models import Pass

SEED = 20200210
DAYS = 4  # today and the three days before (fewer if the health policy takes check-ins fewer days back)
EAST_GATE = "东门"
CHECKPOINT = "源城区入城检查站"
CHECKPOINT_GUARD = ("checkpoint_guard", "源城区入城检查站 值守")
MAX_WORKERS = 40  # at scale 1: a gate's morning and evening rush stays a few hundred passages

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"
VISIT_PURPOSES = [("送货", "仓库 刘主管"), ("设备维修", "设备部 陈工"), ("业务洽谈", "销售部 王经理"), ("快递收发", "行政部"),
                  ("消毒服务", "行政部 赵主任"), ("防疫检查", "")]
VISIT_COMPANIES = ["河源市顺达物流有限公司", "广东恒信机电设备有限公司", "河源市洁康消杀服务部", "东源县绿源蔬菜配送中心", "中国邮政河源分公司",
                   "河源高新区管委会"]
TRAVEL_PURPOSES = ["返岗复工", "返岗复工", "返岗复工", "探亲返回", "出差", "就医"]
PLATE_AREAS = ["粤P", "粤P", "粤P", "粤A", "粤B", "粤S", "粤L", "赣B", "湘A"]
PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
CARGO = ["生活物资", "原材料（塑胶粒子）", "防疫物资（口罩）", "电子元件", "蔬菜", "成品（家电配件）", "空车", "建材"]


@dataclass(order=True)
class Event:
    at: datetime
    seq: int
    play: Callable[[], Any] = field(compare=False)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))


def _plate(rng: random.Random) -> str:
    return rng.choice(PLATE_AREAS) + "".join(rng.choice(PLATE_CHARS) for _ in range(5))


def _temperature(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(360, 369)) / 10


def _moment(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def _checkpoint_guard(gate: Gate) -> User:
    from fugong.core.demo import DEMO_PASSWORD

    username, display = CHECKPOINT_GUARD
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": display})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, role=Role.GATE, gate=gate)
    return user


def _workers(passes: list[Pass], rng: random.Random, limit: int) -> list[Pass]:
    """One open pass per person, a deterministic sample (people are ordered by what the workforce
    demo made deterministic, their names and masked ID numbers, not by random UUIDs)."""
    seen: set[Any] = set()
    chosen: list[Pass] = []
    for found in passes:
        if found.person_id not in seen:
            seen.add(found.person_id)
            chosen.append(found)
    rng.shuffle(chosen)
    return chosen[:limit]


def _grid_officer_over(enterprise: Any) -> User | None:
    """The officer who signs passes for the enterprise: of the nearest grid or command above it."""
    officers = Membership.objects.filter(role__in=[Role.GRID, Role.COMMAND], region__isnull=False).select_related("region", "user")
    above = [m for m in officers if enterprise.region.path.startswith(m.region.path)]
    return max(above, key=lambda m: len(m.region.path)).user if above else None


def _preparation_crew(east: Gate, today: date, first_day: date, limit: int) -> None:
    """ent_admin's enterprise has not resumed yet, so the workforce demo gave its people no pass
    (the demo employee's aside); its preparation crew (security, disinfection, maintenance before
    the acceptance inspection) gets one, signed through :func:`fugong.workforce.services.pass_issue`
    by the grid officer over it, valid from the demo's first day where their classification
    allowed it (else from the day it does)."""
    from fugong.workforce.demo import demo_pass_start
    from fugong.workforce.models import Person
    from fugong.workforce.services import pass_issue

    enterprise = east.enterprise
    officer = _grid_officer_over(enterprise) if enterprise is not None else None
    if enterprise is None or officer is None:
        return
    holding = Pass.objects.filter(enterprise=enterprise, revoked_at__isnull=True, person__user__isnull=True)
    wanted = limit - holding.count()
    if wanted <= 0:
        return
    crew = (Person.objects.filter(enterprise=enterprise, user__isnull=True, eligible_on__lte=today).exclude(category="")
            .exclude(pk__in=Pass.objects.filter(revoked_at__isnull=True).values("person_id"))
            .select_related("enterprise__region").order_by("name", "id_masked")[:wanted])
    for person in crew:
        issued = pass_issue(person=person, acting_user=officer, today=max(person.eligible_on or today, first_day))
        start = demo_pass_start(person, first_day)
        if start < issued.valid_from:  # the service issues from the eligible date; the demo's story starts earlier
            Pass.objects.filter(pk=issued.pk).update(valid_from=start)


def _open_passes(**where: Any) -> list[Pass]:
    """Open passes of people without a login: the demo accounts' own records (the demo employee)
    keep the check-ins and pass the other demos gave them."""
    return list(Pass.objects.filter(revoked_at__isnull=True, person__user__isnull=True, **where).select_related("person", "enterprise")
                .order_by("person__name", "person__id_masked", "valid_from"))


class GateStory:
    """The events of one gate over the demo's days, collected and then played in time order."""

    def __init__(self, gate: Gate, guard: User, rng: random.Random, now: datetime) -> None:
        self.gate, self.guard, self.rng, self.now = gate, guard, rng, now
        self.events: list[Event] = []

    def add(self, at: datetime, play: Callable[..., Any], **kwargs: Any) -> None:
        if at <= self.now:  # nothing of today happens after now
            self.events.append(Event(at, len(self.events), lambda: play(gate=self.gate, acting_user=self.guard, at=at, **kwargs)))

    def scan(self, at: datetime, found: Pass, direction: str, temperature: Decimal | None) -> None:
        self.add(at, services.gate_scan, token=found.token, temperature=temperature, direction=direction)

    def worker_day(self, day: date, found: Pass) -> None:
        rng = self.rng
        if not found.valid_from <= day <= found.valid_to or rng.random() < 0.08:  # a day off
            return
        self.scan(_moment(day, 7, 20) + timedelta(minutes=rng.randint(0, 75)), found, Direction.IN, _temperature(rng))
        self.scan(_moment(day, 17, 15) + timedelta(minutes=rng.randint(0, 90)), found, Direction.OUT,
                  _temperature(rng) if rng.random() < 0.3 else None)

    def visitor(self, at: datetime, *, purpose: str, company: str, host: str = "", stay_minutes: int = 0,
                temperature: Decimal | None = None) -> None:
        rng = self.rng
        name, phone = _name(rng), _phone(rng)
        self.add(at, services.visitor_record, direction=Direction.IN, name=name, phone=phone, company=company, purpose=purpose, host=host,
                 temperature=temperature or _temperature(rng))
        if stay_minutes:
            self.add(at + timedelta(minutes=stay_minutes), services.visitor_record, direction=Direction.OUT, name=name, phone=phone,
                     company=company)

    def vehicle(self, at: datetime, *, stay_minutes: int = 0, temperature: Decimal | None = None) -> None:
        rng = self.rng
        plate, driver, phone = _plate(rng), _name(rng), _phone(rng)
        cargo, riders = rng.choice(CARGO), rng.choice([0, 0, 0, 1, 1, 2, 3])
        self.add(at, services.vehicle_record, direction=Direction.IN, plate=plate, driver_name=driver, driver_phone=phone, cargo=cargo,
                 passengers=riders, temperature=temperature or _temperature(rng))
        if stay_minutes:
            self.add(at + timedelta(minutes=stay_minutes), services.vehicle_record, direction=Direction.OUT, plate=plate, driver_name=driver)


def _fever_story(story: GateStory, days: list[date], found: Pass) -> None:
    """One worker runs a fever at the gate — 38.1 ℃, refused, the alert raised, the pass revoked —
    and later shows the same pass again, refused as 已吊销. Yesterday morning and this morning when
    the pass was valid yesterday; else both today, before now."""
    yesterday, today = days[-2], days[-1]
    latest = story.now - timedelta(minutes=1)
    if found.valid_from <= yesterday:
        fever_at, again_at = _moment(yesterday, 7, 52), min(_moment(today, 7, 48), latest)
    else:
        fever_at = min(_moment(today, 7, 52), latest - timedelta(minutes=4))
        again_at = min(_moment(today, 13, 35), latest)
        if fever_at < _moment(today, 0, 0):
            return  # the first minutes after midnight: the story waits for tomorrow's demo
    story.scan(fever_at, found, Direction.IN, Decimal("38.1"))
    story.scan(again_at, found, Direction.IN, Decimal("36.6"))


def _east_gate(story: GateStory, days: list[date], workers: list[Pass], neighbour: Pass | None, feverish: Pass | None) -> None:
    rng = story.rng
    for day in days:
        for found in workers:
            if found is not feverish:
                story.worker_day(day, found)
        for _ in range(rng.randint(3, 6)):
            purpose, host = rng.choice(VISIT_PURPOSES)
            story.visitor(_moment(day, 8, 30) + timedelta(minutes=rng.randint(0, 480)), purpose=purpose, company=rng.choice(VISIT_COMPANIES),
                          host=host, stay_minutes=rng.randint(20, 120))
        for _ in range(rng.randint(2, 4)):
            story.vehicle(_moment(day, 8, 0) + timedelta(minutes=rng.randint(0, 540)), stay_minutes=rng.randint(15, 60))
    if feverish is not None:
        _fever_story(story, days, feverish)
    if neighbour is not None:
        # A worker of the neighbouring enterprise tries the wrong gate.
        story.scan(_moment(days[-1], 8, 5), neighbour, Direction.IN, Decimal("36.4"))


def _checkpoint(story: GateStory, days: list[date], workers: list[Pass], scale: float, feverish: Pass | None) -> None:
    rng = story.rng
    for index, day in enumerate(days):
        for _ in range(max(8, int(45 * scale))):
            story.vehicle(_moment(day, 6, 0) + timedelta(minutes=rng.randint(0, 960)))
        for _ in range(max(6, int(30 * scale))):
            story.visitor(_moment(day, 6, 0) + timedelta(minutes=rng.randint(0, 960)), purpose=rng.choice(TRAVEL_PURPOSES),
                          company=rng.choice(["", "", "河源市源城区", "深圳", "广州", "东莞", "江西赣州"]))
        for found in rng.sample(workers, min(len(workers), max(3, int(12 * scale)))):
            if found.valid_from <= day <= found.valid_to and found is not feverish:
                story.scan(_moment(day, 6, 30) + timedelta(minutes=rng.randint(0, 120)), found, Direction.IN, _temperature(rng))
        if index == len(days) - 2:
            # A traveller with a fever: refused at the checkpoint, shown red, no staff alert.
            story.visitor(_moment(day, 10, 17), purpose="探亲返回", company="江西赣州", temperature=Decimal("37.8"))
    if feverish is not None:
        _fever_story(story, days, feverish)


def seed_gate_log(scale: float = 1.0) -> dict[str, int]:
    """Seed the demo gates' log; skipped once any passage exists, and until the workforce demo has
    issued passes. Deterministic (fixed seed; people in a stable order). Returns counts."""
    east = Gate.objects.filter(name=EAST_GATE, kind=GateKind.ENTERPRISE).select_related("enterprise__region").order_by("pk").first()
    checkpoint = Gate.objects.filter(name=CHECKPOINT, kind=GateKind.CHECKPOINT).select_related("region").order_by("pk").first()
    if Passage.objects.exists() or east is None or checkpoint is None or checkpoint.region is None:
        return {}
    county_passes = _open_passes(enterprise__region__path__startswith=checkpoint.region.path)
    if not county_passes:
        return {}
    rng = random.Random(SEED)
    now = timezone.now()
    today = timezone.localdate()
    # Gate temperatures are check-ins, which the health policy takes only so many days back.
    backdate = int(getattr(current(checkpoint.region, now), "checkin_backdate_days", DAYS - 1))
    days = [today - timedelta(days=offset) for offset in range(min(DAYS - 1, backdate), -1, -1)]
    limit = max(6, int(MAX_WORKERS * scale))
    with transaction.atomic():
        _preparation_crew(east, today, days[0], max(6, int(16 * scale)))
    county_passes = _open_passes(enterprise__region__path__startswith=checkpoint.region.path)
    own = [p for p in county_passes if p.enterprise_id == east.enterprise_id]
    neighbours = [p for p in county_passes if p.enterprise_id != east.enterprise_id and east.enterprise
                  and p.enterprise.region_id == east.enterprise.region_id]
    east_workers, county_workers = _workers(own, rng, limit), _workers(county_passes, rng, limit)
    # The fever story is told at 东门 (by a worker who held a pass yesterday if one did), else at the checkpoint.
    held = sorted(east_workers, key=lambda p: p.valid_from)
    at_east = held[0] if held else None
    at_checkpoint = None if at_east else min(county_workers, key=lambda p: p.valid_from, default=None)
    with transaction.atomic():
        guard = User.objects.get(username="gate_guard")
        east_story = GateStory(east, guard, rng, now)
        _east_gate(east_story, days, east_workers, neighbours[0] if neighbours else None, at_east)
        check_story = GateStory(checkpoint, _checkpoint_guard(checkpoint), rng, now)
        _checkpoint(check_story, days, [p for p in county_workers if p.person_id != getattr(at_east, "person_id", None)], scale,
                    at_checkpoint)
        for event in sorted(east_story.events + check_story.events):
            event.play()
    return {"east_gate": Passage.objects.filter(gate=east).count(), "checkpoint": Passage.objects.filter(gate=checkpoint).count()}
