"""A returning worker is classified by the policy in force, with the rule that fired, a reason
naming its numbers and the dates that follow — and nothing but the facts and the policy decide."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fugong.policy.classification import CATEGORY_LABELS, Category, Classification, Origin, WorkerFacts, classify
from fugong.policy.parameters import defaults
from fugong.policy.services import Policy

TODAY = date(2020, 2, 20)
RETURNED = date(2020, 2, 10)
SEEDS = Policy(values=defaults())


def policy(**changes: object) -> Policy:
    return Policy(values={**defaults(), **changes})


def facts(**given: object) -> WorkerFacts:
    values: dict[str, object] = {"origin": Origin.LOCAL_NOT_AWAY, "today": TODAY}
    values.update(given)
    return WorkerFacts(**values)  # type: ignore[arg-type]


def days(n: int) -> timedelta:
    return timedelta(days=n)


# --- one test per category ----------------------------------------------------------------------


def test_a_fever_at_the_threshold_is_refused_entry_and_sent_to_a_clinic():
    # Given a local worker at exactly the seeds' threshold of 37.3 °C
    decision = classify(facts(temperature=Decimal("37.3")), SEEDS)

    # Then entry is refused, with no date of eligibility
    assert decision.category == Category.REFUSED_FEVER == "refused_fever"
    assert decision.rule == "体温≥37.3℃或咳嗽：拒绝入厂，立即隔离，送发热门诊"
    assert decision.reason == "体温 37.3℃，达到发热标准（≥37.3℃）：拒绝入厂，立即隔离，并送发热门诊排查。"
    assert decision.eligible_on is None
    assert decision.needs_checks_until is None
    assert decision.refused
    assert decision.parameters == ("fever_threshold_celsius",)


def test_a_temperature_just_below_the_threshold_is_no_fever():
    assert classify(facts(temperature=Decimal("37.2")), SEEDS).category == Category.PASS_AFTER_APPROVAL


def test_a_cough_without_fever_is_refused_entry_too():
    decision = classify(facts(temperature=Decimal("36.5"), cough=True), SEEDS)

    assert decision.category == Category.REFUSED_FEVER
    assert decision.reason == "有咳嗽症状：拒绝入厂，立即隔离，并送发热门诊排查。"


def test_fever_and_cough_are_both_named():
    decision = classify(facts(temperature=Decimal("38.1"), cough=True), SEEDS)

    assert decision.reason == "体温 38.1℃，达到发热标准（≥37.3℃），且有咳嗽症状：拒绝入厂，立即隔离，并送发热门诊排查。"


def test_someone_from_a_key_area_who_is_not_back_must_not_return():
    # Given a worker who passed through Wuhan and is still away
    decision = classify(facts(origin=Origin.OTHER_PROVINCE, from_key_area=True, key_area_places=("武汉市", "孝感市")), SEEDS)

    assert decision.category == Category.MUST_NOT_RETURN
    assert decision.rule == "14 天内到过或途经重点疫区、或接触过确诊/疑似病例及重点疫区人员：不得返岗；已返回的集中隔离 14 天"
    assert decision.reason == "14 天内到过或途经重点疫区（武汉市、孝感市），尚未返回：暂不得返岗；如已返回，须集中隔离 14 天。"
    assert decision.eligible_on is None
    assert decision.needs_checks_until is None


def test_a_contact_of_a_case_who_is_not_back_must_not_return():
    decision = classify(facts(origin=Origin.SAME_CITY_OTHER_DISTRICT, contact_with_case=True), SEEDS)

    assert decision.category == Category.MUST_NOT_RETURN
    assert decision.reason == "接触过确诊病例、疑似病例或重点疫区人员，尚未返回：暂不得返岗；如已返回，须集中隔离 14 天。"


def test_someone_from_a_key_area_who_is_back_goes_to_central_quarantine_from_the_return_date():
    # Given a worker back from Wuhan on 10 February
    decision = classify(
        facts(origin=Origin.OTHER_PROVINCE, from_key_area=True, key_area_places=("武汉市",), already_back=True, return_date=RETURNED),
        SEEDS,
    )

    # Then 14 days of centralised quarantine: 10–23 February, eligible on the 24th
    assert decision.category == Category.CENTRAL_QUARANTINE
    assert decision.eligible_on == RETURNED + days(14) == date(2020, 2, 24)
    assert decision.needs_checks_until == date(2020, 2, 23)
    assert decision.reason == (
        "14 天内到过或途经重点疫区（武汉市），已于 2020-02-10 返回：须集中隔离 14 天（2020-02-10 至 2020-02-23），"
        "2020-02-24 起方可申领出入证、上岗。"
    )
    assert decision.parameters == ("travel_history_days", "central_quarantine_days")


def test_central_quarantine_without_a_return_date_counts_from_today():
    decision = classify(facts(contact_with_case=True, already_back=True), SEEDS)

    assert decision.category == Category.CENTRAL_QUARANTINE
    assert decision.eligible_on == TODAY + days(14)
    assert "已返回（返回日期未填，按今天 2020-02-20 起算）" in decision.reason


@pytest.mark.parametrize(("origin", "label"), [(Origin.OTHER_CITY_SAME_PROVINCE, "省内其他城市"), (Origin.OTHER_PROVINCE, "外省")])
def test_someone_from_outside_the_city_is_isolated_in_a_single_room_before_a_pass(origin, label):
    decision = classify(facts(origin=origin, already_back=True, return_date=RETURNED), SEEDS)

    assert decision.category == Category.ISOLATE_BEFORE_PASS
    assert decision.rule == "市外返岗人员：单人单间隔离 14 天后方可发放出入证"
    assert decision.eligible_on == RETURNED + days(14)
    assert decision.needs_checks_until == RETURNED + days(13)
    assert decision.reason == (
        f"从市外（{label}）返岗，已于 2020-02-10 返回：须单人单间隔离 14 天（2020-02-10 至 2020-02-23），2020-02-24 起方可申领出入证。"
    )


def test_isolation_of_someone_not_yet_back_counts_from_the_planned_date():
    planned = TODAY + days(3)
    decision = classify(facts(origin=Origin.OTHER_PROVINCE, return_date=planned), SEEDS)

    assert decision.eligible_on == planned + days(14)
    assert "计划于 2020-02-23 返回" in decision.reason


def test_someone_from_another_district_may_work_with_twice_daily_checks_for_14_days():
    decision = classify(facts(origin=Origin.SAME_CITY_OTHER_DISTRICT, already_back=True, return_date=RETURNED), SEEDS)

    assert decision.category == Category.WORK_WITH_CHECKS
    assert decision.rule == "本市其他区返岗人员：可以上岗，每天测温 2 次，连续 14 天"
    assert decision.eligible_on == RETURNED
    assert decision.needs_checks_until == RETURNED + days(13) == date(2020, 2, 23)
    assert decision.reason == "从本市其他区返岗，已于 2020-02-10 返回：可以上岗，须每天测温 2 次，连续 14 天（2020-02-10 至 2020-02-23）。"
    assert decision.parameters == ("other_district_monitoring_days", "checkins_per_day")


def test_a_local_worker_who_stayed_gets_a_pass_after_the_grid_officers_approval():
    decision = classify(facts(temperature=Decimal("36.6")), SEEDS)

    assert decision.category == Category.PASS_AFTER_APPROVAL
    assert decision.rule == "本地未外出人员：经网格长审核同意后发放出入证"
    assert decision.reason == "本地人员，未离开本地，无发热咳嗽、无重点疫区行程和接触史：经网格长审核同意后即可发放出入证。"
    assert decision.eligible_on == TODAY
    assert decision.needs_checks_until is None
    assert decision.label == CATEGORY_LABELS[Category.PASS_AFTER_APPROVAL] == "审核后发证"


# --- precedence ---------------------------------------------------------------------------------


def test_fever_beats_a_key_area_and_everything_else():
    worst = facts(
        origin=Origin.OTHER_PROVINCE, from_key_area=True, key_area_places=("武汉市",), contact_with_case=True,
        already_back=True, return_date=RETURNED, temperature=Decimal("37.5"),
    )

    assert classify(worst, SEEDS).category == Category.REFUSED_FEVER


def test_a_key_area_beats_the_place_of_origin():
    for origin in Origin:
        assert classify(facts(origin=origin, from_key_area=True), SEEDS).category == Category.MUST_NOT_RETURN
        assert classify(facts(origin=origin, contact_with_case=True, already_back=True), SEEDS).category == Category.CENTRAL_QUARANTINE


def test_named_key_area_places_count_as_key_area_travel():
    assert classify(facts(key_area_places=("武汉市",)), SEEDS).category == Category.MUST_NOT_RETURN


origins = st.sampled_from(list(Origin))
temperatures = st.none() | st.decimals(min_value=Decimal("35.0"), max_value=Decimal("42.0"), places=1)
any_facts = st.builds(
    lambda origin, key, contact, back, offset, temperature, cough: WorkerFacts(
        origin=origin, today=TODAY, from_key_area=key, contact_with_case=contact, already_back=back,
        return_date=None if offset is None else TODAY - days(offset) if back else TODAY + days(offset),
        temperature=temperature, cough=cough,
    ),
    origins, st.booleans(), st.booleans(), st.booleans(), st.none() | st.integers(0, 60), temperatures, st.booleans(),
)


@given(any_facts)
def test_the_order_of_precedence_holds_for_any_facts(worker):
    decision = classify(worker, SEEDS)

    feverish = worker.cough or (worker.temperature is not None and worker.temperature >= Decimal("37.3"))
    exposed = worker.from_key_area or worker.contact_with_case
    if feverish:
        expected = Category.REFUSED_FEVER
    elif exposed:
        expected = Category.CENTRAL_QUARANTINE if worker.already_back else Category.MUST_NOT_RETURN
    else:
        expected = {
            Origin.OTHER_PROVINCE: Category.ISOLATE_BEFORE_PASS,
            Origin.OTHER_CITY_SAME_PROVINCE: Category.ISOLATE_BEFORE_PASS,
            Origin.SAME_CITY_OTHER_DISTRICT: Category.WORK_WITH_CHECKS,
            Origin.LOCAL_NOT_AWAY: Category.PASS_AFTER_APPROVAL,
        }[Origin(worker.origin)]
    assert decision.category == expected
    assert decision.reason.endswith("。")
    assert (decision.eligible_on is None) == (expected in {Category.REFUSED_FEVER, Category.MUST_NOT_RETURN})
    if decision.eligible_on and decision.needs_checks_until:
        assert decision.needs_checks_until < decision.eligible_on or expected == Category.WORK_WITH_CHECKS


# --- the rule reads the policy ------------------------------------------------------------------


def test_a_shorter_isolation_in_the_policy_moves_the_eligible_date():
    worker = facts(origin=Origin.OTHER_CITY_SAME_PROVINCE, already_back=True, return_date=RETURNED)

    seven = classify(worker, policy(outside_city_isolation_days=7))

    assert classify(worker, SEEDS).eligible_on == date(2020, 2, 24)
    assert seven.eligible_on == date(2020, 2, 17)
    assert seven.needs_checks_until == date(2020, 2, 16)
    assert seven.rule == "市外返岗人员：单人单间隔离 7 天后方可发放出入证"
    assert "须单人单间隔离 7 天（2020-02-10 至 2020-02-16），2020-02-17 起方可申领出入证" in seven.reason


def test_no_isolation_in_the_policy_makes_an_outsider_eligible_on_return():
    decision = classify(facts(origin=Origin.OTHER_PROVINCE, already_back=True, return_date=RETURNED), policy(outside_city_isolation_days=0))

    assert decision.eligible_on == RETURNED
    assert decision.needs_checks_until is None
    assert "隔离天数为 0，无需隔离" in decision.reason


@given(st.integers(1, 60), st.integers(1, 60), st.integers(0, 60), st.integers(0, 60))
def test_every_period_comes_from_the_policy(quarantine, travel, isolation, monitoring):
    rules = policy(central_quarantine_days=quarantine, travel_history_days=travel,
                   outside_city_isolation_days=isolation, other_district_monitoring_days=monitoring)

    quarantined = classify(facts(from_key_area=True, already_back=True, return_date=RETURNED), rules)
    isolated = classify(facts(origin=Origin.OTHER_PROVINCE, already_back=True, return_date=RETURNED), rules)
    monitored = classify(facts(origin=Origin.SAME_CITY_OTHER_DISTRICT, already_back=True, return_date=RETURNED), rules)

    assert quarantined.eligible_on == RETURNED + days(quarantine)
    assert f"集中隔离 {quarantine} 天" in quarantined.reason and f"{travel} 天内到过" in quarantined.reason
    assert isolated.eligible_on == RETURNED + days(isolation)
    assert monitored.needs_checks_until == (RETURNED + days(monitoring - 1) if monitoring else None)


def test_a_higher_fever_threshold_lets_a_borderline_temperature_through():
    worker = facts(temperature=Decimal("37.4"))

    assert classify(worker, SEEDS).category == Category.REFUSED_FEVER
    relaxed = classify(worker, policy(fever_threshold_celsius=Decimal("37.5")))
    assert relaxed.category == Category.PASS_AFTER_APPROVAL
    assert classify(facts(temperature=Decimal("37.5")), policy(fever_threshold_celsius=Decimal("37.5"))).rule.startswith("体温≥37.5℃")


def test_the_checks_per_day_come_from_the_policy():
    decision = classify(facts(origin=Origin.SAME_CITY_OTHER_DISTRICT, return_date=TODAY), policy(checkins_per_day=3))

    assert "每天测温 3 次" in decision.reason


# --- the facts ----------------------------------------------------------------------------------


def test_origin_may_be_given_as_text_and_is_checked():
    assert facts(origin="other_province").origin is Origin.OTHER_PROVINCE
    with pytest.raises(ValueError, match="origin must be one of"):
        facts(origin="abroad")


def test_a_return_date_after_today_contradicts_already_back():
    with pytest.raises(ValueError, match="after today"):
        facts(already_back=True, return_date=TODAY + days(1))


def test_facts_and_decisions_are_immutable_values():
    worker = facts()
    decision = classify(worker, SEEDS)

    assert isinstance(decision, Classification)
    assert decision == classify(replace(worker), SEEDS)
    with pytest.raises(AttributeError):
        worker.cough = True  # type: ignore[misc]
    assert hash(worker) == hash(facts())


def test_classification_never_touches_the_database(django_assert_num_queries, db):
    workers = [
        facts(temperature=Decimal("38")),
        facts(from_key_area=True),
        facts(contact_with_case=True, already_back=True, return_date=RETURNED),
        facts(origin=Origin.OTHER_PROVINCE, return_date=RETURNED, already_back=True),
        facts(origin=Origin.SAME_CITY_OTHER_DISTRICT),
        facts(),
    ]
    with django_assert_num_queries(0):
        categories = [classify(worker, SEEDS).category for worker in workers]
    assert categories == list(Category)
