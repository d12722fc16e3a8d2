"""Roster import on the page: upload, follow the progress, read the counts, download the error
report — and nobody else's import can be followed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fugong.workforce.models import Person
from fugong.workforce.tasks import import_roster_task
from fugong.workforce.views import roster
from tests.workforce.factories import HEADERS, csv_bytes, id_number, read_sheets, roster_row, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def upload(name: str, content: bytes, content_type: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_upload_then_progress_shows_the_counts_and_the_error_report_downloads(client_for, own_enterprise):
    # Given a roster with two good rows and one whose ID number Excel turned into a number
    rows = [roster_row("甲", id_number(41)), roster_row("乙", 4.41602e17), roster_row("丙", id_number(42))]
    client = client_for("ent_admin")
    before = Person.objects.filter(enterprise=own_enterprise).count()
    # When the enterprise admin uploads it
    response = client.post(reverse("workforce:roster-import"), {"enterprise": own_enterprise.pk, "file": upload("三月花名册.xlsx", xlsx_bytes(rows))})
    # Then they are sent to the progress page, which (the task having run) shows the counts
    assert response.status_code == 302
    progress = client.get(response["Location"])
    assert progress.status_code == 200
    state = progress.context["state"]
    assert state["finished"] and (state["result"]["imported"], state["result"]["refused"]) == (2, 1)
    assert Person.objects.filter(enterprise=own_enterprise).count() == before + 2
    # And the error report lists the refused row, ready to be corrected and imported again
    report = client.get(progress.context["report_url"])
    assert report.status_code == 200
    sheets = read_sheets(b"".join(report.streaming_content))
    refused = sheets["未导入的行"]
    assert refused[0][0] == "行号" and [r[0] for r in refused[1:]] == [3]
    assert "Excel" in refused[1][-1]


def test_progress_page_polls_and_shows_a_bar_while_the_task_runs(client_for, own_enterprise, users, monkeypatch):
    # Given an import running on a worker that has done 300 of its 1,000 steps
    class Running:
        state = "PROGRESS"
        info = {"done": 300, "total": 1000}

        def __init__(self, *args, **kwargs):
            pass

    monkeypatch.setattr(roster, "AsyncResult", Running)
    ticket = roster.make_ticket(task_id="task-1", user=users("ent_admin"), enterprise=own_enterprise, filename="花名册.xlsx")
    client = client_for("ent_admin")
    # When the page is opened, and htmx asks again
    page = client.get(reverse("workforce:roster-progress", args=[ticket]))
    poll = client.get(reverse("workforce:roster-progress", args=[ticket]), HTTP_HX_REQUEST="true")
    # Then the page shows 30 % and asks again every second; the poll answers with the status alone
    html = page.content.decode()
    assert 'data-progress="30"' in html and 'hx-trigger="every 1s"' in html and "300 / 1000" in html
    assert poll.status_code == 200 and "<html" not in poll.content.decode() and 'hx-trigger="every 1s"' in poll.content.decode()


def test_a_finished_task_on_a_worker_stops_the_polling_with_the_counts(client_for, own_enterprise, users, monkeypatch):
    class Done:
        state = "SUCCESS"
        info = None
        result = {"rows": 3, "imported": 3, "refused": 0, "warnings": 0, "error": "", "report": "", "seconds": 0.1}

        def __init__(self, *args, **kwargs):
            pass

    monkeypatch.setattr(roster, "AsyncResult", Done)
    ticket = roster.make_ticket(task_id="task-2", user=users("ent_admin"), enterprise=own_enterprise, filename="花名册.xlsx")
    html = client_for("ent_admin").get(reverse("workforce:roster-progress", args=[ticket]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html and 'data-testid="imported">3<' in html and "report-link" not in html


def test_nobody_else_can_follow_an_import_or_download_its_report(client_for, own_enterprise, users):
    # Given ent_admin's finished import with an error report
    client = client_for("ent_admin")
    response = client.post(reverse("workforce:roster-import"),
                           {"enterprise": own_enterprise.pk, "file": upload("a.csv", csv_bytes([roster_row("坏", "1")]), "text/csv")})
    progress_url = response["Location"]
    report_url = client.get(progress_url).context["report_url"]
    # Then the grid officer over the enterprise, though they may import for it, gets "not found"
    officer = client_for("grid_officer")
    assert officer.get(progress_url).status_code == 404
    assert officer.get(report_url).status_code == 404
    # And a ticket altered by one character is not found either
    ticket = progress_url.rstrip("/").rsplit("/", 1)[-1]
    altered = ticket[:-1] + ("A" if ticket[-1] != "A" else "B")
    assert client.get(reverse("workforce:roster-progress", args=[altered])).status_code == 404


def test_an_import_is_no_longer_followed_once_the_enterprise_is_out_of_the_users_scope(client_for, own_enterprise, users):
    ticket = roster.make_ticket(task_id="task-3", user=users("heshan_cmd"), enterprise=own_enterprise, filename="a.xlsx",
                                result={"rows": 0, "imported": 0, "refused": 0, "warnings": 0, "error": "", "report": ""})
    assert client_for("heshan_cmd").get(reverse("workforce:roster-progress", args=[ticket])).status_code == 404


@pytest.mark.parametrize(("name", "content", "message"), [
    ("花名册.docx", b"PK\x03\x04whatever", "只接受 XLSX、XLS、CSV"),
    ("花名册.xlsx", b"not a zip at all", "内容与扩展名"),
    ("花名册.csv", b"", "空文件"),
    ("花名册.xls", b"just text", "内容与扩展名"),
])
def test_a_refused_upload_says_why_and_keeps_the_chosen_enterprise(client_for, own_enterprise, name, content, message):
    before = Person.objects.count()
    response = client_for("hitech_cmd").post(reverse("workforce:roster-import"), {"enterprise": own_enterprise.pk, "file": upload(name, content)})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("file", []))
    assert message in errors
    assert f'value="{own_enterprise.pk}" selected' in response.content.decode()
    assert Person.objects.count() == before


def test_a_file_above_the_policy_size_limit_is_refused(client_for, own_enterprise, monkeypatch):
    # Given a policy that allows 1 MB (the page reads only this parameter)
    monkeypatch.setattr(roster, "current", lambda region: SimpleNamespace(upload_max_mb=1))
    big = b"\xef\xbb\xbf" + ",".join(HEADERS).encode() + b"\n" + b"x" * (1024 * 1024 + 1)
    response = client_for("ent_admin").post(reverse("workforce:roster-import"), {"enterprise": own_enterprise.pk, "file": upload("大.csv", big)})
    assert "超过单个文件 1 MB 的上限" in " ".join(response.context["form"].errors["file"])


def test_an_enterprise_admin_may_pick_only_its_own_enterprise(client_for, own_enterprise, neighbour_enterprise):
    client = client_for("ent_admin")
    assert list(client.get(reverse("workforce:roster-import")).context["form"].fields["enterprise"].queryset) == [own_enterprise]
    response = client.post(reverse("workforce:roster-import"),
                           {"enterprise": neighbour_enterprise.pk, "file": upload("a.csv", csv_bytes([roster_row("甲", id_number(43))]), "text/csv")})
    assert response.status_code == 200 and "enterprise" in response.context["form"].errors


def test_the_template_downloads_with_the_chinese_headers(client_for):
    response = client_for("ent_admin").get(reverse("workforce:roster-template"))
    assert response.status_code == 200
    header = read_sheets(response.content)["花名册"][0]
    assert header[:8] == ["姓名", "身份证号", "手机号", "现住址", "户籍地", "返岗日期", "交通方式", "岗位"]


def test_when_the_task_queue_is_down_the_page_says_so_and_keeps_no_upload(client_for, own_enterprise, monkeypatch):
    from django.core.files.storage import default_storage
    from kombu.exceptions import OperationalError

    def down(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(import_roster_task, "delay", down)
    before = set(default_storage.listdir(roster.UPLOAD_DIR)[1]) if default_storage.exists(roster.UPLOAD_DIR) else set()
    roster_file = upload("a.csv", csv_bytes([roster_row("甲", id_number(44))]), "text/csv")
    response = client_for("ent_admin").post(reverse("workforce:roster-import"), {"enterprise": own_enterprise.pk, "file": roster_file})
    assert response.status_code == 200 and "后台导入服务暂时不可用" in response.content.decode()
    after = set(default_storage.listdir(roster.UPLOAD_DIR)[1]) if default_storage.exists(roster.UPLOAD_DIR) else set()
    assert after == before
