"""The enterprise list: scoped, searchable, filtered, paged, and answering htmx with the table alone."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from fugong.enterprises.choices import Sector, Size, Status
from fugong.enterprises.models import Enterprise
from tests.enterprises.conftest import HITECH, OFFICER_GRID

pytestmark = pytest.mark.django_db

YUANCHENG = "/440000/441600/441602/"
HESHAN = "/440000/440700/440784/"


def listed(response) -> list[Enterprise]:
    """Every enterprise the list matched, across all pages."""
    assert response.status_code == 200
    return list(response.context["page"].paginator.object_list)


def in_county(path: str):
    return Enterprise.objects.filter(region__path__startswith=path)


def test_a_county_command_officer_lists_every_enterprise_of_the_county_and_no_other(client_for):
    rows = listed(client_for("county_cmd").get("/enterprises/"))

    assert {e.pk for e in rows} == set(in_county(YUANCHENG).values_list("pk", flat=True))
    assert len(rows) == 180


def test_a_grid_officer_lists_only_their_grid(client_for):
    rows = listed(client_for("grid_officer").get("/enterprises/"))

    assert rows
    assert {e.region.code for e in rows} == {OFFICER_GRID}
    assert len(rows) == Enterprise.objects.filter(region__code=OFFICER_GRID).count()


@pytest.mark.parametrize("username", ["ent_admin", "employee", "gate_guard"])
def test_enterprise_people_cannot_open_the_registry_list(client_for, username):
    assert client_for(username).get("/enterprises/").status_code == 403


def test_search_finds_enterprises_by_part_of_the_name(client_for):
    word = "电子科技"

    rows = listed(client_for("heshan_cmd").get("/enterprises/", {"q": word}))

    assert rows
    assert {e.pk for e in rows} == set(in_county(HESHAN).filter(name__contains=word).values_list("pk", flat=True))


def test_search_finds_an_enterprise_by_its_credit_code_typed_in_lower_case(client_for, own_enterprise):
    rows = listed(client_for("hitech_cmd").get("/enterprises/", {"q": own_enterprise.uscc[-8:].lower()}))

    assert own_enterprise in rows
    assert all(own_enterprise.uscc[-8:] in e.uscc for e in rows)


def test_search_finds_an_enterprise_by_its_contact_person(client_for, own_enterprise):
    rows = listed(client_for("county_cmd").get("/enterprises/", {"q": own_enterprise.contact_name}))

    assert own_enterprise in rows
    expected = in_county(YUANCHENG).filter(
        Q(name__contains=own_enterprise.contact_name) | Q(contact_name__contains=own_enterprise.contact_name)
        | Q(address__contains=own_enterprise.contact_name)
    )
    assert len(rows) == expected.count()


def test_a_search_that_matches_nothing_says_so(client_for):
    response = client_for("county_cmd").get("/enterprises/", {"q": "不存在的企业名称"})

    assert listed(response) == []
    assert "没有符合条件的企业。" in response.content.decode()


def test_filtering_by_town_lists_exactly_that_towns_enterprises(client_for, region):
    town = region("共和镇")

    response = client_for("heshan_cmd").get("/enterprises/", {"town": town.pk})

    rows = listed(response)
    assert rows
    assert {e.pk for e in rows} == set(Enterprise.objects.filter(town=town).values_list("pk", flat=True))
    assert f"共 {len(rows)} 家" in response.content.decode()


def test_filtering_by_grid_lists_exactly_that_grids_enterprises(client_for, region):
    grid = region("441602-GXQ-CON02")

    rows = listed(client_for("county_cmd").get("/enterprises/", {"grid": grid.pk}))

    assert rows
    assert {e.pk for e in rows} == set(Enterprise.objects.filter(region=grid).values_list("pk", flat=True))


@pytest.mark.parametrize(("field", "value"), [("sector", Sector.CONSTRUCTION), ("sector", Sector.RESTAURANT), ("size", Size.ABOVE),
                                              ("size", Size.BELOW)])
def test_filtering_by_sector_or_size_matches_the_database(client_for, field, value):
    rows = listed(client_for("county_cmd").get("/enterprises/", {field: value}))

    assert rows
    assert len(rows) == in_county(YUANCHENG).filter(**{field: value}).count()
    assert {getattr(e, field) for e in rows} == {value}


def test_filtering_by_status_lists_the_enterprises_in_that_state(client_for):
    # Given three enterprises of the county that have resumed
    resumed = list(in_county(YUANCHENG).order_by("pk").values_list("pk", flat=True)[:3])
    Enterprise.objects.filter(pk__in=resumed).update(status=Status.RESUMED)

    # When the list is filtered to resumed enterprises
    rows = listed(client_for("county_cmd").get("/enterprises/", {"status": Status.RESUMED}))

    # Then exactly those three are listed
    assert sorted(e.pk for e in rows) == resumed


def test_filters_combine_with_search(client_for, region):
    town = region("沙坪街道")
    query = {"town": town.pk, "size": Size.BELOW, "q": "鹤山市"}

    rows = listed(client_for("heshan_cmd").get("/enterprises/", query))

    expected = Enterprise.objects.filter(town=town, size=Size.BELOW, name__contains="鹤山市")
    assert {e.pk for e in rows} == set(expected.values_list("pk", flat=True))


def test_a_town_outside_the_officers_jurisdiction_filters_to_nothing_instead_of_everything(client_for, region):
    # Given the hi-tech zone's officer, who cannot see 鹤山市's towns
    # When they put a 鹤山市 town into the query string
    response = client_for("hitech_cmd").get("/enterprises/", {"town": region("沙坪街道").pk})

    # Then the list is empty and the filter says why, rather than ignoring the filter
    assert listed(response) == []
    assert "town" in response.context["filter"].errors


def test_an_unknown_sector_filters_to_nothing(client_for):
    response = client_for("county_cmd").get("/enterprises/", {"sector": "bogus"})

    assert listed(response) == []
    assert "sector" in response.context["filter"].errors


def test_the_list_pages_by_25_and_the_pages_together_hold_every_enterprise_once(client_for):
    client = client_for("county_cmd")
    total = in_county(YUANCHENG).count()

    pages = []
    for number in range(1, total // 25 + 2):
        page = client.get("/enterprises/", {"page": number}).context["page"]
        assert page.number == number
        pages.append([e.pk for e in page])

    assert [len(p) for p in pages] == [25] * (total // 25) + [total % 25]
    seen = [pk for page in pages for pk in page]
    assert len(seen) == len(set(seen)) == total


def test_a_page_number_past_the_end_shows_the_last_page(client_for):
    page = client_for("county_cmd").get("/enterprises/", {"page": 999}).context["page"]

    assert page.number == page.paginator.num_pages == 8


def test_the_next_page_link_keeps_the_filters(client_for):
    html = client_for("county_cmd").get("/enterprises/", {"size": Size.BELOW}).content.decode()

    assert 'href="?size=below&amp;page=2"' in html


def test_an_htmx_request_for_the_list_table_gets_the_table_alone(client_for):
    # When htmx asks for the table with a filter
    response = client_for("county_cmd").get(
        "/enterprises/", {"sector": Sector.CONSTRUCTION}, headers={"HX-Request": "true", "HX-Target": "list-table"}
    )

    # Then only the table comes back, filtered, without the page around it
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="enterprise-table"' in html
    assert "<html" not in html and "<form" not in html and 'id="list-table"' not in html
    assert f"共 {in_county(YUANCHENG).filter(sector=Sector.CONSTRUCTION).count()} 家" in html
    # And caches keep the table and the full page apart
    assert "HX-Request" in response["Vary"]


def test_a_plain_request_gets_the_whole_page_with_the_filter_form(client_for):
    response = client_for("county_cmd").get("/enterprises/", headers={"HX-Request": "true", "HX-Target": "main"})

    html = response.content.decode()
    assert "<html" in html and 'id="list-table"' in html and 'name="sector"' in html


def test_the_list_runs_the_same_few_queries_for_25_rows_as_for_1(client_for):
    client = client_for("admin")
    client.get("/enterprises/")  # warm the session and the user's scope
    one = Enterprise.objects.order_by("pk").first()

    with CaptureQueriesContext(connection) as full_page:
        assert len(client.get("/enterprises/", {"page": 2}).context["page"]) == 25
    with CaptureQueriesContext(connection) as single_row:
        assert len(client.get("/enterprises/", {"q": one.uscc}).context["page"]) == 1

    assert len(full_page) == len(single_row) <= 8


def test_the_town_and_grid_choices_offer_only_the_officers_own_places(client_for):
    form = client_for("hitech_cmd").get("/enterprises/").context["filter"].form

    assert [t.code for t in form.fields["town"].queryset] == [HITECH]
    assert {g.path.startswith(f"{YUANCHENG}{HITECH}/") for g in form.fields["grid"].queryset} == {True}
