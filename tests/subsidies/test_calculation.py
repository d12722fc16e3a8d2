"""The subsidy rules as pure functions (no database): each rule kind at its boundaries."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from fugong.subsidies.calculation import PersonFacts, RuleSpec, add_months, clean_params, compute, describe
from fugong.subsidies.choices import RuleKind
from fugong.subsidies.seeds import heyuan_rules, rent_rules

START, CUTOFF, LAST, END = date(2020, 2, 1), date(2020, 2, 20), date(2020, 3, 31), date(2020, 6, 30)
AS_OF = date(2020, 6, 1)


def rule(kind: str, **params: Any) -> RuleSpec:
    return RuleSpec(None, kind, {r["kind"]: r["name"] for r in heyuan_rules(cutoff=CUTOFF, last_return=LAST)}.get(kind, "租金减免"),
                    clean_params(kind, params))


def heyuan(kind: str) -> RuleSpec:
    found = next(r for r in heyuan_rules(cutoff=CUTOFF, last_return=LAST) if r["kind"] == kind)
    return RuleSpec(None, kind, found["name"], clean_params(kind, found["params"]))


def person(name: str, **facts: Any) -> PersonFacts:
    return PersonFacts(id=uuid.uuid4(), name=name, id_masked="441625********1234", **facts)


def run(rules: list[RuleSpec], people: list[PersonFacts], as_of: date = AS_OF, **kwargs: Any) -> Any:
    return compute(period=(START, END), rules=rules, people=people, as_of=as_of, **kwargs)


# -- returning worker: 300 by the cut-off, 200 after it within the period --------------------------


@pytest.mark.parametrize(("returned", "amount", "reason"), [
    (date(2020, 2, 1), Decimal("300"), "2月20日前返岗"),  # the period's first day
    (date(2020, 2, 20), Decimal("300"), "2月20日前返岗"),  # the cut-off day itself
    (date(2020, 2, 21), Decimal("200"), "2月20日后、3月31日前返岗"),  # the day after
    (date(2020, 3, 31), Decimal("200"), "2月20日后、3月31日前返岗"),  # the last band's last day
])
def test_the_return_bonus_follows_the_band_of_the_return_date(returned: date, amount: Decimal, reason: str) -> None:
    result = run([heyuan(RuleKind.RETURN_BY_DATE)], [person("王早归", return_date=returned, origin="other_province")])
    assert [(line.amount, line.reason) for line in result.lines] == [(amount, reason)]
    assert result.exclusions == []


@pytest.mark.parametrize(("facts", "why"), [
    ({"return_date": date(2020, 4, 1), "origin": "other_province"}, "4月1日返岗，晚于最后时段（3月31日）"),
    ({"return_date": date(2020, 1, 31), "origin": "other_province"}, "1月31日返岗，早于政策期（2月1日起）"),
    ({"return_date": None, "origin": "other_province"}, "未登记返岗日期"),
    ({"return_date": date(2020, 6, 2), "origin": "other_province"}, "尚未返岗（计划6月2日）"),
    ({"return_date": date(2020, 2, 5), "origin": "local_not_away"}, "来源地为本地未外出，不属于返岗人员"),
    ({"return_date": date(2020, 2, 5), "origin": "other_province", "category": "central_quarantine"}, "来自疫情重点地区或有接触史，不在返岗补助范围"),
])
def test_who_gets_no_return_bonus_is_told_why(facts: dict[str, Any], why: str) -> None:
    result = run([heyuan(RuleKind.RETURN_BY_DATE)], [person("李某", **facts)])
    assert result.lines == []
    assert [e.reason for e in result.exclusions] == [why]


# -- referral, retention, travel -----------------------------------------------------------------------


def test_a_referrer_gets_300_for_each_new_worker_hired_within_the_period() -> None:
    old = person("刘老员", return_date=date(2020, 2, 10), origin="same_city_other_district")
    new1 = person("陈新人", hired_on=date(2020, 2, 15), referred_by=old.id)
    new2 = person("周新人", hired_on=date(2020, 5, 31), referred_by=old.id)
    before = person("吴旧人", hired_on=date(2020, 1, 10), referred_by=old.id)  # hired before the period: not a new worker of it
    result = run([heyuan(RuleKind.REFERRAL)], [old, new1, new2, before])
    assert [(line.person_name, line.amount, line.reason) for line in result.lines] == [("刘老员", Decimal("600"), "介绍新员工2人（陈*、周*）")]
    assert [(e.person_name, e.reason) for e in result.exclusions] == [("刘老员", "介绍的吴*1月10日入职，不在政策期内")]
    assert result.totals[0].amount == Decimal("600") and result.totals[0].people == 1


def test_a_referral_counts_only_once_the_new_worker_has_joined() -> None:
    old = person("刘老员")
    future = person("陈新人", hired_on=date(2020, 6, 10), referred_by=old.id)
    assert run([heyuan(RuleKind.REFERRAL)], [old, future]).lines == []


@pytest.mark.parametrize(("hired", "as_of", "paid", "why"), [
    (date(2020, 2, 15), date(2020, 5, 15), True, ""),  # exactly three months
    (date(2020, 2, 15), date(2020, 5, 14), False, "入职未满3个月（2020年5月15日满3个月）"),  # a day short
    (date(2020, 3, 31), date(2020, 6, 30), True, ""),  # 3-31 + 3 months = 6-30 (a shorter month)
    (date(2020, 1, 31), date(2020, 6, 1), False, "1月31日入职，早于政策期，不属于新招用员工"),
])
def test_the_retention_bonus_comes_after_three_months_in_the_job(hired: date, as_of: date, paid: bool, why: str) -> None:
    result = run([heyuan(RuleKind.RETENTION)], [person("陈新人", hired_on=hired)], as_of=as_of)
    assert [line.amount for line in result.lines] == ([Decimal("300")] if paid else [])
    assert [e.reason for e in result.exclusions] == ([] if paid else [why])


def test_people_without_a_hiring_date_are_not_new_hires_and_need_no_explanation() -> None:
    result = run([heyuan(RuleKind.RETENTION), heyuan(RuleKind.TRAVEL)], [person("老员工", return_date=date(2020, 2, 3), origin="other_province")])
    assert result.lines == [] and result.exclusions == []


@pytest.mark.parametrize(("origin", "amount"), [
    ("local_not_away", Decimal("100")), ("same_city_other_district", Decimal("100")),  # within the city
    ("other_city_same_province", Decimal("200")),  # within the province
    ("other_province", Decimal("300")),  # outside the province
])
def test_the_travel_subsidy_follows_the_origin_band(origin: str, amount: Decimal) -> None:
    result = run([heyuan(RuleKind.TRAVEL)], [person("陈新人", hired_on=date(2020, 3, 1), origin=origin)])
    assert [line.amount for line in result.lines] == [amount]


def test_travel_without_an_origin_is_explained() -> None:
    result = run([heyuan(RuleKind.TRAVEL)], [person("陈新人", hired_on=date(2020, 3, 1))])
    assert [e.reason for e in result.exclusions] == ["未登记来源地，无法确定交通补贴标准"]


def test_travel_for_all_returning_workers_leaves_out_origins_it_does_not_list() -> None:
    travel = rule(RuleKind.TRAVEL, amounts={"other_province": "300"}, new_hires_only=False)
    result = run([travel], [person("甲", return_date=date(2020, 2, 3), origin="other_province"),
                            person("乙", return_date=date(2020, 2, 3), origin="local_not_away")])
    assert [(line.person_name, line.amount) for line in result.lines] == [("甲", Decimal("300"))]
    assert [e.reason for e in result.exclusions] == ["来源地为本地未外出，不在交通补贴范围"]


# -- rent -------------------------------------------------------------------------------------------


def test_the_rent_waiver_is_the_monthly_rent_times_each_months_fraction() -> None:
    waiver = RuleSpec(None, RuleKind.RENT_WAIVER, "园区租金减免", clean_params(RuleKind.RENT_WAIVER, rent_rules(first_month=START)[0]["params"]))
    result = run([waiver], [], monthly_rent=Decimal("12345.67"), park_tenants_only=True, park_tenant=True)
    assert [(line.amount, line.reason) for line in result.lines] == [
        (Decimal("12345.67"), "2020年2月租金全免（月租金12345.67元）"),
        (Decimal("6172.84"), "2020年3月租金减半（月租金12345.67元）"),  # half a cent rounds up
        (Decimal("6172.84"), "2020年4月租金减半（月租金12345.67元）"),
    ]
    assert result.total == Decimal("24691.35")
    assert result.people == 0


def test_the_rent_waiver_waits_for_the_rent_and_is_only_for_park_tenants() -> None:
    waiver = RuleSpec(None, RuleKind.RENT_WAIVER, "园区租金减免", clean_params(RuleKind.RENT_WAIVER, rent_rules(first_month=START)[0]["params"]))
    assert [e.reason for e in run([waiver], [], park_tenants_only=True).exclusions] == ["未填写月租金，申请时填写后计算"]
    outside = run([waiver], [], monthly_rent=Decimal("1000"), park_tenants_only=True, park_tenant=False)
    assert outside.lines == [] and outside.not_applicable == "本政策仅适用于园区/写字楼入驻企业。"


# -- the whole scheme, the params as data -----------------------------------------------------------


def test_totals_are_per_rule_and_overall_and_a_person_is_counted_once() -> None:
    old = person("刘老员", return_date=date(2020, 2, 10), origin="same_city_other_district")
    new = person("陈新人", return_date=date(2020, 2, 15), hired_on=date(2020, 2, 15), origin="other_province", referred_by=old.id)
    rules = [heyuan(kind) for kind in (RuleKind.RETURN_BY_DATE, RuleKind.REFERRAL, RuleKind.RETENTION, RuleKind.TRAVEL)]
    result = run(rules, [old, new])
    assert [(t.rule_name, t.lines, t.amount) for t in result.totals] == [
        ("返岗补助", 2, Decimal("600")), ("老员工介绍新员工奖励", 1, Decimal("300")), ("新员工稳岗生活补助", 1, Decimal("300")),
        ("新员工交通补贴", 1, Decimal("300"))]
    assert result.total == Decimal("1500") and result.people == 2


def test_a_scheme_not_yet_begun_computes_nothing() -> None:
    result = run([heyuan(RuleKind.RETURN_BY_DATE)], [person("甲", return_date=date(2020, 1, 20))], as_of=date(2020, 1, 25))
    assert result.lines == [] and "尚未开始" in result.not_applicable


def test_the_computation_never_looks_past_the_period_end() -> None:
    result = run([heyuan(RuleKind.RETENTION)], [person("陈新人", hired_on=date(2020, 4, 1))], as_of=date(2020, 12, 31))
    assert result.as_of == END
    assert [e.reason for e in result.exclusions] == ["入职未满3个月（2020年7月1日满3个月）"]


@pytest.mark.parametrize(("kind", "params", "message"), [
    (RuleKind.RETURN_BY_DATE, {"bands": []}, "返岗时段"),
    (RuleKind.RETURN_BY_DATE, {"bands": [{"until": "2020-02-20", "amount": "-5"}]}, "不能为负数"),
    (RuleKind.RETENTION, {"amount": "300", "months": 0}, "正整数"),
    (RuleKind.TRAVEL, {"amounts": {"mars": "100"}}, "未知的来源地"),
    (RuleKind.RENT_WAIVER, {"months": [{"month": "2020-02", "fraction": "1.5"}]}, "不超过 1"),
    (RuleKind.RENT_WAIVER, {"months": [{"month": "二月", "fraction": "1"}]}, "2020-02"),
    (RuleKind.REFERRAL, {"amount": "三百"}, "金额"),
])
def test_params_that_make_no_sense_are_refused_in_chinese(kind: str, params: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        clean_params(kind, params)
    assert message in " ".join(refused.value.messages)


def test_bands_are_kept_in_date_order_whatever_order_they_were_typed_in() -> None:
    cleaned = clean_params(RuleKind.RETURN_BY_DATE, {"bands": [{"until": "2020-03-31", "amount": 200}, {"until": "2020-02-20", "amount": 300}]})
    assert cleaned["bands"] == [{"until": "2020-02-20", "amount": "300.00"}, {"until": "2020-03-31", "amount": "200.00"}]
    assert describe(RuleKind.RETURN_BY_DATE, cleaned).startswith("2月20日前返岗 300.00 元/人；3月31日前返岗 200.00 元/人")


def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month() -> None:
    assert add_months(date(2020, 11, 30), 3) == date(2021, 2, 28)
    assert add_months(date(2019, 11, 29), 3) == date(2020, 2, 29)
    assert add_months(date(2020, 2, 15), 3) == date(2020, 5, 15)
