"""API tokens: created by `fugong create_api_token`, stored only as SHA-256, sent as `Authorization: Token <key>`."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from fugong.accounts.models import ApiToken
from fugong.audit.models import AuditEntry
from fugong.enterprises.models import Enterprise

API = "/api/v1/enterprises/"


def create_token(username: str) -> str:
    out = StringIO()
    call_command("create_api_token", username, stdout=out)
    return out.getvalue().strip()


def api_get(key: str, path: str = API):
    return Client().get(path, HTTP_AUTHORIZATION=f"Token {key}")


@pytest.mark.django_db
def test_printed_key_reads_the_enterprise_api_within_the_users_scope():
    # Given a key made for the 源城区 command officer
    key = create_token("county_cmd")
    # When it is used on the enterprise API
    response = api_get(key)
    # Then it answers with 源城区's enterprises and none of 鹤山市's
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Enterprise.objects.filter(region__path__contains="/441602/").count() > 0
    assert all(not row["region"].startswith("440784") for row in body["results"])


@pytest.mark.django_db
def test_only_the_sha256_of_the_key_is_stored():
    # Given a freshly printed key
    key = create_token("county_cmd")
    # Then the database holds its hash and an 8-character prefix, never the key
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8]
    stored = " ".join(str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields)
    assert key not in stored


@pytest.mark.django_db
def test_each_key_is_different_and_long():
    first, second = create_token("county_cmd"), create_token("county_cmd")
    assert first != second
    assert len(first) >= 40


@pytest.mark.django_db
def test_creating_a_key_is_audited_without_the_key():
    key = create_token("county_cmd")
    entry = AuditEntry.objects.get(action="api_token.create")
    assert key not in str(entry.payload())


@pytest.mark.django_db
def test_creating_a_key_for_an_unknown_user_fails():
    with pytest.raises(CommandError, match="不存在"):
        create_token("nobody")


@pytest.mark.django_db
def test_a_made_up_key_is_refused_with_401():
    response = api_get("not-a-real-key")
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_stored_hash_used_as_a_key_is_refused():
    # Given someone who read the token table
    create_token("county_cmd")
    leaked_hash = ApiToken.objects.get().key_hash
    # When they send the hash as a key
    # Then it does not work
    assert api_get(leaked_hash).status_code == 401


@pytest.mark.django_db
def test_a_revoked_key_is_refused_with_401():
    # Given a working key
    key = create_token("county_cmd")
    assert api_get(key).status_code == 200
    # When it is revoked
    ApiToken.objects.update(revoked_at=timezone.now())
    # Then it no longer works
    assert api_get(key).status_code == 401


@pytest.mark.django_db
def test_an_expired_key_is_refused_with_401():
    key = create_token("county_cmd")
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_get(key).status_code == 401


@pytest.mark.django_db
def test_a_key_with_an_expiry_in_the_future_still_works():
    key = create_token("county_cmd")
    ApiToken.objects.update(expires_at=timezone.now() + timedelta(days=1))
    assert api_get(key).status_code == 200


@pytest.mark.django_db
def test_the_key_of_a_deactivated_user_is_refused(users):
    key = create_token("county_cmd")
    user = users("county_cmd")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert api_get(key).status_code == 401


@pytest.mark.django_db
def test_using_a_key_records_when_it_was_last_used():
    key = create_token("county_cmd")
    assert ApiToken.objects.get().last_used_at is None
    api_get(key)
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.django_db
def test_the_api_without_any_credentials_answers_401():
    assert Client().get(API).status_code == 401


def create_gate_token(gate_id: int) -> str:
    out = StringIO()
    call_command("create_api_token", "--gate", str(gate_id), "--name", "东门闸机", stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_a_gate_device_key_gets_its_own_account_bound_to_that_gate():
    from fugong.enterprises.models import Gate

    # Given the 东门 gate
    gate = Gate.objects.get(name="东门")
    # When two keys are made for its devices
    first, second = create_gate_token(gate.pk), create_gate_token(gate.pk)
    # Then both belong to one device account that holds only the gate role there and no password
    tokens = ApiToken.objects.select_related("user")
    assert {t.user.username for t in tokens} == {f"gate-device-{gate.pk}"}
    device = tokens[0].user
    assert not device.has_usable_password()
    assert [(m.role, m.gate_id) for m in device.memberships.all()] == [("gate", gate.pk)]
    # And the key signs the device in, without letting it read the enterprise registry
    assert first != second
    assert api_get(first).status_code == 403


@pytest.mark.django_db
def test_a_key_needs_either_a_username_or_a_gate():
    with pytest.raises(CommandError, match="二选一"):
        call_command("create_api_token", stdout=StringIO())
    with pytest.raises(CommandError, match="二选一"):
        call_command("create_api_token", "county_cmd", "--gate", "1", stdout=StringIO())


@pytest.mark.django_db
def test_a_key_for_a_gate_that_does_not_exist_is_refused():
    with pytest.raises(CommandError, match="不存在"):
        create_gate_token(999999)
    assert not ApiToken.objects.exists()
