"""Ledger exports as background jobs: started from a list's export button, run for the user with
the list's own scope and filters, followed on a progress page, downloaded by their owner only,
masked as the page is, and deleted after the policy's keeping time."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fugong.accounts.models import User
from fugong.audit.models import AuditEntry
from fugong.enterprises.models import Enterprise
from fugong.exports import services
from fugong.exports.choices import JobStatus
from fugong.exports.models import ExportJob
from fugong.regions.models import Region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

GRID1 = "441602-GXQ-IND01"  # grid_officer's grid (高新区 · 工业企业第1网格)
FULL_ID = re.compile(r"\b\d{17}[\dX]\b")


def start(client: Any, path: str, query: str = "") -> Any:
    return client.post(reverse("exports:start"), {"path": path, "query": query})


def job_of(response: Any) -> ExportJob:
    assert response.status_code == 302, response.status_code
    return ExportJob.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])


def rows_of(content: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True))


def downloaded(client: Any, job: ExportJob) -> list[tuple[Any, ...]]:
    response = client.get(reverse("exports:download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return rows_of(b"".join(response.streaming_content))


def column(rows: list[tuple[Any, ...]], title: str) -> list[Any]:
    index = rows[0].index(title)
    return [row[index] for row in rows[1:]]


# -- a job runs -------------------------------------------------------------------------------------


def test_the_export_button_starts_a_job_that_writes_the_ledger(client_for):
    client = client_for("hitech_cmd")
    # Given the enterprise list, whose export button is now a form posting to the job's start
    page = client.get(reverse("enterprises:list"), {"sector": "industry"}).content.decode()
    assert f'action="{reverse("exports:start")}"' in page and 'name="query" value="sector=industry"' in page

    # When the officer presses it
    job = job_of(start(client, reverse("enterprises:list"), "sector=industry&page=2"))

    # Then a job of theirs ran to the end (no broker here: in process), with its rows counted
    assert job.user.username == "hitech_cmd" and job.status == JobStatus.DONE
    assert job.query == "sector=industry"  # the page number is no filter: every page is exported
    expected = Enterprise.objects.filter(town__code="441602-GXQ", sector="industry").count()
    assert job.total == job.done == expected > 0
    assert job.filename.startswith("企业台账-") and job.filename.endswith(".xlsx")
    # And its page shows the finished bar and the download, and polls no more
    html = client.get(reverse("exports:detail", args=[job.pk])).content.decode()
    assert 'data-testid="export-done"' in html and reverse("exports:download", args=[job.pk]) in html and "hx-get" not in html
    # And the file is the list's ledger with exactly those rows
    rows = downloaded(client, job)
    assert rows[0][:2] == ("企业名称", "统一社会信用代码") and len(rows) - 1 == expected
    assert set(column(rows, "行业")) == {"工业"}
    # And 'my exports' lists it; the start and the download are in the audit log, without the filters
    assert job.title in client.get(reverse("exports:list")).content.decode()
    entries = AuditEntry.objects.filter(object_id=str(job.pk)).order_by("seq")
    assert [e.action for e in entries] == ["export.start", "export.download"]
    assert all("sector" not in str(e.data) for e in entries)


def test_progress_is_written_to_the_job_chunk_by_chunk(client_for, monkeypatch):
    seen: list[tuple[int, int]] = []
    original = services.JobProgress.advance

    def advance(self: services.JobProgress, done: int) -> None:
        original(self, done)
        job = ExportJob.objects.get(pk=self.job_id)
        seen.append((job.done, job.total))

    monkeypatch.setattr(services.JobProgress, "every", 40)
    monkeypatch.setattr(services.JobProgress, "advance", advance)
    job = job_of(start(client_for("county_cmd"), reverse("enterprises:list")))

    total = Enterprise.objects.filter(region__path__startswith=Region.objects.get(code="441602").path).count()
    assert total > 120
    # Every 40 rows the job's row said how far it got, against the total known before the first row
    assert seen == [(n, total) for n in range(40, total + 1, 40)] + [(total, total)]
    assert job.status == JobStatus.DONE and job.done == total


def test_the_progress_page_polls_while_the_job_runs(client_for, users):
    job = ExportJob.objects.create(user=users("hitech_cmd"), view_name="enterprises:list", title="企业台账",
                                   status=JobStatus.RUNNING, total=200, done=50)
    client = client_for("hitech_cmd")
    html = client.get(reverse("exports:detail", args=[job.pk])).content.decode()
    assert "已写入 50 / 200 行" in html and 'data-progress="25"' in html
    assert f'hx-get="{reverse("exports:detail", args=[job.pk])}"' in html and 'hx-trigger="every 1s"' in html
    # htmx gets the status block alone
    partial = client.get(reverse("exports:detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="export-status"') and "<html" not in partial
    # And a job not finished has nothing to download
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


# -- scope: never wider than the page ---------------------------------------------------------------


def test_a_grid_officers_export_holds_exactly_the_rows_of_their_page(client_for):
    client = client_for("grid_officer")
    job = job_of(start(client, reverse("enterprises:list")))
    exported = sorted(column(downloaded(client, job), "统一社会信用代码"))

    page = client.get(reverse("enterprises:list"))
    listed = sorted(page.context["page"].paginator.object_list.values_list("uscc", flat=True))
    grid = Region.objects.get(code=GRID1)
    in_grid = sorted(Enterprise.objects.filter(region__path__startswith=grid.path).values_list("uscc", flat=True))
    assert exported == listed == in_grid
    assert len(exported) < Enterprise.objects.filter(town__code="441602-GXQ").count()


def test_the_job_keeps_the_pages_filters(client_for):
    client = client_for("grid_officer")
    target = Enterprise.objects.filter(region__code=GRID1).order_by("pk").first()
    assert target is not None
    job = job_of(start(client, reverse("enterprises:list"), f"q={target.uscc}"))
    assert column(downloaded(client, job), "统一社会信用代码") == [target.uscc]


def test_filters_cannot_widen_the_scope(client_for):
    # Another grid asked for in the filters lists nothing (as on the page)
    other = Region.objects.get(code="441602-GXQ-IND02")
    assert Enterprise.objects.filter(region=other).exists()
    client = client_for("grid_officer")
    assert client.get(reverse("enterprises:list"), {"grid": other.pk}).context["page"].paginator.count == 0
    job = job_of(start(client, reverse("enterprises:list"), f"grid={other.pk}"))
    assert job.status == JobStatus.DONE and job.done == 0
    assert len(downloaded(client, job)) == 1  # the header row alone


def test_a_gate_outside_the_scope_fails_the_job_without_rows(client_for, users):
    from fugong.enterprises.models import Gate

    gate = Gate.objects.filter(enterprise__region__path__contains="/440784/").first() or Gate.objects.create(
        enterprise=Enterprise.objects.filter(region__path__contains="/440784/").first(), name="鹤山测试门岗")
    # The start only checks the permissions; the run finds the gate is not the officer's
    job = job_of(start(client_for("hitech_cmd"), reverse("gates:log", args=[gate.pk])))
    assert job.status == JobStatus.FAILED and job.error == services.NOT_FOUND and not job.file


def test_a_permission_withdrawn_before_the_job_runs_fails_it(users):
    # A job queued for someone who may no longer export (here: an employee) writes no file
    job = ExportJob.objects.create(user=users("employee"), view_name="enterprises:list", title="企业台账")
    services.export_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == services.NO_PERMISSION and not job.file


def test_a_job_is_not_run_twice(client_for):
    job = job_of(start(client_for("grid_officer"), reverse("enterprises:list")))
    name = job.file.name
    services.export_run(job.pk)  # the task delivered again
    job.refresh_from_db()
    assert job.file.name == name and job.status == JobStatus.DONE


# -- starting: refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["employee", "gate_guard", "ent_admin"])
def test_those_who_may_not_export_the_list_are_refused(client_for, username):
    before = ExportJob.objects.count()
    assert start(client_for(username), reverse("enterprises:list")).status_code == 403
    assert ExportJob.objects.count() == before


@pytest.mark.parametrize("path", ["/", "/enterprises/import/", "//evil.example/enterprises/", "https://evil.example/", "/nowhere/",
                                  "/people/me/"])
def test_only_lists_that_export_can_be_started(client_for, path):
    assert start(client_for("admin"), path).status_code == 403
    assert not ExportJob.objects.filter(user__username="admin").exists()


def test_start_is_a_post(client_for):
    assert client_for("hitech_cmd").get(reverse("exports:start")).status_code == 405


# -- owner only -------------------------------------------------------------------------------------


@pytest.mark.parametrize("other", ["admin", "county_cmd", "grid_officer", "employee"])
def test_another_users_job_is_not_found(client_for, other):
    job = job_of(start(client_for("hitech_cmd"), reverse("enterprises:list")))
    client = client_for(other)
    assert client.get(reverse("exports:detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404
    assert job.title not in client.get(reverse("exports:list")).content.decode() or other == "employee"


def test_signed_out_visitors_are_sent_to_sign_in(client, client_for):
    job = job_of(start(client_for("hitech_cmd"), reverse("enterprises:list")))
    for url in (reverse("exports:detail", args=[job.pk]), reverse("exports:download", args=[job.pk]), reverse("exports:list")):
        assert client.get(url).status_code == 302
    assert client.post(reverse("exports:start"), {"path": reverse("enterprises:list")}).status_code == 302


# -- the cells: masked as on the page, no formulas --------------------------------------------------


def test_the_person_ledger_job_masks_id_numbers_even_for_who_may_reveal_them(client_for, users):
    from fugong.workforce.models import Person

    # hitech_cmd may reveal one ID number on screen (audited); an export never holds them in full
    assert users("hitech_cmd").has_perm("workforce.reveal_id_number", Person.objects.filter(enterprise__town__code="441602-GXQ").first())
    client = client_for("hitech_cmd")
    job = job_of(start(client, reverse("workforce:list")))
    rows = downloaded(client, job)
    assert "身份证号（脱敏）" in rows[0] and "身份证号" not in rows[0]
    assert job.done == len(rows) - 1 > 0
    assert not any(FULL_ID.search(str(cell)) for row in rows for cell in row if cell is not None)
    # The same values as the page's own export: the job runs the page's exporter
    synchronous = rows_of(client.get(reverse("workforce:list"), {"export": "xlsx"}).content)
    assert sorted(rows[1:], key=str) == sorted(synchronous[1:], key=str)


def test_the_gate_ledger_job_writes_what_the_page_shows(client_for):
    from fugong.enterprises.models import Gate
    from fugong.gates.services import visitor_record

    guard = User.objects.get(username="gate_guard")
    gate = Gate.objects.get(pk=guard.memberships.get(role="gate").gate_id)
    visitor_record(gate=gate, direction="in", name="钱多多", phone="13812345678", company="顺达物流", purpose="送货", temperature="36.5",
                   acting_user=guard)
    client = client_for("ent_admin")
    job = job_of(start(client, reverse("gates:log", args=[gate.pk])))
    rows = downloaded(client, job)
    synchronous = rows_of(client.get(reverse("gates:log", args=[gate.pk]), {"export": "xlsx"}).content)
    assert rows == synchronous and "钱多多" in column(rows, "姓名/驾驶员")


def test_cells_that_excel_would_run_are_neutralised_and_numbers_stay_numbers(client_for):
    enterprise = Enterprise.objects.filter(region__code=GRID1).order_by("pk").first()
    assert enterprise is not None
    Enterprise.objects.filter(pk=enterprise.pk).update(name='=HYPERLINK("http://x","点击")', address="+86 高新区", legal_representative="-1+2",
                                                       contact_name="@SUM(A1)", contact_phone="\t=1+1", headcount=57)
    client = client_for("grid_officer")
    job = job_of(start(client, reverse("enterprises:list"), f"q={enterprise.uscc}"))
    rows = downloaded(client, job)
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["企业名称"] == "'=HYPERLINK(\"http://x\",\"点击\")"
    assert row["地址"] == "'+86 高新区" and row["法定代表人"] == "'-1+2" and row["防疫联系人"] == "'@SUM(A1)"
    assert row["联系电话"] == "'\t=1+1"
    assert row["员工总数"] == 57 and isinstance(row["员工总数"], int)


# -- keeping ----------------------------------------------------------------------------------------


def test_files_are_deleted_after_the_policys_keeping_time(client_for):
    from fugong.policy.services import current

    client = client_for("grid_officer")
    job = job_of(start(client, reverse("enterprises:list")))
    name = job.file.name
    keep = int(current(None).export_keep_hours)
    assert keep == 24
    # Still there within the keeping time
    assert services.export_purge(now=timezone.now() + timedelta(hours=keep - 1)) == 0
    assert default_storage.exists(name)
    # Gone after it, the job kept as expired, the download refused
    assert services.export_purge(now=timezone.now() + timedelta(hours=keep + 1)) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.EXPIRED and not job.file and not default_storage.exists(name)
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404
    assert 'data-testid="export-expired"' in client.get(reverse("exports:detail", args=[job.pk])).content.decode()


def test_a_file_past_its_time_is_not_served_before_the_purge_runs(client_for):
    client = client_for("grid_officer")
    job = job_of(start(client, reverse("enterprises:list")))
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_the_purge_is_scheduled_hourly():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["exports-purge-expired-files"]
    assert entry["task"] == "fugong.exports.purge_expired_exports" and entry["schedule"] == timedelta(hours=1)


# -- reading from the replica -----------------------------------------------------------------------


def test_the_job_reads_the_list_from_the_replica_when_there_is_one(client_for, users, monkeypatch):
    from django.http import HttpResponse

    from fugong.core import routers

    seen: list[str] = []
    original = services._call_list

    def spy(job: ExportJob) -> Any:
        seen.append(routers.read_alias())
        return original(job)

    monkeypatch.setattr(services, "_call_list", spy)
    # Without a replica: the primary
    job_of(start(client_for("grid_officer"), reverse("enterprises:list")))
    assert seen == ["default"]
    # With one (and no transaction open on the primary), the list is read there; the job's own
    # progress is written to the primary (the test has no replica to read: the list answers 404)
    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    monkeypatch.setattr(routers, "primary_in_transaction", lambda: False)
    monkeypatch.setattr(services, "_call_list", lambda job: seen.append(routers.read_alias()) or HttpResponse(status=404))
    job = ExportJob.objects.create(user=users("grid_officer"), view_name="enterprises:list", title="企业台账")
    services.export_run(job.pk)
    assert seen[-1] == "replica"
    assert routers.read_alias() == "default"  # outside the job, the primary again
