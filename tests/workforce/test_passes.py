"""Passes (出入证): signed tokens, offline verification, revocation, and the gate API."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fugong.accounts.models import ApiToken, User
from fugong.audit.models import AuditEntry
from fugong.workforce import passes
from fugong.workforce.models import Pass, Person
from fugong.workforce.services import pass_issue, pass_revoke, person_update

TODAY = date(2020, 2, 10)
PASS_ID = "6f1c0a52-4d0e-4b7e-9d0c-0f3b3a7a9e11"
PERSON_ID = "1b9a3c1e-7e55-4a8b-8f5e-2d8f1f7f3c22"


def token(**overrides: Any) -> str:
    fields = {"pass_id": PASS_ID, "person_id": PERSON_ID, "enterprise_id": 7, "valid_from": date(2020, 2, 1),
              "valid_to": date(2020, 2, 29)} | overrides
    return passes.sign_pass(**fields)


def check(text: Any, *, today: date = TODAY, revoked: frozenset[str] = frozenset()) -> passes.Verification:
    return passes.verify_token(text, public_keys=passes.public_keys(), today=today, revoked=revoked)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# -- the pure token ------------------------------------------------------------------------------


def test_key_is_derived_deterministically_and_its_id_is_the_public_key_hash() -> None:
    first, second = passes.signing_key("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"), passes.signing_key(
        "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA")
    assert first.public_raw == second.public_raw
    import hashlib

    assert first.kid == hashlib.sha256(first.public_raw).hexdigest()[:8]
    assert passes.signing_key("b3RoZXItb3RoZXItb3RoZXItb3RoZXItb3RoZXItb3RoZXI").kid != first.kid


def test_valid_token_verifies_and_carries_only_an_opaque_person_reference() -> None:
    result = check(token())
    assert (result.valid, result.reason) == (True, passes.VALID)
    assert result.payload is not None
    assert result.payload["p"] == PASS_ID and result.payload["e"] == 7
    assert result.payload["r"] == passes.person_reference(PERSON_ID) and len(result.payload["r"]) == 16
    assert PERSON_ID not in json.dumps(result.payload, default=str)


def test_altered_payload_is_tampered() -> None:
    head, sig = token().split(".")
    payload = json.loads(unb64(head))
    payload["t"] = "2020-12-31"  # a longer validity
    altered = b64(json.dumps(payload, separators=(",", ":")).encode()) + "." + sig
    assert check(altered).reason == passes.TAMPERED
    assert not check(altered).valid


def test_token_signed_with_another_key_is_forged_or_unknown_key() -> None:
    other = Ed25519PrivateKey.generate()
    own_kid = passes.signing_key().kid
    other_kid = passes.key_id(other.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    for kid, allowed in ((other_kid, {passes.UNKNOWN_KEY}), (own_kid, {passes.FORGED, passes.TAMPERED})):
        payload = {"p": PASS_ID, "r": "0" * 16, "e": 7, "f": "2020-02-01", "t": "2020-02-29", "k": kid}
        head = b64(json.dumps(payload, separators=(",", ":")).encode())
        forged = head + "." + b64(other.sign(head.encode()))
        result = check(forged)
        assert not result.valid and result.reason in allowed
    # knowing the pass id was never issued, a signature under our key id is a forgery
    payload = {"p": PASS_ID, "r": "0" * 16, "e": 7, "f": "2020-02-01", "t": "2020-02-29", "k": own_kid}
    head = b64(json.dumps(payload, separators=(",", ":")).encode())
    result = passes.verify_token(head + "." + b64(other.sign(head.encode())), public_keys=passes.public_keys(), today=TODAY,
                                 revoked=(), issued=lambda pid: False)
    assert result.reason == passes.FORGED


def test_expired_not_yet_valid_and_revoked() -> None:
    assert check(token(), today=date(2020, 3, 1)).reason == passes.EXPIRED
    assert check(token(), today=date(2020, 2, 29)).valid  # the last day counts
    assert check(token(), today=date(2020, 1, 31)).reason == passes.NOT_YET_VALID
    assert check(token(), revoked=frozenset({PASS_ID})).reason == passes.REVOKED


@pytest.mark.parametrize("text", ["", "abc", "a.b.c", "!!.??", None, 42, token().split(".")[0] + ".", "x" * 5000])
def test_malformed_tokens(text: Any) -> None:
    assert check(text).reason == passes.MALFORMED


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_byte_flip_in_the_token_is_invalid(data: st.DataObject) -> None:
    original = token().encode("ascii")
    position = data.draw(st.integers(0, len(original) - 1))
    mask = data.draw(st.integers(1, 255))
    flipped = bytearray(original)
    flipped[position] ^= mask
    result = check(bytes(flipped).decode("latin-1"))
    assert not result.valid
    assert result.reason in {passes.MALFORMED, passes.TAMPERED, passes.UNKNOWN_KEY}


# -- services and API ----------------------------------------------------------------------------


@pytest.fixture
def grid_officer(db: Any) -> User:
    return User.objects.get(username="grid_officer")


@pytest.fixture
def issued(staff: dict[str, Person], grid_officer: User) -> Pass:
    # A local worker who never left: their classification allows a pass today.
    colleague = person_update(person=staff["colleague"], acting_user=User.objects.get(username="admin"), data={"origin": "local_not_away"})
    return pass_issue(person=colleague, acting_user=grid_officer)


def post_verify(client: Client, text: str) -> dict[str, Any]:
    response = client.post(reverse("api:pass-verify"), json.dumps({"token": text}), content_type="application/json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_grid_officer_issues_a_pass_for_the_policy_validity_and_it_is_audited(issued: Pass) -> None:
    assert (issued.valid_to - issued.valid_from) == timedelta(days=30 - 1)
    assert AuditEntry.objects.filter(action="pass.issue", object_id=str(issued.pk)).exists()


def test_officer_of_another_county_and_an_enterprise_may_not_issue(staff: dict[str, Person]) -> None:
    for username in ("ent_admin", "employee", "gate_guard"):
        with pytest.raises(PermissionDenied):
            pass_issue(person=staff["colleague"], acting_user=User.objects.get(username=username))


def test_gate_device_verifies_a_pass_and_sees_only_the_masked_name(issued: Pass) -> None:
    _, key = ApiToken.issue(user=User.objects.get(username="gate_guard"), name="东门闸机")
    answer = post_verify(Client(HTTP_AUTHORIZATION=f"Token {key}"), issued.token)
    assert answer == {"valid": True, "reason": passes.VALID, "enterprise": issued.enterprise.name, "person": "李*",
                      "must_check_temperature": True}
    body = json.dumps(answer, ensure_ascii=False)
    assert issued.person.id_masked not in body and issued.person.reveal_id_number() not in body
    assert issued.person.name not in body and str(issued.person.pk) not in body


def test_revoked_pass_is_refused_online_and_listed_for_offline_gates(issued: Pass, grid_officer: User) -> None:
    pass_revoke(pass_=issued, reason="fever", acting_user=grid_officer)
    client = Client()
    client.force_login(User.objects.get(username="gate_guard"))
    answer = post_verify(client, issued.token)
    assert (answer["valid"], answer["reason"]) == (False, passes.REVOKED)
    listed = client.get(reverse("api:pass-revoked"), {"since": "2020-01-01"}).json()
    assert str(issued.pk) in listed["revoked"]
    assert client.get(reverse("api:pass-revoked"), {"since": "2999-01-01"}).json()["revoked"] == []
    assert client.get(reverse("api:pass-revoked"), {"since": "yesterday"}).status_code == 400
    assert AuditEntry.objects.filter(action="pass.revoke", object_id=str(issued.pk)).exists()


def test_tampered_and_forged_tokens_show_no_name(issued: Pass) -> None:
    client = Client()
    client.force_login(User.objects.get(username="gate_guard"))
    head, sig = issued.token.split(".")
    payload = json.loads(unb64(head))
    payload["t"] = "2999-12-31"
    altered = post_verify(client, b64(json.dumps(payload, separators=(",", ":")).encode()) + "." + sig)
    assert (altered["valid"], altered["reason"], altered["person"], altered["enterprise"]) == (False, passes.TAMPERED, None, None)
    other = Ed25519PrivateKey.generate()
    payload["p"] = str(uuid.uuid4())
    head = b64(json.dumps(payload, separators=(",", ":")).encode())
    forged = post_verify(client, head + "." + b64(other.sign(head.encode())))
    assert (forged["valid"], forged["reason"], forged["person"]) == (False, passes.FORGED, None)


def test_published_keys_verify_offline(issued: Pass) -> None:
    client = Client()
    client.force_login(User.objects.get(username="gate_guard"))
    published = client.get(reverse("api:pass-keys")).json()
    keys = passes.load_public_keys(published)
    result = passes.verify_token(issued.token, public_keys=keys, today=issued.valid_from, revoked=set())
    assert result.valid
    assert Client().get(reverse("api:pass-keys")).status_code == 401


def test_suspending_the_enterprise_revokes_its_passes_for_offline_gates(users) -> None:
    # Given an approved enterprise whose workers hold passes
    from django.test import Client
    from django.urls import reverse

    from fugong.resumption.choices import Status
    from fugong.resumption.models import Application
    from fugong.resumption.services import application_suspend
    from fugong.workforce.models import Pass

    application = Application.objects.filter(status=Status.APPROVED, enterprise__passes__revoked_at__isnull=True).distinct().first()
    assert application is not None, "the demo has an approved enterprise with passes"
    open_passes = set(Pass.objects.filter(enterprise=application.enterprise, revoked_at__isnull=True).values_list("pk", flat=True))
    # When the command suspends it
    application_suspend(application=application, reason="巡查发现未落实测温，责令停工整改。", acting_user=users("admin"))
    # Then every one of those passes is on the revocation list gates fetch
    client = Client()
    client.force_login(users("gate_guard"))
    revoked = set(client.get(reverse("api:pass-revoked")).json()["revoked"])
    assert {str(pk) for pk in open_passes} <= revoked
    assert set(Pass.objects.filter(pk__in=open_passes).values_list("revoked_reason", flat=True)) == {"suspension"}
