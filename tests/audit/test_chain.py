"""The audit log is an append-only hash chain; `fugong verify_audit` finds any change to it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from fugong.accounts.models import User
from fugong.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from fugong.audit.services import record
from fugong.audit.verification import verify_chain
from fugong.cli import main as fugong


def write_entries(count: int = 5, actor: User | None = None) -> list[AuditEntry]:
    return [record(action="test.event", actor=actor, object_label=f"对象{n}", data={"n": n}) for n in range(1, count + 1)]


def verify() -> tuple[bool, str]:
    """Run ``fugong verify_audit``; return whether it passed and everything it printed."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue() + err.getvalue() + str(exc)
    return True, out.getvalue() + err.getvalue()


@pytest.mark.django_db
def test_entries_link_each_to_the_one_before():
    # Given the log as the demo left it
    head = AuditHead.objects.first()
    before_seq, before_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    # When three things are recorded
    first, second, third = write_entries(3)
    # Then each carries the previous entry's hash, continuing the chain (from the genesis hash on an empty log)
    assert [e.seq for e in (first, second, third)] == [before_seq + 1, before_seq + 2, before_seq + 3]
    assert first.prev_hash == before_hash
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert AuditHead.objects.get().last_hash == third.hash


@pytest.mark.django_db
def test_an_untouched_log_verifies():
    before = AuditEntry.objects.count()
    write_entries(5)
    passed, output = verify()
    assert passed
    assert f"审计链完整：共 {before + 5} 条记录" in output


@pytest.mark.django_db
def test_an_empty_log_verifies():
    passed, _ = verify()
    assert passed


@pytest.mark.django_db
def test_an_edited_entry_is_reported(tamper):
    # Given a log in which someone changed what entry 3 says
    write_entries(5)
    tamper("UPDATE audit_auditentry SET actor_name = %s WHERE seq = 3", ["别人"])
    # When the log is verified
    passed, output = verify()
    # Then the edit is found and named
    assert not passed
    assert "第 3 条记录内容与哈希不符" in output


@pytest.mark.django_db
def test_an_edit_of_the_data_field_is_reported(tamper):
    write_entries(5)
    tamper("UPDATE audit_auditentry SET data = %s WHERE seq = 2", ['{"n": 99}'])
    passed, output = verify()
    assert not passed
    assert "第 2 条" in output


@pytest.mark.django_db
def test_an_edit_that_also_rewrites_the_entrys_own_hash_breaks_the_next_link(tamper):
    # Given an intruder who edits entry 2 and recomputes its hash
    write_entries(4)
    entry = AuditEntry.objects.get(seq=2)
    entry.object_label = "改过的"
    forged = entry.compute_hash()
    tamper("UPDATE audit_auditentry SET object_label = %s, hash = %s WHERE seq = 2", ["改过的", forged])
    # When the log is verified
    passed, output = verify()
    # Then entry 3 no longer points at entry 2
    assert not passed
    assert "第 3 条记录的前序哈希不符" in output


@pytest.mark.django_db
def test_a_deleted_entry_is_reported(tamper):
    write_entries(5)
    tamper("DELETE FROM audit_auditentry WHERE seq = 3")
    passed, output = verify()
    assert not passed
    assert "第 3 条记录缺失" in output
    assert "第 4 条记录的前序哈希不符" in output


@pytest.mark.django_db
def test_several_deleted_entries_are_reported_as_one_range(tamper):
    write_entries(6)
    tamper("DELETE FROM audit_auditentry WHERE seq IN (2, 3, 4)")
    passed, output = verify()
    assert not passed
    assert "第 2–4 条记录缺失" in output


@pytest.mark.django_db
def test_reordered_entries_are_reported(tamper):
    # Given entries 2 and 3 swapped in the sequence
    write_entries(5)
    tamper("UPDATE audit_auditentry SET seq = 1000000 WHERE seq = 2")
    tamper("UPDATE audit_auditentry SET seq = 2 WHERE seq = 3")
    tamper("UPDATE audit_auditentry SET seq = 3 WHERE seq = 1000000")
    # When verified
    passed, output = verify()
    # Then the broken order is reported
    assert not passed
    assert "前序哈希不符" in output


