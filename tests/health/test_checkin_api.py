"""POST /api/v1/checkins: one check-in or a list of up to 1,000, each saved or refused with its
reason; retries with an Idempotency-Key replay the first answer; scoping per item."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fugong.audit.models import AuditEntry
from fugong.health.choices import AlertKind, CheckInSource
from fugong.health.idempotency import CONFLICT
from fugong.health.models import Alert, CheckIn, IdempotentRequest
from fugong.health.services import NOT_FOUND, local_day_and_hour
from fugong.workforce.models import Person
from tests.health.conftest import give_pass

pytestmark = pytest.mark.django_db


def item(person: Person, temperature: Any = "36.5", **more: Any) -> dict[str, Any]:
    return {"person": str(person.pk), "temperature": temperature, **more}


def test_one_check_in_is_saved_for_today_in_the_current_slot(staff: dict[str, Person], post_checkins: Callable[..., Any]) -> None:
    # Given ent_admin and one of its staff
    colleague = staff["colleague"]
    # When the enterprise posts one check-in as a single object
    response = post_checkins("ent_admin", item(colleague, 36.6))
    # Then it is saved, dated today in Asia/Shanghai, with the source "api"
    assert response.status_code == 200
    body = response.json()
    assert (body["saved"], body["failed"]) == (1, 0)
    result = body["results"][0]
    assert result["ok"] and result["created"] and result["error"] is None and result["alert"] is None
    checkin = CheckIn.objects.get(pk=result["id"])
    assert checkin.person_id == colleague.pk and checkin.enterprise_id == colleague.enterprise_id
    assert checkin.date == local_day_and_hour(timezone.now())[0]
    assert checkin.temperature == Decimal("36.6") and checkin.source == CheckInSource.API


def test_a_second_check_in_in_the_same_slot_updates_the_first(staff: dict[str, Person], post_checkins: Callable[..., Any]) -> None:
    colleague = staff["colleague"]
    first = post_checkins("ent_admin", item(colleague, "36.4", slot=1)).json()["results"][0]
    second = post_checkins("ent_admin", item(colleague, "36.8", slot=1, cough=False)).json()["results"][0]
    assert second["id"] == first["id"]
    assert (first["created"], second["created"]) == (True, False)
    assert CheckIn.objects.filter(person=colleague).count() == 1
    assert CheckIn.objects.get(pk=first["id"]).temperature == Decimal("36.8")


def test_a_batch_with_bad_items_saves_the_good_ones_and_says_why_for_the_others(staff: dict[str, Person],
                                                                                 post_checkins: Callable[..., Any]) -> None:
    # Given a batch: two good items, an unknown person, a person of another enterprise, a bad temperature,
    # a time in the future, a time too old, a slot that does not exist and something that is not an object
    now = timezone.now()
    batch = [
        item(staff["colleague"], 36.5, slot=1),
        {"person": "2d7f1f1e-0000-4000-8000-000000000000", "temperature": 36.5},
        item(staff["neighbour"], 36.5),
        item(staff["colleague"], "热", slot=2),
        item(staff["newcomer"], 36.7, slot=1),
        item(staff["employee"], 36.7, at=(now + timedelta(hours=1)).isoformat()),
        item(staff["employee"], 36.7, at=(now - timedelta(days=5)).isoformat()),
        item(staff["employee"], 36.7, slot=7),
        "36.5",
    ]
    before = CheckIn.objects.count()
    # When ent_admin posts it
    response = post_checkins("ent_admin", batch)
    # Then the answer is 207, the good items are saved and each refusal says why, in Chinese
    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["index"] for r in results] == list(range(len(batch)))
    assert [r["ok"] for r in results] == [True, False, False, False, True, False, False, False, False]
    errors = [r["error"] for r in results]
    assert errors[1] == errors[2] == NOT_FOUND  # unknown and out of scope read alike
    assert "体温" in errors[3]
    assert "晚于当前时间" in errors[5]
    assert "补报" in errors[6]
    assert "时段" in errors[7]
    assert "对象" in errors[8]
    assert CheckIn.objects.count() == before + 2


def test_a_batch_of_1001_items_is_refused_whole(staff: dict[str, Person], post_checkins: Callable[..., Any]) -> None:
    before = CheckIn.objects.count()
    response = post_checkins("ent_admin", [item(staff["colleague"])] * 1001)
    assert response.status_code == 400
    assert "1,000" in response.json()["detail"]
    assert CheckIn.objects.count() == before


def test_a_batch_of_1000_items_is_taken_and_the_last_item_of_a_slot_wins(staff: dict[str, Person],
                                                                         post_checkins: Callable[..., Any]) -> None:
    # 1,000 items for two people and one slot each: the same slot again and again
    batch = [item(staff["colleague"] if n % 2 else staff["newcomer"], f"36.{n % 10}", slot=1) for n in range(1000)]
    response = post_checkins("ent_admin", batch)
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 1000 and all(r["ok"] for r in results)
    assert sum(r["created"] for r in results) == 2  # the first of each person's slot
    assert CheckIn.objects.get(person=staff["colleague"], slot=1).temperature == Decimal("36.9")
    assert CheckIn.objects.get(person=staff["newcomer"], slot=1).temperature == Decimal("36.8")


@pytest.mark.parametrize("body", [[], "36.5", 12, None])
def test_a_body_that_is_not_a_check_in_or_a_list_of_them_is_a_400(post_checkins: Callable[..., Any], body: Any, db: Any) -> None:
    assert post_checkins("ent_admin", body).status_code == 400


# -- retries ---------------------------------------------------------------------------------------

def test_the_same_key_and_body_replay_the_first_answer_and_save_nothing_twice(staff: dict[str, Person],
                                                                              post_checkins: Callable[..., Any]) -> None:
    # Given a fever check-in sent with an Idempotency-Key whose answer was lost
    body = [item(staff["colleague"], "38.2", slot=1), item(staff["newcomer"], "36.5", slot=1)]
    first = post_checkins("ent_admin", body, key="gate-7-0001")
    alerts = Alert.objects.count()
    # When the device sends it again, with the keys of its objects in another order
    again = post_checkins("ent_admin", [dict(reversed(list(i.items()))) for i in body], key="gate-7-0001")
    # Then the first answer comes back exactly, marked as a replay, and nothing new is written
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Alert.objects.count() == alerts
    assert CheckIn.objects.filter(person__in=[staff["colleague"], staff["newcomer"]]).count() == 2


def test_the_same_key_with_another_body_is_a_409_and_changes_nothing(staff: dict[str, Person], post_checkins: Callable[..., Any]) -> None:
    post_checkins("ent_admin", item(staff["colleague"], "36.5", slot=1), key="k-1")
    response = post_checkins("ent_admin", item(staff["colleague"], "36.9", slot=1), key="k-1")
    assert response.status_code == 409
    assert response.json()["detail"] == CONFLICT
    assert CheckIn.objects.get(person=staff["colleague"], slot=1).temperature == Decimal("36.5")


def test_keys_belong_to_their_user(staff: dict[str, Person], post_checkins: Callable[..., Any]) -> None:
    # The same key from the gate and from the enterprise are two different requests
    post_checkins("ent_admin", item(staff["colleague"], "36.5", slot=1), key="shared")
    response = post_checkins("gate_guard", item(staff["colleague"], "36.7", slot=1), key="shared")
    assert response.status_code == 200 and "Idempotent-Replayed" not in response
    assert IdempotentRequest.objects.filter(key="shared").count() == 2


def test_a_partly_refused_batch_is_replayed_with_its_207(staff: dict[str, Person], post_checkins: Callable[..., Any]) -> None:
    body = [item(staff["colleague"], "36.5", slot=1), item(staff["heshan"], "36.5", slot=1)]
    first = post_checkins("ent_admin", body, key="partial")
    again = post_checkins("ent_admin", body, key="partial")
    assert first.status_code == again.status_code == 207
    assert again.json() == first.json()


def test_a_refused_body_is_not_kept_under_its_key(staff: dict[str, Person], post_checkins: Callable[..., Any]) -> None:
    # A 400 saved nothing: the corrected body may use the same key
    assert post_checkins("ent_admin", [item(staff["colleague"])] * 1001, key="fixme").status_code == 400
    assert post_checkins("ent_admin", item(staff["colleague"]), key="fixme").status_code == 200


@pytest.mark.parametrize("key", ["", "x" * 129, "键"])
def test_a_malformed_key_is_a_400(staff: dict[str, Person], post_checkins: Callable[..., Any], key: str) -> None:
    before = CheckIn.objects.count()
    assert post_checkins("ent_admin", item(staff["colleague"]), key=key).status_code == 400
    assert CheckIn.objects.count() == before


def test_a_concurrent_duplicate_that_loses_the_race_replays_the_winner(staff: dict[str, Person], monkeypatch: pytest.MonkeyPatch) -> None:
    # Given two requests with one key that both found no stored answer (the second looked before
    # the first committed): on SQLite the race is played by letting the winner commit inside the
    # loser's look-up
    from fugong.accounts.models import User
    from fugong.health import idempotency
    from fugong.health.idempotency import Answer, run_once
    from fugong.health.services import checkin_batch

    user = User.objects.get(username="ent_admin")
    body = [item(staff["colleague"], "36.6", slot=1)]

    def work() -> Answer:
        results = checkin_batch(items=body, acting_user=user)
        return Answer(200, {"results": [r.as_dict() for r in results]})

    winner = run_once(user=user, key="race", data=body, work=work)
    real_stored = idempotency._stored
    calls = {"n": 0}

    def stale_first_look(*args: Any) -> Any:
        calls["n"] += 1
        return None if calls["n"] == 1 else real_stored(*args)

    monkeypatch.setattr(idempotency, "_stored", stale_first_look)
    checkins = CheckIn.objects.count()
    # When the loser runs its work and tries to keep its answer
    loser = run_once(user=user, key="race", data=body, work=work)
    # Then its transaction is rolled back and it answers as the winner did
    assert calls["n"] == 2
    assert loser.replayed and loser.body == winner.body
    assert CheckIn.objects.count() == checkins
    assert IdempotentRequest.objects.filter(key="race").count() == 1


def test_old_keys_are_purged_by_the_periodic_task(staff: dict[str, Person], post_checkins: Callable[..., Any]) -> None:
    from fugong.health.checkin_tasks import purge_idempotent_requests

    post_checkins("ent_admin", item(staff["colleague"]), key="old")
    post_checkins("ent_admin", item(staff["employee"]), key="new")
    IdempotentRequest.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_idempotent_requests.apply().get() == 1
    assert list(IdempotentRequest.objects.filter(key__in=["old", "new"]).values_list("key", flat=True)) == ["new"]


# -- alerts from the API ---------------------------------------------------------------------------

def test_a_fever_through_the_api_raises_an_alert_and_revokes_the_passes(staff: dict[str, Person],
                                                                        post_checkins: Callable[..., Any]) -> None:
    colleague = staff["colleague"]
    issued = give_pass(colleague)
    result = post_checkins("gate_guard", item(colleague, "38.1")).json()["results"][0]
    alert = Alert.objects.get(uuid=result["alert"])
    assert alert.kind == AlertKind.FEVER and alert.person_id == colleague.pk and alert.checkin_id == result["id"]
    issued.refresh_from_db()
    assert issued.revoked_at is not None and issued.revoked_reason == "fever"


def test_a_retried_fever_without_a_key_does_not_raise_a_second_alert(staff: dict[str, Person], post_checkins: Callable[..., Any]) -> None:
    body = item(staff["colleague"], "38.4", slot=1)
    first = post_checkins("ent_admin", body).json()["results"][0]
    second = post_checkins("ent_admin", body).json()["results"][0]
    assert first["alert"] == second["alert"]
    assert Alert.objects.filter(person=staff["colleague"]).count() == 1


def test_alerts_are_audited_without_personal_values(staff: dict[str, Person], post_checkins: Callable[..., Any]) -> None:
    colleague = staff["colleague"]
    post_checkins("ent_admin", item(colleague, "37.0", cough=True, symptoms="咽痛"))
    entry = AuditEntry.objects.filter(action="alert.raise").order_by("-seq").first()
    assert entry is not None
    text = json.dumps(entry.data, ensure_ascii=False) + entry.object_label
    for personal in (colleague.name, colleague.phone, colleague.id_masked, "咽痛", "37.0"):
        assert personal not in text


# -- scoping ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("username", "inside", "outside"), [
    ("ent_admin", ["employee", "colleague"], ["neighbour", "heshan"]),
    ("employee", ["employee"], ["colleague", "neighbour", "heshan"]),
    ("gate_guard", ["employee", "colleague"], ["neighbour", "heshan"]),
    ("grid_officer", ["employee", "colleague", "neighbour"], ["heshan"]),
    ("hitech_cmd", ["employee", "colleague", "neighbour"], ["heshan"]),
])
def test_each_role_records_exactly_the_people_in_its_scope(staff: dict[str, Person], post_checkins: Callable[..., Any], username: str,
                                                          inside: list[str], outside: list[str]) -> None:
    # Given one item for each person of the fixture
    names = [*inside, *outside]
    # When the account posts them
    results = post_checkins(username, [item(staff[name], slot=1) for name in names]).json()["results"]
    # Then exactly the people inside its scope are saved; the others fail without saying whether they exist
    assert [r["ok"] for r in results] == [True] * len(inside) + [False] * len(outside)
    assert {r["error"] for r in results if not r["ok"]} <= {NOT_FOUND}
    recorded = CheckIn.objects.filter(person__in=staff.values(), recorded_by__username=username).values_list("person_id", flat=True)
    assert set(recorded) == {staff[n].pk for n in inside}


def test_a_reviewer_may_not_record_check_ins_at_all(staff: dict[str, Person], post_checkins: Callable[..., Any]) -> None:
    assert post_checkins("jmb_reviewer", item(staff["colleague"])).status_code == 403


def test_an_anonymous_caller_is_refused(staff: dict[str, Person], client: Any) -> None:
    response = client.post("/api/v1/checkins", json.dumps(item(staff["colleague"])), content_type="application/json")
    assert response.status_code == 401


def test_a_device_token_records_like_its_account(staff: dict[str, Person]) -> None:
    from django.test import Client

    from fugong.accounts.models import ApiToken, User

    _, key = ApiToken.issue(user=User.objects.get(username="gate_guard"), name="东门测温枪")
    device = Client(HTTP_AUTHORIZATION=f"Token {key}")
    response = device.post("/api/v1/checkins", json.dumps([item(staff["colleague"]), item(staff["heshan"])]), content_type="application/json")
    assert response.status_code == 207
    assert [r["ok"] for r in response.json()["results"]] == [True, False]


def test_the_list_shows_the_check_ins_in_scope(staff: dict[str, Person], post_checkins: Callable[..., Any],
                                               client_for: Callable[[str], Any]) -> None:
    post_checkins("admin", [item(staff["colleague"], slot=1), item(staff["heshan"], slot=1)])
    listed = client_for("ent_admin").get("/api/v1/checkins", {"page_size": 500}).json()["results"]
    persons = {row["person"] for row in listed}
    assert str(staff["colleague"].pk) in persons and str(staff["heshan"].pk) not in persons


# -- the device's token remembered for a few seconds ------------------------------------------------

@pytest.fixture
def remembered_tokens() -> Any:
    from django.test import override_settings

    from fugong.health import authentication

    authentication.forget()
    with override_settings(FUGONG_API_AUTH_CACHE_SECONDS=10):
        yield
    authentication.forget()


def test_a_remembered_token_is_refused_at_once_when_it_is_revoked(staff: dict[str, Person], remembered_tokens: None) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fugong.accounts.models import ApiToken, User

    token, key = ApiToken.issue(user=User.objects.get(username="gate_guard"), name="东门测温枪")
    device = Client(HTTP_AUTHORIZATION=f"Token {key}")
    body = json.dumps(item(staff["colleague"]))
    assert device.post("/api/v1/checkins", body, content_type="application/json").status_code == 200
    # Remembered: the next check-in asks the database for neither the token nor the memberships
    with CaptureQueriesContext(connection) as queries:
        assert device.post("/api/v1/checkins", body, content_type="application/json").status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "accounts_apitoken" in q["sql"] or "accounts_membership" in q["sql"]]
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    assert device.post("/api/v1/checkins", body, content_type="application/json").status_code == 401


def test_a_remembered_token_of_an_account_that_loses_its_gate_no_longer_records(staff: dict[str, Person], remembered_tokens: None) -> None:
    from django.test import Client

    from fugong.accounts.models import ApiToken, Membership, User

    guard = User.objects.get(username="gate_guard")
    _, key = ApiToken.issue(user=guard, name="东门测温枪")
    device = Client(HTTP_AUTHORIZATION=f"Token {key}")
    body = json.dumps(item(staff["colleague"]))
    assert device.post("/api/v1/checkins", body, content_type="application/json").status_code == 200
    Membership.objects.filter(user=guard).delete()
    assert device.post("/api/v1/checkins", body, content_type="application/json").status_code == 403


# -- two ways in: devices with a token (a plain view), pages with a session (the viewset) -----------

def test_a_session_and_a_token_get_the_same_answers(staff: dict[str, Person], post_checkins: Callable[..., Any]) -> None:
    # Given the same partly refused batch, posted once signed in on a page and once with a token
    body = [item(staff["colleague"], "36.5", slot=1), item(staff["heshan"], "36.5", slot=1)]
    by_session = post_checkins("ent_admin", body, session=True, key="s-1")
    by_token = post_checkins("ent_admin", body, key="t-1")
    # Then both are a 207 with the same results: the same row updated, the same refusal
    assert by_session.status_code == by_token.status_code == 207
    assert by_session.json()["results"][1] == by_token.json()["results"][1]
    assert by_session.json()["results"][0]["id"] == by_token.json()["results"][0]["id"]
    # And a retry replays on either way in
    assert post_checkins("ent_admin", body, session=True, key="s-1")["Idempotent-Replayed"] == "true"
    assert post_checkins("ent_admin", body, key="t-1")["Idempotent-Replayed"] == "true"


def test_a_device_with_an_unknown_token_is_told_to_authenticate(staff: dict[str, Person]) -> None:
    from django.test import Client

    before = CheckIn.objects.count()
    response = Client(HTTP_AUTHORIZATION="Token not-a-real-key").post("/api/v1/checkins", json.dumps(item(staff["colleague"])),
                                                                      content_type="application/json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"] == "令牌无效。"
    assert CheckIn.objects.count() == before


@pytest.mark.parametrize(("body", "content_type", "status", "says"), [
    ("person=1&temperature=36.5", "application/x-www-form-urlencoded", 415, "媒体类型"),
    ('{"person": "', "application/json", 400, "JSON"),
    ('{"person": "2d7f1f1e-0000-4000-8000-000000000000", "temperature": NaN}', "application/json", 400, "NaN"),
])
def test_a_device_body_that_is_not_json_saves_nothing_and_says_why(staff: dict[str, Person], post_checkins: Callable[..., Any], body: str,
                                                                   content_type: str, status: int, says: str) -> None:
    from django.test import Client

    from fugong.accounts.models import ApiToken, User

    _, key = ApiToken.issue(user=User.objects.get(username="gate_guard"), name="东门测温枪")
    before = CheckIn.objects.count()
    response = Client(HTTP_AUTHORIZATION=f"Token {key}").post("/api/v1/checkins", body, content_type=content_type)
    assert response.status_code == status
    assert says in response.json()["detail"]
    assert CheckIn.objects.count() == before


def test_the_schema_still_documents_posting_check_ins(client_for: Callable[[str], Any], db: Any) -> None:
    schema = client_for("admin").get("/api/v1/schema/", {"format": "json"}).json()
    post = schema["paths"]["/api/v1/checkins"]["post"]
    assert post["summary"] == "健康打卡（单条或批量）"
    assert {"checkinTokenAuth": []} in post["security"]
