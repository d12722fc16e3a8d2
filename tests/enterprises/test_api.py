"""The enterprises API: the pages' scope, filters and services, with session or token auth."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from fugong.accounts.models import ApiToken
from fugong.audit.models import AuditEntry
from fugong.enterprises.choices import Sector, Size, Status
from fugong.enterprises.models import Enterprise
from fugong.regions.models import Region
from tests.enterprises.conftest import HITECH, NEIGHBOUR_GRID, OFFICER_GRID
from tests.enterprises.factories import uscc_for, with_wrong_check

pytestmark = pytest.mark.django_db

API = "/api/v1/enterprises/"


@pytest.fixture
def api_for(users) -> Callable[[str], APIClient]:
    """An API client with a session for one of the demo accounts."""

    def make(username: str) -> APIClient:
        client = APIClient()
        client.force_login(users(username))
        return client

    return make


def api_ids(client: APIClient, query: dict[str, Any]) -> list[int]:
    response = client.get(API, {**query, "page_size": 500})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None
    return sorted(row["id"] for row in body["results"])


def page_ids(client, query: dict[str, Any]) -> list[int]:
    response = client.get("/enterprises/", query)
    assert response.status_code == 200
    return sorted(e.pk for e in response.context["page"].paginator.object_list)


def town(name: str) -> int:
    return Region.objects.get(name=name, level="town", path__contains="/440784/").pk


QUERIES: list[tuple[str, Callable[[], dict[str, Any]]]] = [
    ("nothing", lambda: {}),
    ("town", lambda: {"town": town("共和镇")}),
    ("grid", lambda: {"grid": Region.objects.get(name="址山第2网格").pk}),
    ("sector", lambda: {"sector": Sector.INDUSTRY}),
    ("size", lambda: {"size": Size.ABOVE}),
    ("status", lambda: {"status": Status.RESUMED}),
    ("q", lambda: {"q": "五金"}),
    ("essential", lambda: {"essential": "true"}),
    ("town+size+q", lambda: {"town": town("沙坪街道"), "size": Size.BELOW, "q": "鹤山"}),
]


@pytest.mark.parametrize("query", [q for _, q in QUERIES], ids=[name for name, _ in QUERIES])
def test_the_api_and_the_list_page_give_the_same_enterprises_for_the_same_query(api_for, client_for, query):
    # Given some resumed enterprises, so that the status filter has something to find
    Enterprise.objects.filter(pk__in=Enterprise.objects.filter(town__parent__code="440784").order_by("pk")[:5]).update(status=Status.RESUMED)
    params = query()

    # When 鹤山市's officer asks the API and the list page the same question
    from_api = api_ids(api_for("heshan_cmd"), params)
    from_page = page_ids(client_for("heshan_cmd"), params)

    # Then both answer with the same enterprises, and only 鹤山市's
    assert from_api == from_page
    assert from_api
    assert not Enterprise.objects.filter(pk__in=from_api).exclude(town__parent__code="440784").exists()


def test_a_filter_value_outside_the_callers_scope_is_refused_by_the_api_and_empty_on_the_page(api_for, client_for):
    query = {"town": Region.objects.get(code=HITECH).pk}

    response = api_for("heshan_cmd").get(API, query)

    assert response.status_code == 400
    assert "town" in response.json()
    assert page_ids(client_for("heshan_cmd"), query) == []


def test_the_api_lists_only_the_callers_jurisdiction(api_for):
    ids = api_ids(api_for("grid_officer"), {})

    assert ids == sorted(Enterprise.objects.filter(region__code=OFFICER_GRID).values_list("pk", flat=True))


def test_a_token_authenticates_like_a_session(users):
    # Given an API token of 鹤山市's officer
    _, key = ApiToken.issue(user=users("heshan_cmd"), name="测试")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    # When it lists enterprises
    ids = api_ids(client, {"sector": Sector.RESTAURANT})

    # Then it sees 鹤山市's restaurants
    assert ids == sorted(Enterprise.objects.filter(town__parent__code="440784", sector=Sector.RESTAURANT).values_list("pk", flat=True))


def test_a_wrong_token_or_no_credentials_are_refused():
    client = APIClient()
    assert client.get(API).status_code in (401, 403)

    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    response = client.get(API)
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌无效。"


def test_an_enterprise_of_another_county_is_not_found(api_for, own_enterprise):
    assert api_for("heshan_cmd").get(f"{API}{own_enterprise.pk}/").status_code == 404


def test_an_enterprise_admin_reads_their_own_enterprise_but_not_the_list(api_for, own_enterprise):
    client = api_for("ent_admin")

    response = client.get(f"{API}{own_enterprise.pk}/")

    assert response.status_code == 200
    assert (response.json()["uscc"], response.json()["town"], response.json()["region"]) == (own_enterprise.uscc, HITECH, OFFICER_GRID)
    assert client.get(API).status_code == 403


def new_enterprise(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "河源市接口登记有限公司", "uscc": uscc_for(301), "sector": "services", "size": "below", "address": "高新区接口路1号",
        "region": NEIGHBOUR_GRID, "legal_representative": "赵强", "contact_name": "孙丽", "contact_phone": "13700001111",
        "headcount": 30, "has_canteen": False, "closed_management": "none", "local_staff_percent": 60,
    }
    body.update(overrides)
    return body


def test_posting_an_enterprise_registers_it_through_the_audited_service(api_for, users):
    # When the hi-tech zone's officer posts a new enterprise, its code in lower case
    response = api_for("hitech_cmd").post(API, new_enterprise(uscc=uscc_for(301).lower()), format="json")

    # Then it is registered with its town worked out and its code normalised
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["uscc"], body["town"], body["town_name"], body["region"], body["status"]) == (uscc_for(301), HITECH, "高新区", NEIGHBOUR_GRID, "not_applied")
    enterprise = Enterprise.objects.get(pk=body["id"])
    assert enterprise.created_by == users("hitech_cmd")
    # And the registration is audited
    entry = AuditEntry.objects.get(action="enterprise.create", object_id=str(enterprise.pk))
    assert entry.actor_id == users("hitech_cmd").pk


def test_posting_a_bad_check_character_is_refused_with_a_chinese_message(api_for):
    code, right = with_wrong_check(uscc_for(302))

    response = api_for("hitech_cmd").post(API, new_enterprise(uscc=code), format="json")

    assert response.status_code == 400
    assert response.json() == {"uscc": [f"统一社会信用代码校验位错误：最后一位应为“{right}”，而不是“{code[-1]}”，请核对。"]}
    assert not Enterprise.objects.filter(uscc=code).exists()


def test_posting_a_registered_code_is_refused(api_for, own_enterprise):
    before = Enterprise.objects.count()

    response = api_for("hitech_cmd").post(API, new_enterprise(uscc=own_enterprise.uscc), format="json")

    assert response.status_code == 400
    [message] = response.json()["uscc"]
    assert "已存在" in message
    assert Enterprise.objects.count() == before


def test_posting_into_a_region_outside_the_callers_scope_is_refused(api_for):
    response = api_for("grid_officer").post(API, new_enterprise(uscc=uscc_for(303), region=NEIGHBOUR_GRID), format="json")

    assert response.status_code == 400
    assert "region" in response.json()
    assert not Enterprise.objects.filter(uscc=uscc_for(303)).exists()


def test_posting_an_enterprise_onto_the_county_itself_is_refused_because_it_needs_a_town(api_for):
    response = api_for("county_cmd").post(API, new_enterprise(uscc=uscc_for(305), region="441602"), format="json")

    assert response.status_code == 400
    assert response.json() == {"region": ["企业必须登记在镇/街道或其下的村社区、网格。"]}
    assert not Enterprise.objects.filter(uscc=uscc_for(305)).exists()


@pytest.mark.parametrize("username", ["ent_admin", "employee", "jmb_reviewer"])
def test_people_who_may_not_register_enterprises_get_403_from_the_api(api_for, username):
    response = api_for(username).post(API, new_enterprise(uscc=uscc_for(304)), format="json")

    assert response.status_code == 403
    assert not Enterprise.objects.filter(uscc=uscc_for(304)).exists()


def test_an_enterprise_admin_patches_their_own_enterprise_and_the_change_is_audited(api_for, users, own_enterprise):
    response = api_for("ent_admin").patch(f"{API}{own_enterprise.pk}/", {"headcount": 777, "has_dormitory": True}, format="json")

    assert response.status_code == 200, response.content
    own_enterprise.refresh_from_db()
    assert (own_enterprise.headcount, own_enterprise.has_dormitory) == (777, True)
    entry = AuditEntry.objects.get(action="enterprise.update", object_id=str(own_enterprise.pk))
    assert entry.actor_id == users("ent_admin").pk
    assert set(entry.data["changed"]) == {"headcount", "has_dormitory"}


def test_an_enterprise_admin_cannot_patch_another_enterprise(api_for, other_hitech_enterprise):
    response = api_for("ent_admin").patch(f"{API}{other_hitech_enterprise.pk}/", {"headcount": 1}, format="json")

    assert response.status_code == 404
    other_hitech_enterprise.refresh_from_db()
    assert other_hitech_enterprise.headcount != 1


def test_an_enterprise_admin_cannot_move_their_enterprise_through_the_api(api_for, own_enterprise):
    response = api_for("ent_admin").patch(f"{API}{own_enterprise.pk}/", {"region": NEIGHBOUR_GRID}, format="json")

    assert response.status_code in (400, 403)
    own_enterprise.refresh_from_db()
    assert own_enterprise.region.code == OFFICER_GRID


def test_patching_a_bad_code_is_refused_and_changes_nothing(api_for, own_enterprise):
    code, _ = with_wrong_check(own_enterprise.uscc)

    response = api_for("hitech_cmd").patch(f"{API}{own_enterprise.pk}/", {"uscc": code, "headcount": 5}, format="json")

    assert response.status_code == 400
    assert "校验位错误" in response.json()["uscc"][0]
    own_enterprise.refresh_from_db()
    assert own_enterprise.headcount != 5


def test_the_api_list_runs_the_same_few_queries_for_200_rows_as_for_1(api_for):
    client = api_for("admin")
    client.get(API)
    one = Enterprise.objects.order_by("pk").first()

    with CaptureQueriesContext(connection) as many:
        assert len(client.get(API, {"page_size": 200}).json()["results"]) == 200
    with CaptureQueriesContext(connection) as single:
        assert len(client.get(API, {"q": one.uscc}).json()["results"]) == 1

    assert len(many) == len(single) <= 6
