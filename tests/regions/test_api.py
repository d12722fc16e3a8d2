"""The regions API: the caller's jurisdictions, looked up by division code."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from fugong.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

API = "/api/v1/regions/"


@pytest.fixture
def api_for(users):
    def make(username: str) -> APIClient:
        client = APIClient()
        client.force_login(users(username))
        return client

    return make


def test_a_region_is_looked_up_by_its_division_code(api_for):
    response = api_for("county_cmd").get(f"{API}441602100/")

    assert response.status_code == 200
    assert response.json() == {
        "code": "441602100", "name": "源南镇", "full_name": "源南镇", "level": "town", "parent": "441602",
        "path": "/440000/441600/441602/441602100/", "grid_kind": "", "is_development_zone": False,
    }


def test_a_local_code_with_dashes_is_looked_up_too(api_for):
    response = api_for("hitech_cmd").get(f"{API}441602-GXQ-CON05/")

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["parent"], response.json()["grid_kind"]) == ("建筑工地第5网格", "441602-GXQ", "construction")


def test_a_region_outside_the_callers_jurisdiction_is_not_found(api_for):
    client = api_for("hitech_cmd")

    assert client.get(f"{API}440784/").status_code == 404
    assert client.get(f"{API}441602100/").status_code == 404  # same county, but not the zone


def test_the_list_filters_by_parent_and_level(api_for):
    response = api_for("county_cmd").get(API, {"parent": "441602-GXQ", "level": "grid", "page_size": 100})

    body = response.json()
    assert body["count"] == 24
    assert {r["parent"] for r in body["results"]} == {"441602-GXQ"}


def test_the_list_searches_by_name_within_the_callers_scope(api_for):
    response = api_for("heshan_cmd").get(API, {"q": "网格", "page_size": 100})

    names = [r["name"] for r in response.json()["results"]]
    assert len(names) == 12
    assert all(n.endswith("网格") and not n.startswith("工业企业") for n in names)


def test_the_list_is_for_officials_only(api_for):
    assert api_for("ent_admin").get(API).status_code == 403


def test_a_token_reads_regions_like_a_session(users):
    _, key = ApiToken.issue(user=users("gongh_grid"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get(API)

    assert response.status_code == 200
    assert [r["code"] for r in response.json()["results"]] == ["440784106-C01-G01"]


def test_regions_are_read_only_through_the_api(api_for):
    client = api_for("admin")

    assert client.post(API, {"code": "X1", "name": "新网格", "level": "grid"}, format="json").status_code == 405
    assert client.delete(f"{API}441602-GXQ/").status_code == 405
