"""The demo's gate log: 东门 and 源城区入城检查站 show a realistic few days without anyone typing."""

from __future__ import annotations

import time
from datetime import time as clock

import pytest
from django.db.models import Count
from django.utils import timezone

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership
from fugong.enterprises.models import Enterprise
from fugong.gates.choices import Direction, Outcome, PassageKind, Refusal
from fugong.gates.demo import seed_gate_log
from fugong.gates.models import Passage
from fugong.health.choices import AlertKind
from fugong.workforce import passes
from tests.gates.conftest import days_ago

pytestmark = pytest.mark.django_db
NAMES = ["王伟", "李娜", "张敏", "刘强", "陈静", "杨洋", "黄勇", "赵艳", "吴杰", "周娟"]


@pytest.fixture
def seeded(east_gate, worker):
    """The demo's log: the session's, if the workforce demo gave passes before the gate demo ran;
    otherwise seeded here over people given passes in this test."""
    if Passage.objects.exists():
        return {"seconds": 0.0, "again": seed_gate_log(0.25)}
    for name in NAMES:  # passes valid since before the demo's first day
        worker(east_gate.enterprise, name, start=days_ago(10))
    neighbour = Enterprise.objects.filter(region=east_gate.enterprise.region).exclude(pk=east_gate.enterprise_id).order_by("pk").first()
    worker(neighbour, "邻居", start=days_ago(10))
    started = time.monotonic()
    assert seed_gate_log(0.25)
    seconds = time.monotonic() - started
    return {"seconds": seconds, "again": seed_gate_log(0.25)}


def test_demo_gives_the_east_gate_a_few_days_of_workers_visitors_and_vehicles(seeded, east_gate):
    log = Passage.objects.filter(gate=east_gate)
    days = set(log.values_list("date", flat=True))
    assert {days_ago(2), days_ago(1)} <= days and max(days) <= timezone.localdate()
    assert not log.filter(at__gt=timezone.now()).exists(), "nothing happens after now"
    kinds = dict(log.values_list("kind").annotate(n=Count("pk")))
    assert kinds[PassageKind.WORKER] >= 4 and kinds[PassageKind.VISITOR] >= 6 and kinds[PassageKind.VEHICLE] >= 4
    assert log.filter(kind=PassageKind.VEHICLE, direction=Direction.OUT, date=days_ago(1)).exists()
    # Workers of 东门 are its own people (its preparation crew), none with a login of their own
    workers = log.filter(kind=PassageKind.WORKER, outcome=Outcome.ALLOWED)
    assert workers.exists() and not workers.exclude(enterprise=east_gate.enterprise).exists()
    assert not workers.filter(person__user__isnull=False).exists()


def test_demo_has_one_worker_fever_refused_alerted_and_the_pass_then_revoked(seeded, east_gate, checkpoint):
    # One worker's fever, at 东门 (else at the checkpoint): yesterday, or today when no pass was valid yesterday
    fevers = Passage.objects.filter(gate__in=[east_gate, checkpoint], kind=PassageKind.WORKER, refusal=Refusal.FEVER)
    if not fevers.exists():
        assert timezone.localtime().time() < clock(0, 5), "only a demo seeded in the first minutes of the day tells no fever yet"
        return
    fever = fevers.get()
    assert fever.date in (days_ago(1), days_ago(0)) and fever.reason == "体温 38.1℃ 发热，禁止入内，已生成预警"
    assert fever.alert is not None and fever.alert.kind == AlertKind.FEVER and fever.alert.person_id == fever.person_id
    assert fever.person.user_id is None, "the demo accounts' own records are left alone"
    # And the same pass, shown again later, is refused as revoked
    again = Passage.objects.get(gate=fever.gate, person=fever.person, at__gt=fever.at)
    assert (again.outcome, again.verification) == (Outcome.REFUSED, passes.REVOKED)


def test_demo_checkpoint_screens_vehicles_and_people_and_turns_back_a_fever(seeded, checkpoint):
    log = Passage.objects.filter(gate=checkpoint)
    assert log.filter(kind=PassageKind.WORKER, outcome=Outcome.ALLOWED).exists()
    assert log.filter(kind=PassageKind.VEHICLE).count() >= 16 and log.filter(kind=PassageKind.VISITOR).count() >= 12
    refused = log.get(refusal=Refusal.FEVER, kind=PassageKind.VISITOR)
    assert refused.kind == PassageKind.VISITOR and refused.alert is None and refused.date == days_ago(1)
    guard = Membership.objects.get(user__username="checkpoint_guard", role=Role.GATE)
    assert guard.gate_id == checkpoint.pk and log.filter(recorded_by=guard.user).count() == log.count()


def test_demo_seeding_is_fast_and_runs_once(seeded):
    assert seeded["seconds"] < 10
    assert seeded["again"] == {}
