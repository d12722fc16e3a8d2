"""Classifying a person from their record: travel history against the risk-area list, origin,
return date, contacts and today's declaration (fugong.workforce.classify.person_classify)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fugong.accounts.models import User
from fugong.enterprises.models import Enterprise
from fugong.policy.classification import Category, Origin, WorkerFacts, classify
from fugong.policy.services import current
from fugong.regions.models import Region
from fugong.workforce.choices import ClassificationCategory, DeclarationChannel, HouseholdHealth, ReevaluationTrigger, RiskLevel
from fugong.workforce.classify import INCOMPLETE_REASON, RiskIndex, person_classify
from fugong.workforce.models import ClassificationChange, HealthDeclaration, Person, ReevaluationRun, RiskArea
from fugong.workforce.services import person_update
from tests.workforce.conftest import register

pytestmark = pytest.mark.django_db

TODAY = date(2020, 2, 20)
WUHAN, WUCHANG, HUBEI = "420100", "420106", "420000"
# A street of 武昌区 the tree does not hold (only the towns of 源城区 and 鹤山市 are loaded): its
# ancestors come from its county's path.
WUCHANG_STREET_NOT_LOADED = "420106001"
YUANXI = "441602004"  # 源西街道, a town the tree holds
# The places a trip may go, with the codes a risk area on which would cover them (the oracle,
# written out by hand rather than computed by the code under test).
PLACES: dict[str, set[str]] = {
    HUBEI: {HUBEI},
    WUHAN: {HUBEI, WUHAN},
    WUCHANG: {HUBEI, WUHAN, WUCHANG},
    WUCHANG_STREET_NOT_LOADED: {HUBEI, WUHAN, WUCHANG, WUCHANG_STREET_NOT_LOADED},
    "441600": {"440000", "441600"},
    "441602": {"440000", "441600", "441602"},
    YUANXI: {"440000", "441600", "441602", YUANXI},
    "110105": {"110000", "110105"},  # 北京市朝阳区: a municipality's district hangs under the province
}
RISK_CODES = sorted({code for covered in PLACES.values() for code in covered} - {WUCHANG_STREET_NOT_LOADED})


@pytest.fixture
def person(own_enterprise: Enterprise) -> Person:
    return register(own_enterprise, 501, "赵志强")


def trip(code: str, start: date | None, end: date | None, name: str = "") -> dict[str, Any]:
    return {"region": code, "name": name or code, "from": start.isoformat() if start else "", "to": end.isoformat() if end else ""}


def risk_area(code: str, valid_from: date, valid_to: date | None = None) -> RiskArea:
    return RiskArea.objects.create(region=Region.objects.get(code=code), level=RiskLevel.HIGH, valid_from=valid_from, valid_to=valid_to,
                                   source="测试")


def set_record(person: Person, **fields: Any) -> Person:
    for key, value in fields.items():
        setattr(person, key, value)
    person.save(update_fields=list(fields))
    return person


# -- examples ------------------------------------------------------------------------------------


def test_worker_back_from_wuhan_during_its_risk_period_goes_to_central_quarantine(person: Person) -> None:
    # Given 武汉市 high risk since 23 January, and a worker who was in 武昌区 until 10 February and came back then
    risk_area(WUHAN, date(2020, 1, 23))
    set_record(person, origin=Origin.OTHER_PROVINCE, return_date=date(2020, 2, 10),
               travel_history=[trip(WUCHANG, date(2020, 2, 1), date(2020, 2, 10), "湖北省武汉市武昌区")])
    # When they are classified on 20 February
    change = person_classify(person=person, today=TODAY)
    # Then they are in central quarantine for 14 days from their return, eligible on 24 February
    person.refresh_from_db()
    assert person.category == Category.CENTRAL_QUARANTINE
    assert person.eligible_on == date(2020, 2, 24) and person.checks_until == date(2020, 2, 23)
    assert "湖北省武汉市武昌区" in person.category_reason and "集中隔离 14 天" in person.category_reason
    assert change is not None and change.old_category == "" and change.new_category == Category.CENTRAL_QUARANTINE


def test_town_missing_from_the_tree_is_matched_through_its_county(person: Person) -> None:
    risk_area(WUCHANG, date(2020, 1, 23))
    set_record(person, origin=Origin.OTHER_PROVINCE, return_date=None,
               travel_history=[trip(WUCHANG_STREET_NOT_LOADED, date(2020, 2, 15), date(2020, 2, 18), "积玉桥街道")])
    person_classify(person=person, today=TODAY)
    assert person.category == Category.MUST_NOT_RETURN  # not back yet: must not return
    assert person.eligible_on is None


@pytest.mark.parametrize(("valid_from", "valid_to", "trip_days", "hit"), [
    (date(2020, 2, 12), None, (date(2020, 2, 1), date(2020, 2, 10)), False),  # the area became one after the trip
    (date(2020, 1, 1), date(2020, 1, 31), (date(2020, 2, 1), date(2020, 2, 10)), False),  # and ended before it
    (date(2020, 1, 1), date(2020, 2, 7), (date(2020, 2, 1), date(2020, 2, 10)), True),  # one shared day in the window is enough
    (date(2020, 1, 1), date(2020, 2, 6), (date(2020, 2, 1), date(2020, 2, 10)), False),  # a shared day before the window is not
    (date(2020, 1, 1), None, (date(2020, 1, 20), date(2020, 2, 6)), False),  # the trip ended 15 days ago: out of the window
    (date(2020, 1, 1), None, (date(2020, 1, 20), date(2020, 2, 7)), True),  # 14 days ago, today counting as one
    (date(2020, 2, 8), None, (date(2020, 1, 20), date(2020, 2, 7)), False),  # inside the window, but the area began later
    (date(2020, 1, 1), None, (None, None), True),  # a trip without dates was declared for the window
])
def test_a_trip_counts_when_the_trip_the_window_and_the_risk_period_share_a_day(
        person: Person, valid_from: date, valid_to: date | None, trip_days: tuple[date | None, date | None], hit: bool) -> None:
    risk_area(HUBEI, valid_from, valid_to)
    set_record(person, origin=Origin.OTHER_PROVINCE, return_date=date(2020, 2, 11), travel_history=[trip(WUHAN, *trip_days)])
    person_classify(person=person, today=TODAY)
    assert person.category == (Category.CENTRAL_QUARANTINE if hit else Category.ISOLATE_BEFORE_PASS)


def test_person_without_origin_is_not_guessed_but_fever_still_decides(person: Person) -> None:
    # Given a record without an origin
    set_record(person, origin="", return_date=date(2020, 2, 10))
    # When classified, the category stays blank and the reason says the record is incomplete
    assert person_classify(person=person, today=TODAY) is None
    assert (person.category, person.category_reason, person.eligible_on) == ("", INCOMPLETE_REASON, None)
    # And when they declared a fever today, the fever rule decides whatever the origin
    declare(person, TODAY, fever=True)
    change = person_classify(person=person, today=TODAY)
    assert person.category == Category.REFUSED_FEVER
    assert person.category_reason.startswith("申报有发热症状：拒绝入厂")
    assert change is not None and change.new_category == Category.REFUSED_FEVER


def test_only_a_declaration_of_today_counts(person: Person) -> None:
    set_record(person, origin=Origin.LOCAL_NOT_AWAY)
    declare(person, TODAY - timedelta(days=1), temperature=Decimal("38.2"), fever=True)
    person_classify(person=person, today=TODAY)
    assert person.category == Category.PASS_AFTER_APPROVAL
    declare(person, TODAY, temperature=Decimal("37.5"))
    person_classify(person=person, today=TODAY)
    assert person.category == Category.REFUSED_FEVER and "37.5℃" in person.category_reason


def test_change_is_written_only_when_category_or_eligible_date_moves(person: Person) -> None:
    set_record(person, origin=Origin.SAME_CITY_OTHER_DISTRICT, return_date=date(2020, 2, 10))
    first = person_classify(person=person, today=TODAY)
    assert first is not None
    assert person_classify(person=person, today=TODAY + timedelta(days=1)) is None  # same decision a day later
    run = ReevaluationRun.objects.create(trigger=ReevaluationTrigger.MANUAL)
    set_record(person, return_date=date(2020, 2, 12))
    moved = person_classify(person=person, today=TODAY, run=run)
    assert moved is not None and moved.run == run
    assert (moved.old_eligible_on, moved.new_eligible_on) == (date(2020, 2, 10), date(2020, 2, 12))
    assert ClassificationChange.objects.filter(person=person).count() == 2


def test_registering_and_editing_the_origin_classify_the_person(own_enterprise: Enterprise) -> None:
    # Given a person registered with an origin outside the city
    person = register(own_enterprise, 502, "钱多多", origin=Origin.OTHER_PROVINCE, return_date=timezone.localdate())
    assert person.category == Category.ISOLATE_BEFORE_PASS
    # When the origin is corrected to local
    person_update(person=person, acting_user=User.objects.get(username="admin"), data={"origin": Origin.LOCAL_NOT_AWAY})
    # Then the classification follows at once
    person.refresh_from_db()
    assert person.category == Category.PASS_AFTER_APPROVAL and person.eligible_on == timezone.localdate()


def declare(person: Person, day: date, *, temperature: Decimal | None = None, fever: bool = False, cough: bool = False) -> HealthDeclaration:
    return HealthDeclaration.objects.create(
        person=person, declared_at=timezone.make_aware(datetime.combine(day, time(8, 30))), channel=DeclarationChannel.LINK,
        temperature=temperature, fever=fever, cough=cough, household_health=HouseholdHealth.HEALTHY, legal_basis="测试", consent=True,
    )


# -- the property: what is stored is classify() on the same facts -----------------------------------

# Days around today, dense enough that trips, the 14-day window and risk periods often just touch.
days = st.integers(min_value=-25, max_value=5)
trips = st.lists(st.tuples(st.sampled_from(sorted(PLACES)), st.one_of(st.none(), days), st.integers(0, 8)), max_size=3)
# Mostly the places' own ancestors, so that a risk area often covers a trip (and sometimes not).
risks = st.lists(st.tuples(st.sampled_from([HUBEI, WUHAN, WUCHANG, "441600", "110000", *RISK_CODES]), days,
                           st.one_of(st.none(), st.integers(0, 20))), max_size=3)
symptoms = st.one_of(st.none(), st.tuples(st.one_of(st.none(), st.decimals("35.5", "39.5", places=1)), st.booleans(), st.booleans()))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(origin=st.sampled_from(["", *Origin]), today_offset=st.integers(0, 120), back=st.one_of(st.none(), st.integers(-30, 30)),
       contact=st.booleans(), travel=trips, areas=risks, declared=symptoms)
def test_stored_classification_is_classify_of_the_same_facts(
        person: Person, origin: str, today_offset: int, back: int | None, contact: bool,
        travel: list[tuple[str, int | None, int]], areas: list[tuple[str, int, int | None]],
        declared: tuple[Decimal | None, bool, bool] | None) -> None:
    today = date(2020, 1, 20) + timedelta(days=today_offset)
    policy = current(person.enterprise.region)
    with transaction.atomic():
        # Given a record, a risk-area list and maybe a declaration of today
        history = [trip(code, today + timedelta(days=start) if start is not None else None,
                        today + timedelta(days=start + length) if start is not None else None) for code, start, length in travel]
        return_date = today + timedelta(days=back) if back is not None else None
        set_record(person, origin=origin, contact_with_case=contact, return_date=return_date, travel_history=history,
                   category="", eligible_on=None)
        listed = [risk_area(code, today + timedelta(days=start), today + timedelta(days=start + length) if length is not None else None)
                  for code, start, length in areas]
        if declared is not None:
            declare(person, today, temperature=declared[0], fever=declared[1], cough=declared[2])
        # When the person is classified
        person_classify(person=person, today=today, policy=policy, risk_areas=RiskIndex.of(listed))
        stored = Person.objects.get(pk=person.pk)
        # Then the stored decision is classify() on the facts worked out here by hand
        expected = classify(oracle_facts(origin, today, return_date, contact, history, listed, declared, policy), policy)
        if origin or expected.category in {Category.REFUSED_FEVER, Category.MUST_NOT_RETURN, Category.CENTRAL_QUARANTINE}:
            assert (stored.category, stored.eligible_on, stored.checks_until) == (
                expected.category, expected.eligible_on, expected.needs_checks_until)
            assert stored.category_rule == expected.rule
            assert stored.category in ClassificationCategory.values
        else:
            assert (stored.category, stored.eligible_on, stored.category_reason) == ("", None, INCOMPLETE_REASON)
        # And nobody becomes eligible before coming back (the local, never-away worker aside: today)
        if stored.eligible_on is not None and return_date is not None and stored.category != Category.PASS_AFTER_APPROVAL:
            assert stored.eligible_on >= return_date
        if stored.category == Category.PASS_AFTER_APPROVAL:
            assert stored.eligible_on == today
        transaction.set_rollback(True)


def oracle_facts(origin: str, today: date, return_date: date | None, contact: bool, history: list[dict[str, Any]],
                 listed: list[RiskArea], declared: tuple[Decimal | None, bool, bool] | None, policy: Any) -> WorkerFacts:
    window = today - timedelta(days=int(policy.travel_history_days) - 1)
    places = []
    for entry in history:
        start = date.fromisoformat(entry["from"]) if entry["from"] else window
        end = date.fromisoformat(entry["to"]) if entry["to"] else today
        for area in listed:
            first = max(start, window, area.valid_from)
            last = min(end, today, area.valid_to or today)
            if area.region.code in PLACES[entry["region"]] and first <= last:
                places.append(entry["name"])
                break
    threshold = Decimal(str(policy.fever_threshold_celsius))
    temperature, cough = (None, False) if declared is None else (declared[0], declared[2])
    if declared is not None and declared[1] and (temperature is None or temperature < threshold):
        temperature = threshold  # a declared fever counts as one
    return WorkerFacts(origin=origin or Origin.LOCAL_NOT_AWAY, today=today, from_key_area=bool(places), key_area_places=tuple(dict.fromkeys(places)),
                       contact_with_case=contact, already_back=return_date is not None and return_date <= today, return_date=return_date,
                       temperature=temperature, cough=cough)


def test_people_imported_from_a_roster_are_classified_by_the_import_task(own_enterprise: Enterprise) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from fugong.workforce.tasks import import_roster_task
    from tests.workforce.factories import csv_bytes, id_number, roster_row

    # Given a roster of two: one from elsewhere in the province, one without an origin
    rows = [roster_row("欧阳明", id_number(901), 来源地="省内其他城市", 返岗日期="2020-02-10"), roster_row("司马青", id_number(902), 来源地="")]
    stored = default_storage.save("workforce/uploads/test-roster.csv", ContentFile(csv_bytes(rows)))
    # When the import task runs
    outcome = import_roster_task.apply(kwargs={"enterprise_id": own_enterprise.pk, "storage_name": stored, "filename": "花名册.csv",
                                               "acting_user_id": User.objects.get(username="admin").pk}).get()
    # Then both are classified: the first waits out the isolation, the second's record is incomplete
    assert outcome["imported"] == 2
    first, second = (Person.objects.get(enterprise=own_enterprise, name=name) for name in ("欧阳明", "司马青"))
    assert (first.category, first.eligible_on) == (Category.ISOLATE_BEFORE_PASS, date(2020, 2, 24))
    assert (second.category, second.category_reason) == ("", INCOMPLETE_REASON) and second.classified_at is not None
