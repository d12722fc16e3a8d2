"""The gate API: a gate device posts what it scanned and measured, with its token, and gets the
gate page's answer from the same service."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fugong.accounts.models import ApiToken, User
from fugong.gates.choices import Outcome
from fugong.gates.models import Passage
from fugong.health.models import Alert
from fugong.workforce import passes

pytestmark = pytest.mark.django_db


def device(username: str = "gate_guard") -> Client:
    _, key = ApiToken.issue(user=User.objects.get(username=username), name="东门闸机")
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def scan(client: Client, gate: Any, **body: Any) -> Any:
    return client.post(reverse("api:gate-scan", kwargs={"pk": gate.pk}), json.dumps(body), content_type="application/json")


def test_device_token_scans_a_pass_and_gets_the_gate_answer(east_gate, worker):
    issued = worker(east_gate.enterprise, "张晓明")
    response = scan(device(), east_gate, token=issued.token, temperature="36.5", direction="in")
    assert response.status_code == 200
    body = response.json()
    assert (body["valid"], body["reason"], body["allowed"], body["outcome"], body["message"]) == (True, passes.VALID, True, "allowed", "放行")
    assert (body["enterprise"], body["person"], body["alert"], body["fever"], body["temperature"]) == (
        east_gate.enterprise.name, "张*", None, False, "36.5")
    passage = Passage.objects.get(pk=body["passage"])
    assert passage.recorded_by == User.objects.get(username="gate_guard") and passage.person_id == issued.person_id
    # The device learns the masked name only: no ID number, no person id
    assert str(issued.person_id) not in response.content.decode() and "张晓明" not in response.content.decode()


def test_fever_through_the_api_refuses_and_names_the_alert(east_gate, worker):
    issued = worker(east_gate.enterprise)
    body = scan(device(), east_gate, token=issued.token, temperature=38.1, direction="in").json()
    alert = Alert.objects.get(person=issued.person)
    assert (body["allowed"], body["outcome"], body["message"], body["fever"]) == (False, Outcome.REFUSED, "禁止入内", True)
    assert body["detail"] == "体温 38.1℃ 发热，禁止入内，已生成预警" and body["advice"]
    assert body["alert"] == str(getattr(alert, "uuid", alert.pk))
    # And the next scan of the same pass says 已吊销
    again = scan(device(), east_gate, token=issued.token, temperature="36.5").json()
    assert (again["valid"], again["reason"], again["allowed"]) == (False, passes.REVOKED, False)


def test_forged_code_is_refused_with_the_verify_reason(east_gate):
    body = scan(device(), east_gate, token="abc.def", temperature="36.5").json()
    assert (body["valid"], body["reason"], body["allowed"], body["person"]) == (False, passes.MALFORMED, False, None)


def test_missing_temperature_on_entry_is_a_400_in_chinese_and_writes_nothing(east_gate, worker):
    issued = worker(east_gate.enterprise)
    before = Passage.objects.count()
    response = scan(device(), east_gate, token=issued.token, direction="in")
    assert response.status_code == 400 and "进门须测量体温" in response.json()["temperature"][0]
    bad = scan(device(), east_gate, token=issued.token, temperature="36.5", direction="up")
    assert bad.status_code == 400 and "direction" in bad.json()
    assert Passage.objects.count() == before


def test_exit_through_the_api_needs_no_temperature(east_gate, worker):
    issued = worker(east_gate.enterprise)
    body = scan(device(), east_gate, token=issued.token, direction="out").json()
    assert (body["allowed"], body["message"], body["temperature"]) == (True, "出门登记", None)


def test_device_of_one_gate_gets_404_at_another_and_officers_get_403(east_gate, other_gate, worker):
    issued = worker(other_gate.enterprise)
    before = Passage.objects.count()
    assert scan(device(), other_gate, token=issued.token, temperature="36.5").status_code == 404
    for username in ("ent_admin", "hitech_cmd", "employee"):
        assert scan(device(username), east_gate, token=issued.token, temperature="36.5").status_code == 403
    assert Client().post(reverse("api:gate-scan", kwargs={"pk": east_gate.pk}), {}).status_code == 401
    assert Passage.objects.count() == before


def test_the_endpoint_is_in_the_openapi_schema(client_for):
    schema = client_for("admin").get(reverse("api:schema"), HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/gates/{id}/scan" in schema


def test_a_retried_scan_with_the_same_idempotency_key_is_replayed_not_logged_twice(east_gate, worker):
    # Given a device that lost the answer to its scan and sends it again with the same key
    issued = worker(east_gate.enterprise)
    client = device()
    url = reverse("api:gate-scan", kwargs={"pk": east_gate.pk})
    body = json.dumps({"token": issued.token, "temperature": "36.5", "direction": "in"})
    first = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="dongmen-0001")
    again = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="dongmen-0001")
    # Then the second answer is the first one, replayed, and one passage is logged
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Passage.objects.filter(person=issued.person).count() == 1
    # And the key with another body is refused, changing nothing
    other = client.post(url, json.dumps({"token": issued.token, "temperature": "36.6", "direction": "in"}), content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="dongmen-0001")
    assert other.status_code == 409 and Passage.objects.filter(person=issued.person).count() == 1
