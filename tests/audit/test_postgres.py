"""PostgreSQL-only guarantees: the database itself refuses to change the audit log, and rows keep their history."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from fugong.audit.models import AuditEntry
from fugong.audit.services import record
from fugong.audit.verification import verify_chain
from fugong.enterprises.models import Enterprise
from fugong.enterprises.services import enterprise_update

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def refused(sql: str) -> bool:
    """Whether PostgreSQL refuses the statement (inside a savepoint, so the test can go on)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as exc:
        return "append-only" in str(exc) or "Cannot update or delete" in str(exc)
    return False


def test_the_database_refuses_to_update_an_audit_entry():
    # Given a recorded entry
    entry = record(action="test.event", object_label="原文")
    # When anyone, even with direct database access, tries to change it
    # Then PostgreSQL refuses
    assert refused("UPDATE audit_auditentry SET object_label = '改写'")
    entry.refresh_from_db()
    assert entry.object_label == "原文"


def test_the_database_refuses_to_update_through_the_orm_too():
    record(action="test.event")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.update(actor_name="别人")


def test_the_database_refuses_to_delete_an_audit_entry():
    record(action="test.event")
    before = AuditEntry.objects.count()
    assert refused("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.count() == before


def test_the_database_refuses_to_truncate_the_audit_log():
    record(action="test.event")
    before = AuditEntry.objects.count()
    assert refused("TRUNCATE audit_auditentry CASCADE")
    assert AuditEntry.objects.count() == before
    assert verify_chain().ok


def test_appending_still_works_with_the_triggers_on():
    before = AuditEntry.objects.count()
    record(action="test.event")
    record(action="test.event")
    assert verify_chain().ok
    assert AuditEntry.objects.count() == before + 2


def test_updating_an_enterprise_through_its_service_keeps_a_row_history_event(users):
    from fugong.enterprises.models import EnterpriseEvent  # the pghistory event model

    # Given an enterprise and its history so far
    enterprise = Enterprise.objects.order_by("pk").first()
    events_before = EnterpriseEvent.objects.filter(pgh_obj=enterprise).count()
    # When an officer changes its headcount through the service
    enterprise_update(enterprise=enterprise, acting_user=users("admin"), data={"headcount": enterprise.headcount + 7})
    # Then a row-history event holds the new row
    events = EnterpriseEvent.objects.filter(pgh_obj=enterprise).order_by("pgh_id")
    assert events.count() == events_before + 1
    assert events.last().headcount == enterprise.headcount + 7