@pytest.mark.django_db
def test_a_truncated_tail_is_reported(tamper):
    # Given the last two entries removed, which leaves an intact-looking chain
    write_entries(5)
    tamper("DELETE FROM audit_auditentry WHERE seq > 3")
    # When verified
    passed, output = verify()
    # Then the head still remembers entry 5
    assert not passed
    assert "截断" in output


@pytest.mark.django_db
def test_an_emptied_log_is_reported(tamper):
    write_entries(3)
    tamper("DELETE FROM audit_auditentry")
    passed, output = verify()
    assert not passed
    assert "截断" in output


@pytest.mark.django_db
def test_a_forged_entry_inserted_in_the_middle_is_reported(tamper):
    # Given entries 4 and 5 renumbered to make room for a forged entry 4
    write_entries(5)
    tamper("UPDATE audit_auditentry SET seq = seq + 1000 WHERE seq >= 4")
    tamper("UPDATE audit_auditentry SET seq = seq - 999 WHERE seq >= 1000")
    real_third = AuditEntry.objects.get(seq=3)
    forged = AuditEntry(seq=4, at=real_third.at, action="test.forged", prev_hash=real_third.hash)
    forged.hash = forged.compute_hash()
    forged.save(force_insert=True)
    # When verified
    passed, output = verify()
    # Then the link after the forgery is broken
    assert not passed
    assert "第 5 条记录的前序哈希不符" in output


@pytest.mark.django_db
def test_verify_audit_exits_non_zero_on_a_broken_chain(tamper):
    # Given a tampered log
    write_entries(3)
    tamper("DELETE FROM audit_auditentry WHERE seq = 2")
    # When the command runs as it would from a shell
    with pytest.raises(SystemExit) as exited:
        fugong(["verify_audit"])
    # Then its exit status tells a cron job or CI that something is wrong
    assert exited.value.code != 0


@pytest.mark.django_db
def test_verify_audit_exits_zero_on_an_intact_chain():
    write_entries(3)
    try:
        fugong(["verify_audit"])
    except SystemExit as exited:  # pragma: no cover - only on failure
        assert exited.code in (0, None)


@pytest.mark.django_db
def test_actor_id_and_name_survive_the_deletion_of_the_account():
    # Given a user who did something
    user = User.objects.create_user(username="temp_officer", password="Tmp-2020-pass", display_name="临时值班员 赵")
    entry = record(action="test.event", actor=user)
    user_id = user.pk
    # When the account is deleted
    user.delete()
    # Then the log still says who it was, and the chain is intact
    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_name) == (user_id, "临时值班员 赵")
    assert verify_chain().ok


@pytest.mark.django_db
def test_an_action_without_a_user_is_recorded_as_the_system():
    entry = record(action="test.event")
    assert entry.actor_id is None
    assert entry.actor_name == "系统"


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["2001:DB8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", "::ffff:10.0.0.1", "10.0.0.1"])
def test_entries_from_any_client_address_verify(rf, address):
    # Given a request from an address written in a non-canonical way
    request = rf.get("/", REMOTE_ADDR=address)
    # When it is recorded
    record(action="test.event", request=request)
    # Then the stored entry still matches its hash
    report = verify_chain()
    assert report.ok, report.problems


@pytest.mark.django_db
def test_a_garbage_client_address_does_not_break_recording(rf):
    request = rf.get("/", REMOTE_ADDR="not-an-ip")
    entry = record(action="test.event", request=request)
    assert entry.ip is None
    assert verify_chain().ok


@pytest.mark.django_db
def test_login_through_the_page_leaves_a_verifiable_chain(demo_password):
    before = AuditEntry.objects.count()
    client = Client()
    client.post("/accounts/login/", {"username": "county_cmd", "password": demo_password})
    client.post("/accounts/logout/")
    assert AuditEntry.objects.count() == before + 2
    assert verify_chain().ok
