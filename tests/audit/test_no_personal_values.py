"""The audit log can never be erased, so it keeps no personal values: field names, ids and codes only."""

from __future__ import annotations

import pytest

from fugong.audit.models import AuditEntry
from fugong.enterprises.models import Enterprise
from fugong.enterprises.services import enterprise_update


def entry_text(entry: AuditEntry) -> str:
    return str(entry.payload())


@pytest.mark.django_db
def test_changing_an_enterprises_contact_person_logs_which_fields_changed_but_not_the_values(users):
    # Given an enterprise and its current contact details
    enterprise = Enterprise.objects.order_by("pk").first()
    old_phone, old_name, old_legal = enterprise.contact_phone, enterprise.contact_name, enterprise.legal_representative
    # When an officer changes the contact person, phone and legal representative
    enterprise_update(enterprise=enterprise, acting_user=users("admin"),
                      data={"contact_phone": "13912345678", "contact_name": "欧阳娜娜", "legal_representative": "司马光明", "headcount": 321})
    # Then the audit entry lists the changed fields
    entry = AuditEntry.objects.get(action="enterprise.update")
    assert {"contact_phone", "contact_name", "legal_representative", "headcount"} <= set(entry.data["changed"])
    # And keeps no personal value, old or new
    text = entry_text(entry)
    for personal in ("13912345678", "欧阳娜娜", "司马光明", old_phone, old_name, old_legal):
        assert personal not in text
    # While the non-personal change is kept in full
    assert entry.data["changed"]["headcount"][1] == 321


@pytest.mark.django_db
def test_login_entries_hold_no_mobile_number(client, demo_password):
    client.post("/accounts/login/", {"username": "13800000001", "password": demo_password})
    entry = AuditEntry.objects.get(action="auth.login")
    assert "13800000001" not in entry_text(entry)
