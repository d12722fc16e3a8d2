"""An anchor archived outside the database catches a truncated tail whose head row was rewritten."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from fugong.audit.models import AuditEntry, AuditHead
from fugong.audit.services import record


def test_verify_audit_archives_the_head_and_later_detects_tail_deleted_with_head_rewritten(db, tmp_path):
    # Given a chain with three entries of ours and an anchor archived after the last one
    for n in range(3):
        record(action=f"test.anchor.{n}")
    anchors = tmp_path / "anchors.txt"
    call_command("verify_audit", anchor_file=anchors)
    last = AuditEntry.objects.order_by("-seq").first()
    assert anchors.read_text().split() == [str(last.seq), last.hash]

    # When someone deletes the last entry and points the head at the one before it
    previous = AuditEntry.objects.get(seq=last.seq - 1)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [last.seq])
    AuditHead.objects.filter(id=1).update(last_seq=previous.seq, last_hash=previous.hash)

    # Then the chain alone looks whole, but the anchor does not
    call_command("verify_audit")
    with pytest.raises(CommandError):
        call_command("verify_audit", anchor_file=anchors)
