"""The people API (/api/v1/people/): the same scope, filters and service as the pages; the ID number
goes in whole and comes out masked."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from fugong.workforce.models import Person
from fugong.workforce.services import DUPLICATE_MESSAGE
from tests.workforce.factories import id_number

pytestmark = pytest.mark.django_db


def ids(client, **params) -> list[str]:
    found: list[str] = []
    url = reverse("api:person-list")
    while url:
        body = client.get(url, params).json()
        found += [row["id"] for row in body["results"]]
        url, params = body["next"], {}
    return found


def test_the_list_holds_the_scope_with_masked_numbers_only(client_for, staff, own_enterprise):
    client = client_for("ent_admin")
    response = client.get(reverse("api:person-list"), {"q": id_number(2)})
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == str(staff["colleague"].pk) and row["id_masked"] == staff["colleague"].id_masked
    assert "id_number" not in row and id_number(2) not in response.content.decode()
    listed = set(ids(client))
    assert str(staff["colleague"].pk) in listed and str(staff["neighbour"].pk) not in listed
    assert listed == {str(pk) for pk in Person.objects.filter(enterprise=own_enterprise).values_list("pk", flat=True)}


def test_an_employee_reads_their_own_record_and_no_list(client_for, staff):
    client = client_for("employee")
    assert client.get(reverse("api:person-list")).status_code == 403
    assert client.get(reverse("api:person-detail", args=[staff["employee"].pk])).status_code == 200
    assert client.get(reverse("api:person-detail", args=[staff["colleague"].pk])).status_code == 404


def test_reviewers_and_gates_see_no_person(client_for, staff):
    for username in ("jmb_reviewer", "gate_guard"):
        client = client_for(username)
        assert client.get(reverse("api:person-list")).status_code == 403
        assert client.get(reverse("api:person-detail", args=[staff["colleague"].pk])).status_code == 404


def body(enterprise, **overrides) -> dict:
    return {"data": json.dumps({"enterprise": enterprise.pk, "name": "上官婉", "id_number": id_number(51), "phone": "+86 139-0000-2222",
                                "post": "key", "origin": "other_province", "return_date": "2020-02-12"} | overrides),
            "content_type": "application/json"}


def test_creating_goes_through_the_service_and_answers_with_the_masked_number(client_for, own_enterprise):
    response = client_for("ent_admin").post(reverse("api:person-list"), **body(own_enterprise))
    assert response.status_code == 201, response.content
    created = response.json()
    person = Person.objects.get(pk=created["id"])
    assert (person.phone, person.enterprise_id) == ("13900002222", own_enterprise.pk)
    assert created["id_masked"] == person.id_masked and id_number(51) not in response.content.decode()
    assert created["sex"] == person.sex and created["birth_date"] == person.birth_date.isoformat()


def test_a_refused_create_says_why_in_chinese(client_for, own_enterprise, staff):
    client = client_for("ent_admin")
    number = id_number(52)
    wrong = client.post(reverse("api:person-list"), **body(own_enterprise, id_number=number[:-1] + ("1" if number[-1] != "1" else "2")))
    assert wrong.status_code == 400 and "校验位错误" in wrong.json()["id_number"][0]
    duplicate = client.post(reverse("api:person-list"), **body(own_enterprise, id_number=id_number(2)))
    assert duplicate.status_code == 400 and duplicate.json()["id_number"] == [DUPLICATE_MESSAGE]


def test_an_enterprise_out_of_scope_reads_as_unknown(client_for, neighbour_enterprise):
    response = client_for("ent_admin").post(reverse("api:person-list"), **body(neighbour_enterprise))
    assert response.status_code == 400 and "enterprise" in response.json()
    assert not Person.objects.filter(name="上官婉").exists()
