"""Re-evaluation (重新评估): a change of the risk-area list or of the policy re-classifies exactly
the persons it may affect, in a background run whose progress and changes the officers follow."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fugong.accounts.models import User
from fugong.enterprises.models import Enterprise
from fugong.policy.classification import Category, Origin
from fugong.policy.parameters import SHANGHAI
from fugong.policy.services import current, policy_publish
from fugong.regions.models import Region
from fugong.workforce.choices import ReevaluationTrigger, RiskLevel, RunStatus
from fugong.workforce.classify import reevaluation_execute
from fugong.workforce.importers import RosterImporter
from fugong.workforce.models import ClassificationChange, Person, ReevaluationRun
from fugong.workforce.risk import risk_area_create
from fugong.workforce.services import pass_issue
from tests.workforce.conftest import register
from tests.workforce.factories import many_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

HANGZHOU = "330100"  # 浙江省杭州市: none of the demo's people travelled there


def user(username: str) -> User:
    return User.objects.get(username=username)


def ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def trip(code: str, name: str, start: date, end: date) -> list[dict[str, str]]:
    return [{"region": code, "name": name, "from": start.isoformat(), "to": end.isoformat()}]


@pytest.fixture
def people(own_enterprise: Enterprise, heshan_enterprise: Enterprise) -> dict[str, Person]:
    """At ent_admin's enterprise (源城区): one back from 杭州 three days ago, one back from 成都, a
    local worker, one quarantined for a contact with a case; one from 杭州 at a 鹤山市 enterprise."""
    made = {
        "hangzhou": register(own_enterprise, 701, "孙志远", origin=Origin.OTHER_PROVINCE, return_date=ago(3)),
        "chengdu": register(own_enterprise, 702, "周晓燕", origin=Origin.OTHER_PROVINCE, return_date=ago(3)),
        "local": register(own_enterprise, 703, "吴海涛", origin=Origin.LOCAL_NOT_AWAY),
        "contact": register(own_enterprise, 704, "郑丽娟", origin=Origin.LOCAL_NOT_AWAY, return_date=ago(2)),
        "heshan": register(heshan_enterprise, 705, "冯国强", origin=Origin.OTHER_PROVINCE, return_date=ago(3)),
    }
    travel = {"hangzhou": trip("330106", "浙江省杭州市西湖区", ago(8), ago(4)), "chengdu": trip("510104", "四川省成都市锦江区", ago(8), ago(4)),
              "heshan": trip("330106", "浙江省杭州市西湖区", ago(8), ago(4))}
    for key, history in travel.items():
        Person.objects.filter(pk=made[key].pk).update(travel_history=history)
    Person.objects.filter(pk=made["contact"].pk).update(contact_with_case=True)
    from fugong.workforce.classify import classify_queryset

    classify_queryset(Person.objects.filter(pk__in=[p.pk for p in made.values()]))
    for person in made.values():
        person.refresh_from_db()
    assert made["contact"].category == Category.CENTRAL_QUARANTINE
    return made


def add_hangzhou(capture: Any) -> ReevaluationRun:
    with capture(execute=True):
        risk_area_create(region=Region.objects.get(code=HANGZHOU), level=RiskLevel.HIGH, valid_from=ago(30), source="杭州市通告",
                         acting_user=user("admin"))
    return ReevaluationRun.objects.latest("created_at")


def test_risk_area_change_reclassifies_exactly_the_travellers_through_it(people: dict[str, Person],
                                                                         django_capture_on_commit_callbacks: Any) -> None:
    # Given travellers, a local worker and a quarantined contact
    expected_total = sum(1 for p in Person.objects.only("travel_history", "category")
                         if p.travel_history or p.category in (Category.MUST_NOT_RETURN, Category.CENTRAL_QUARANTINE))
    # When 杭州市 becomes a risk area
    run = add_hangzhou(django_capture_on_commit_callbacks)
    # Then the run looked at everyone with a travel history or a key-area decision and moved exactly
    # the two back from 杭州 (one in 源城区, one in 鹤山市) into central quarantine
    assert (run.trigger, run.status, run.total, run.done) == (ReevaluationTrigger.RISK_AREAS, RunStatus.DONE, expected_total, expected_total)
    changed = set(ClassificationChange.objects.filter(run=run).values_list("person_id", flat=True))
    assert changed == {people["hangzhou"].pk, people["heshan"].pk} and run.changed == 2
    moved = Person.objects.get(pk=people["hangzhou"].pk)
    assert (moved.category, moved.eligible_on) == (Category.CENTRAL_QUARANTINE, ago(3) + timedelta(days=14))
    assert "浙江省杭州市西湖区" in moved.category_reason
    assert Person.objects.get(pk=people["chengdu"].pk).category == Category.ISOLATE_BEFORE_PASS


def test_officers_see_the_run_and_only_the_changes_in_their_scope(people: dict[str, Person], client_for: Callable[[str], Client],
                                                                 django_capture_on_commit_callbacks: Any) -> None:
    run = add_hangzhou(django_capture_on_commit_callbacks)

    def changes(username: str) -> set[Any]:
        response = client_for(username).get(reverse("workforce:reevaluation-detail", args=[run.pk]))
        assert response.status_code == 200
        return {c.person_id for c in response.context["page"].paginator.object_list}

    assert changes("admin") == {people["hangzhou"].pk, people["heshan"].pk}
    assert changes("grid_officer") == changes("hitech_cmd") == {people["hangzhou"].pk}
    assert changes("heshan_cmd") == {people["heshan"].pk}
    # Shown by masked name, with the new category and eligible date; exported alike
    page = client_for("grid_officer").get(reverse("workforce:reevaluation-detail", args=[run.pk])).content.decode()
    assert "孙*" in page and "孙志远" not in page and "集中隔离" in page
    export = client_for("grid_officer").get(reverse("workforce:reevaluation-detail", args=[run.pk]), {"export": "xlsx"})
    from tests.workforce.factories import read_sheets

    rows = next(iter(read_sheets(export.content).values()))
    assert [r[1] for r in rows[1:]] == ["孙*"] and rows[1][4] == "集中隔离"
    # The run list counts the changes in the officer's scope
    listed = client_for("grid_officer").get(reverse("workforce:reevaluation-list"))
    assert next(r for r in listed.context["page"] if r.pk == run.pk).changed_in_scope == 1
    for username in ("ent_admin", "employee", "gate_guard", "jmb_reviewer"):
        assert client_for(username).get(reverse("workforce:reevaluation-detail", args=[run.pk])).status_code == 403


def test_pass_of_someone_moved_into_quarantine_is_revoked(people: dict[str, Person], own_enterprise: Enterprise,
                                                          django_capture_on_commit_callbacks: Any) -> None:
    # Given a worker from another district, back five days ago and holding a pass, who had visited 杭州
    worker = register(own_enterprise, 706, "钱文斌", origin=Origin.SAME_CITY_OTHER_DISTRICT, return_date=ago(5))
    held = pass_issue(person=worker, acting_user=user("grid_officer"))
    Person.objects.filter(pk=worker.pk).update(travel_history=trip("330102", "浙江省杭州市上城区", ago(9), ago(6)))
    # When 杭州市 becomes a risk area
    add_hangzhou(django_capture_on_commit_callbacks)
    # Then the worker is due for quarantine and the pass is on the gates' revocation list
    held.refresh_from_db()
    assert held.revoked_reason == "quarantine" and held.revoked_at is not None
    client = Client()
    client.force_login(user("gate_guard"))
    assert str(held.pk) in client.get(reverse("api:pass-revoked")).json()["revoked"]


def test_county_policy_change_reevaluates_that_county_only(people: dict[str, Person], django_capture_on_commit_callbacks: Any) -> None:
    yuancheng = Region.objects.get(code="441602")
    values = {"central_quarantine_days": 21}
    # When 源城区 lengthens central quarantine to 21 days
    with django_capture_on_commit_callbacks(execute=True):
        policy_publish(region=yuancheng, values=values, effective_from=datetime(2020, 2, 1, tzinfo=SHANGHAI), note="测试：延长集中隔离",
                       acting_user=user("admin"))
    # Then a run of 源城区's people moves the quarantined contact's eligible date by a week
    run = ReevaluationRun.objects.latest("created_at")
    assert (run.trigger, run.region, run.status) == (ReevaluationTrigger.POLICY, yuancheng, RunStatus.DONE)
    assert run.total == Person.objects.filter(enterprise__region__path__startswith=yuancheng.path).count()
    change = ClassificationChange.objects.get(run=run, person=people["contact"])
    assert change.new_eligible_on - change.old_eligible_on == timedelta(days=7)  # type: ignore[operator]
    assert not ClassificationChange.objects.filter(run=run, person__enterprise__region__path__startswith="/440000/440700/").exists()
    assert current(yuancheng).central_quarantine_days == 21


def test_policy_change_that_classification_does_not_read_starts_no_run(db: Any, django_capture_on_commit_callbacks: Any) -> None:
    before = ReevaluationRun.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        policy_publish(region=Region.objects.get(code="441602"), values={"upload_max_mb": 20},
                       effective_from=datetime(2020, 2, 1, tzinfo=SHANGHAI), note="测试：附件上限", acting_user=user("admin"))
    assert ReevaluationRun.objects.count() == before


def test_progress_polls_while_the_run_is_active_and_stops_when_done(client_for: Callable[[str], Client]) -> None:
    run = ReevaluationRun.objects.create(trigger=ReevaluationTrigger.MANUAL, status=RunStatus.RUNNING, total=200, done=50)
    client = client_for("hitech_cmd")
    running = client.get(reverse("workforce:reevaluation-progress", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in running and 'value="25"' in running and "50 / 200" in running
    reevaluation_execute(run.pk)
    done = client.get(reverse("workforce:reevaluation-progress", args=[run.pk])).content.decode()
    assert "hx-trigger" not in done and 'value="100"' in done and "已完成" in done


def test_command_officer_starts_a_run_of_the_jurisdiction_by_hand(client_for: Callable[[str], Client],
                                                                  django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("hitech_cmd").post(reverse("workforce:reevaluation-start"))
    run = ReevaluationRun.objects.latest("created_at")
    assert response.status_code == 302 and response["Location"] == reverse("workforce:reevaluation-detail", args=[run.pk])
    assert (run.trigger, run.region.code, run.status) == (ReevaluationTrigger.MANUAL, "441602-GXQ", RunStatus.DONE)  # type: ignore[union-attr]
    assert run.total == Person.objects.filter(enterprise__region__path__startswith=run.region.path).count()  # type: ignore[union-attr]
    assert client_for("grid_officer").post(reverse("workforce:reevaluation-start")).status_code == 403


def test_another_county_run_is_not_found(client_for: Callable[[str], Client]) -> None:
    heshan_run = ReevaluationRun.objects.create(trigger=ReevaluationTrigger.POLICY, region=Region.objects.get(code="440784"))
    assert client_for("hitech_cmd").get(reverse("workforce:reevaluation-detail", args=[heshan_run.pk])).status_code == 404
    assert client_for("heshan_cmd").get(reverse("workforce:reevaluation-detail", args=[heshan_run.pk])).status_code == 200
    # 高新区's command follows a run of its own county (源城区)
    county_run = ReevaluationRun.objects.create(trigger=ReevaluationTrigger.POLICY, region=Region.objects.get(code="441602"))
    assert client_for("hitech_cmd").get(reverse("workforce:reevaluation-progress", args=[county_run.pk])).status_code == 200


def test_ten_thousand_people_reevaluate_well_within_a_minute(own_enterprise: Enterprise) -> None:
    # Given 10,000 more people of one enterprise
    result = RosterImporter(enterprise=own_enterprise, acting_user=user("admin")).run(many_csv(10_000), "花名册.csv")
    assert result.imported == 10_000
    run = ReevaluationRun.objects.create(trigger=ReevaluationTrigger.MANUAL, region=own_enterprise.region)
    # When they are all re-evaluated
    started = time.perf_counter()
    done = reevaluation_execute(run.pk)
    seconds = time.perf_counter() - started
    # Then every one of them is classified, in a fraction of a minute
    assert done.status == RunStatus.DONE and done.done == done.total >= 10_000
    assert not Person.objects.filter(enterprise=own_enterprise, classified_at__isnull=True).exists()
    assert seconds < 30, f"10,000 re-evaluations took {seconds:.1f} s"
