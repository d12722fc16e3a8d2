"""Registering and changing a person through the services; the ID number encrypted at rest,
masked on screen and revealed only to those allowed, every reveal audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from fugong.accounts.models import User
from fugong.audit.models import AuditEntry
from fugong.core import crypto
from fugong.workforce.models import ID_NUMBER_CONTEXT
from fugong.workforce.services import DUPLICATE_MESSAGE, id_number_index, id_number_reveal, person_create, person_update
from tests.workforce.conftest import register
from tests.workforce.factories import id_number

pytestmark = pytest.mark.django_db


def payload_text(entry: AuditEntry) -> str:
    return str(entry.payload())


def test_registration_normalises_the_id_number_and_derives_birth_date_and_sex(own_enterprise, users):
    # Given an ID number typed with full-width digits, a lower-case x and spaces
    number = "11010519491231002X"
    typed = " １１０１０５ １９４９１２３１００２x "
    # When the enterprise admin registers the person
    person = person_create(enterprise=own_enterprise, acting_user=users("ent_admin"),
                           data={"name": " 赵  敏 ", "id_number": typed, "phone": "138 0013 8000", "post": "core"})
    # Then the number is stored normalised (encrypted), indexed and masked; birth date and sex follow it
    person.refresh_from_db()
    assert person.reveal_id_number() == number
    assert person.id_number_index == id_number_index(number)
    assert (person.id_masked, person.birth_date, person.sex) == ("110105********002X", date(1949, 12, 31), "F")
    assert (person.name, person.phone, person.post, person.created_by) == ("赵 敏", "13800138000", "core", users("ent_admin"))
    # And the audit entry names no personal value
    entry = AuditEntry.objects.get(action="person.create", object_id=str(person.pk))
    for personal in (number, "赵", "13800138000", person.id_masked):
        assert personal not in payload_text(entry)


def test_the_same_id_number_twice_at_one_enterprise_is_refused_in_chinese(own_enterprise, neighbour_enterprise, users):
    register(own_enterprise, 10)
    with pytest.raises(ValidationError) as refused:
        person_create(enterprise=own_enterprise, acting_user=users("ent_admin"),
                      data={"name": "另一人", "id_number": id_number(10).lower(), "phone": "13900000001"})
    assert refused.value.message_dict == {"id_number": [DUPLICATE_MESSAGE]}
    # Another enterprise may register the same person (people change jobs)
    assert register(neighbour_enterprise, 10).pk


@pytest.mark.parametrize(("typed", "fragment"), [
    ("441602199001011234", "校验位错误"),
    ("4.41602E+17", "Excel"),
    ("44160219900101123", "18 位"),
    ("", "为空"),
])
def test_invalid_id_numbers_are_refused_with_the_reason(own_enterprise, users, typed, fragment):
    with pytest.raises(ValidationError) as refused:
        person_create(enterprise=own_enterprise, acting_user=users("ent_admin"), data={"name": "某人", "id_number": typed, "phone": "13900000001"})
    assert fragment in refused.value.message_dict["id_number"][0]


def test_a_bad_phone_number_is_refused(own_enterprise, users):
    with pytest.raises(ValidationError) as refused:
        person_create(enterprise=own_enterprise, acting_user=users("ent_admin"), data={"name": "某人", "id_number": id_number(11), "phone": "1234"})
    assert "手机号" in refused.value.message_dict["phone"][0]


def test_an_enterprise_admin_cannot_register_people_at_another_enterprise(neighbour_enterprise, users):
    with pytest.raises(PermissionDenied):
        person_create(enterprise=neighbour_enterprise, acting_user=users("ent_admin"),
                      data={"name": "某人", "id_number": id_number(12), "phone": "13900000001"})


def test_update_changes_the_id_number_and_audits_which_fields_changed_without_values(own_enterprise, users):
    # Given a registered person
    person = register(own_enterprise, 20, "周杰")
    old_index = person.id_number_index
    # When the enterprise admin corrects the ID number, the phone and the post
    updated = person_update(person=person, acting_user=users("ent_admin"),
                            data={"id_number": id_number(21), "phone": "13700000000", "post": "key"})
    # Then the record follows the new number
    assert updated.reveal_id_number() == id_number(21)
    assert updated.id_number_index != old_index and updated.id_masked == id_number(21)[:6] + "*" * 8 + id_number(21)[-4:]
    # And the audit entry lists the changed fields, keeping only the non-personal values
    entry = AuditEntry.objects.get(action="person.update", object_id=str(person.pk))
    assert set(entry.data["changed"]) == {"id_number", "phone", "post"}
    assert entry.data["changed"]["post"] == ["other", "key"]
    for personal in (id_number(20), id_number(21), "13700000000", "13900000000", "周杰", old_index):
        assert personal not in payload_text(entry)


def test_update_to_a_number_already_registered_is_refused(own_enterprise, users):
    register(own_enterprise, 30)
    other = register(own_enterprise, 31)
    with pytest.raises(ValidationError) as refused:
        person_update(person=other, acting_user=users("ent_admin"), data={"id_number": id_number(30)})
    assert refused.value.message_dict == {"id_number": [DUPLICATE_MESSAGE]}


def test_the_database_holds_the_id_number_encrypted_not_in_clear(own_enterprise):
    # Given a registered person
    person = register(own_enterprise, 40)
    number = id_number(40)
    # When the row is read with raw SQL, bypassing the model
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_encrypted, id_number_index, id_masked FROM workforce_person WHERE id = %s",
                       [person._meta.pk.get_db_prep_value(person.pk, connection)])
        encrypted, index, masked = cursor.fetchone()
    # Then no column holds the number; the ciphertext is an AES-GCM token bound to this field
    for column in (encrypted, index, masked):
        assert number not in column and number[6:14] not in column
    assert encrypted.startswith(f"v1:{crypto.current_key_id()}:")
    assert crypto.decrypt(encrypted, context=ID_NUMBER_CONTEXT) == number
    with pytest.raises(crypto.InvalidTokenError):
        crypto.decrypt(encrypted, context="person.phone")


@pytest.mark.parametrize("username", ["hitech_cmd", "county_cmd", "admin"])
def test_command_officers_over_the_enterprise_and_the_admin_may_reveal_and_each_reveal_is_audited(own_enterprise, users, username):
    # Given a person
    person = register(own_enterprise, 50, "欧阳娜娜")
    # When an allowed user reveals the full number twice
    first = id_number_reveal(person=person, acting_user=users(username))
    second = id_number_reveal(person=person, acting_user=users(username))
    # Then they read it, and two audit entries record who looked at which record
    assert first == second == id_number(50)
    entries = AuditEntry.objects.filter(action="person.reveal_id", object_id=str(person.pk))
    assert entries.count() == 2
    entry = entries.first()
    assert (entry.actor_id, entry.object_type, entry.data["enterprise"]) == (users(username).pk, "workforce.person", own_enterprise.pk)
    # And no entry holds the number, the masked number or the name
    for personal in (id_number(50), person.id_masked, "欧阳娜娜"):
        assert personal not in payload_text(entry)


@pytest.mark.parametrize("username", ["grid_officer", "ent_admin", "employee", "heshan_cmd", "jmb_reviewer"])
def test_others_may_not_reveal_and_the_attempt_is_audited(own_enterprise, users, username):
    person = register(own_enterprise, 60)
    with pytest.raises(PermissionDenied):
        id_number_reveal(person=person, acting_user=users(username))
    assert not AuditEntry.objects.filter(action="person.reveal_id", object_id=str(person.pk)).exists()
    refused = AuditEntry.objects.get(action="person.reveal_id_refused", object_id=str(person.pk))
    assert refused.actor_id == users(username).pk and id_number(60) not in payload_text(refused)


def test_the_admin_shows_the_masked_number_only(client, own_enterprise):
    # Given a person and the platform admin in the Django admin
    person = register(own_enterprise, 70)
    client.force_login(User.objects.get(username="admin"))
    # When the admin lists people, opens the record and searches by the full number (lower-case x allowed)
    listing = client.get("/admin/workforce/person/").content.decode()
    detail = client.get(f"/admin/workforce/person/{person.pk}/change/").content.decode()
    search = client.get("/admin/workforce/person/", {"q": id_number(70)})
    # Then the masked number shows, never the number or its ciphertext
    for page in (listing, detail):
        assert person.id_masked in page
        assert id_number(70) not in page and person.id_number_encrypted not in page and person.id_number_index not in page
    # And the search finds the person through the blind index
    assert list(search.context["cl"].result_list) == [person]
