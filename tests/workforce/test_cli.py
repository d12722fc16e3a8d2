"""``fugong import_roster --enterprise <USCC> FILE`` and the Celery task around the importer."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from fugong.audit.models import AuditEntry
from fugong.workforce.models import Person
from fugong.workforce.tasks import import_roster_task
from tests.workforce.factories import csv_bytes, id_number, read_sheets, roster_row, xlsx_bytes

# The demo's people of ent_admin's enterprise are out of the way: these tests count rows.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_rosters")]


def import_roster(*args: str) -> str:
    out = io.StringIO()
    call_command("import_roster", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_command_prints_the_counts_and_writes_the_error_report_beside_the_file(own_enterprise, tmp_path: Path, empty_rosters):
    # Given a roster file with two good rows and one bad row
    roster = tmp_path / "三月花名册.xlsx"
    roster.write_bytes(xlsx_bytes([roster_row("甲", id_number(1)), roster_row("乙", "4.41602E+17"), roster_row("丙", id_number(2))]))
    # When an operator imports it for the enterprise's credit code (typed in lower case)
    output = import_roster("--enterprise", own_enterprise.uscc.lower(), str(roster))
    # Then the counts are printed and the two good rows are registered
    assert "共 3 行，导入 2 行，拒绝 1 行" in output
    assert Person.objects.filter(enterprise=own_enterprise).count() == 2
    # And the error report lies beside the file, listing the refused row
    report = tmp_path / "三月花名册-错误报告.xlsx"
    assert f"错误报告：{report}" in output
    rows = read_sheets(report.read_bytes())["未导入的行"]
    assert [r[0] for r in rows[1:]] == [3] and "Excel" in rows[1][-1]
    # And the system is the actor of the single audit entry
    entry = AuditEntry.objects.get(action="person.import", seq__gt=empty_rosters)
    assert (entry.actor_id, entry.actor_name, entry.data["imported"]) == (None, "系统", 2)


def test_command_writes_no_report_when_every_row_goes_in(own_enterprise, tmp_path: Path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(csv_bytes([roster_row("甲", id_number(3))]))
    output = import_roster("--enterprise", own_enterprise.uscc, str(roster))
    assert "导入 1 行，拒绝 0 行" in output and "全部导入" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.csv"]


def test_command_refuses_an_unknown_enterprise_in_chinese(tmp_path: Path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(csv_bytes([roster_row("甲", id_number(4))]))
    with pytest.raises(CommandError, match="未找到统一社会信用代码为 91440000000000000X 的企业"):
        import_roster("--enterprise", "91440000000000000X", str(roster))


@pytest.mark.parametrize(("name", "content", "message"), [
    ("missing.xlsx", None, "无法读取文件 .*missing.xlsx：文件不存在"),
    ("broken.xlsx", b"not a workbook", "文件已损坏"),
    ("no-headers.csv", "甲,乙\n1,2\n".encode(), "表头"),
])
def test_command_fails_with_a_chinese_message_for_an_unreadable_file(own_enterprise, tmp_path: Path, name, content, message):
    roster = tmp_path / name
    if content is not None:
        roster.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        import_roster("--enterprise", own_enterprise.uscc, str(roster))
    assert not Person.objects.filter(enterprise=own_enterprise).exists()


def test_command_exits_non_zero_for_errors_and_zero_with_refused_rows(own_enterprise, tmp_path: Path):
    # CommandError is what BaseCommand.run_from_argv turns into exit status 1; refused rows are not errors.
    roster = tmp_path / "roster.csv"
    roster.write_bytes(csv_bytes([roster_row("坏", "123")]))
    assert "拒绝 1 行" in import_roster("--enterprise", own_enterprise.uscc, str(roster))


def test_the_celery_task_imports_a_stored_upload_and_stores_the_report(own_enterprise, users, empty_rosters):
    # Given an upload saved to storage by the page that will start the job
    stored = default_storage.save("workforce/uploads/roster.xlsx", ContentFile(xlsx_bytes([roster_row("甲", id_number(5)), roster_row("乙", "1")])))
    # When the job runs for the enterprise admin (in this process: CI has Redis but no worker)
    outcome = import_roster_task.apply(kwargs={"enterprise_id": own_enterprise.pk, "storage_name": stored, "filename": "三月花名册.xlsx",
                                               "acting_user_id": users("ent_admin").pk}).get()
    # Then it reports the counts and the stored error report, and the upload is gone
    assert (outcome["rows"], outcome["imported"], outcome["refused"], outcome["error"]) == (2, 1, 1, "")
    assert outcome["report"].startswith("workforce/roster-reports/三月花名册-错误报告")
    with default_storage.open(outcome["report"], "rb") as report:
        assert [r[0] for r in read_sheets(report.read())["未导入的行"][1:]] == [3]
    assert not default_storage.exists(stored)
    assert AuditEntry.objects.get(action="person.import", seq__gt=empty_rosters).actor_id == users("ent_admin").pk


def test_the_celery_task_cannot_reach_an_enterprise_outside_the_users_scope(own_enterprise, users):
    stored = default_storage.save("workforce/uploads/roster.xlsx", ContentFile(xlsx_bytes([roster_row("甲", id_number(6))])))
    with pytest.raises(Exception, match="does not exist"):
        import_roster_task.apply(kwargs={"enterprise_id": own_enterprise.pk, "storage_name": stored, "filename": "a.xlsx",
                                         "acting_user_id": users("heshan_cmd").pk}).get()
    assert not Person.objects.filter(enterprise=own_enterprise).exists()
