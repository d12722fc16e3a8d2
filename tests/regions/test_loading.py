"""Loading the real division tree into the database: complete, correctly linked, and harmless to repeat."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from fugong.regions.divisions import iter_divisions
from fugong.regions.models import Region
from fugong.regions.services import load_divisions

pytestmark = pytest.mark.django_db

DONGYUAN = "441625"  # 河源市东源县, not part of the demo data


def test_the_demo_database_holds_yuanchengs_towns_under_the_county():
    towns = Region.objects.filter(parent__code="441602", level="town").exclude(code__contains="-")

    assert sorted(t.name for t in towns) == sorted(["上城街道", "新江街道", "东埔街道", "源西街道", "高埔岗街道", "城东街道", "源南镇", "埔前镇"])
    assert Region.objects.get(name="源南镇").path == "/440000/441600/441602/441602100/"


def test_loading_the_loaded_counties_again_creates_nothing_and_changes_nothing():
    before = list(Region.objects.order_by("pk").values_list("pk", "code", "path", "full_name"))

    created = load_divisions(["441602", "440784"])

    assert created == 0
    assert list(Region.objects.order_by("pk").values_list("pk", "code", "path", "full_name")) == before


def test_loading_a_new_county_adds_exactly_its_towns_linked_to_it_and_a_second_load_adds_nothing():
    # Given the towns the shipped data lists for 东源县
    expected = {d.code: d.name for d in iter_divisions([DONGYUAN]) if d.level == "town"}
    assert not Region.objects.filter(parent__code=DONGYUAN).exists()

    # When it is loaded twice
    first = load_divisions([DONGYUAN])
    second = load_divisions([DONGYUAN])

    # Then the first load created its towns and the second nothing
    assert (first, second) == (len(expected), 0)
    towns = Region.objects.filter(parent__code=DONGYUAN)
    assert {t.code: t.name for t in towns} == expected
    assert {t.level for t in towns} == {"town"}
    assert {t.path for t in towns} == {f"/440000/441600/{DONGYUAN}/{code}/" for code in expected}
    assert Region.objects.get(code=DONGYUAN).full_name == "河源市东源县"


def test_the_command_loads_a_county_by_name_and_says_how_many_it_created():
    out = io.StringIO()

    call_command("load_divisions", "鹤山市", stdout=out)

    assert out.getvalue().startswith("新建 0 个辖区")
    assert Region.objects.filter(parent__code="440784", level="town").count() == 12


def test_the_command_loads_a_new_county_given_with_its_city():
    out = io.StringIO()

    call_command("load_divisions", "河源市东源县", stdout=out)

    created = Region.objects.filter(parent__code=DONGYUAN).count()
    assert created > 10
    assert out.getvalue().startswith(f"新建 {created} 个辖区")


def test_the_command_refuses_an_ambiguous_county_name_with_the_reason():
    with pytest.raises(CommandError, match="对应多个县级行政区划"):
        call_command("load_divisions", "朝阳区", stdout=io.StringIO())
