"""Starting, running and purging export jobs.

A job re-runs the very list view the user exported from — the same class, the same filters, the
same user — through :func:`_call_list`, exactly as ``?export=xlsx`` on the page does: the view's
permission checks, its object look-ups (a gate outside the scope is a 404), its scoped queryset
(``for_user``) and its exporter (the same masking as the page: names and ID numbers masked for the
roles that see them masked). Nothing here builds a queryset of its own, so an export can never be
wider than the page. It reads from the replica when one is configured
(:func:`fugong.core.routers.reading_from_replica`) and reports its progress through
:func:`fugong.core.excel.reporting_progress`.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.http import Http404, HttpResponse, QueryDict
from django.test import RequestFactory
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from fugong.audit.services import record
from fugong.core.excel import XLSX_CONTENT_TYPE, reporting_progress
from fugong.core.routers import independent_of_request, reading_from_replica
from fugong.core.views import ScopedListView
from fugong.exports.choices import JobStatus
from fugong.exports.models import ExportJob
from fugong.policy.services import current

logger = logging.getLogger(__name__)

MAX_QUERY = 2000  # characters of filters kept with a job (a list's query string is far shorter)
DROPPED_PARAMS = ("export", "page")  # the export is of every page; the page number is not a filter
PROGRESS_EVERY = 500  # rows between two progress writes
NOT_EXPORTABLE = "这个页面不能导出。"
NO_PERMISSION = "无导出权限。"
NOT_FOUND = "列表不存在或已不在您的管辖范围。"
BROKER_DOWN = "后台导出服务暂时不可用，请稍后再试。"
FAILED = "导出失败，请稍后重试；如多次失败，请联系管理员。"


class ExportRefused(Exception):
    """The list answered the job with something else than a ledger; the message is for the user."""


@dataclass(frozen=True)
class ListTarget:
    """An exportable list: its URL name and arguments, and its view class."""

    view_name: str
    kwargs: dict[str, Any]
    view_class: type[ScopedListView]


def exportable_list(path: str) -> ListTarget | None:
    """The list at ``path`` (a path of this site, without query) if it is a ScopedListView that
    exports; None otherwise."""
    if not path.startswith("/") or path.startswith("//"):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    view_class = getattr(match.func, "view_class", None)
    if (not isinstance(view_class, type) or not issubclass(view_class, ScopedListView) or not view_class.export_permission
            or match.args):
        return None
    return ListTarget(match.view_name, {key: str(value) if isinstance(value, uuid.UUID) else value for key, value in match.kwargs.items()},
                      view_class)


def clean_query(query: str) -> str:
    """The list's filters without the export flag and the page number."""
    params = QueryDict(query[:MAX_QUERY], mutable=True)
    for key in DROPPED_PARAMS:
        params.pop(key, None)
    return params.urlencode()


def may_export(user: Any, target: ListTarget) -> bool:
    """The list's own permission and its export permission (the scope is the list's, when it runs)."""
    view = target.view_class()
    return bool(user.has_perms(view.get_permission_required()) and user.has_perm(target.view_class.export_permission))


def export_start(*, user: Any, path: str, query: str = "", request: Any = None) -> ExportJob:
    """Queue the export of the list at ``path`` with the filters ``query`` for ``user``.

    Raises ValidationError when the page exports nothing and PermissionDenied when the user may
    not export it. Without a broker (the demo, the tests) the job has run when this returns.
    """
    target = exportable_list(path)
    if target is None:
        raise ValidationError(NOT_EXPORTABLE)
    if not may_export(user, target):
        raise PermissionDenied(NO_PERMISSION)
    with transaction.atomic():
        job = ExportJob.objects.create(user=user, created_by=user, view_name=target.view_name, view_kwargs=target.kwargs,
                                       query=clean_query(query), title=str(target.view_class.export_name)[:100])
        # The filters may hold a searched name: the audit keeps only which list was exported.
        record(action="export.start", actor=user, obj=job, object_label=job.title, request=request, data={"list": job.view_name})
    from fugong.exports.tasks import run_export

    try:
        started = run_export.delay(job_id=str(job.pk))
    except OperationalError:  # the broker is down: say so on the job's page
        ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=BROKER_DOWN, finished_at=timezone.now())
    else:
        ExportJob.objects.filter(pk=job.pk, task_id="").update(task_id=started.id or "")
    job.refresh_from_db()
    return job


class JobProgress:
    """Writes a job's progress to its row (:class:`fugong.core.excel.RowProgress`)."""

    every = PROGRESS_EVERY

    def __init__(self, job_id: Any) -> None:
        self.job_id = job_id
        self.total = 0
        self.done = 0

    def begin(self, total: int) -> None:
        self.total = total
        ExportJob.objects.filter(pk=self.job_id).update(total=total)

    def advance(self, done: int) -> None:
        self.done = done
        ExportJob.objects.filter(pk=self.job_id).update(done=done, total=Greatest(F("total"), done))


def _host() -> str:
    """A host the site answers to, for views that build absolute addresses."""
    for host in settings.ALLOWED_HOSTS:
        if host and not host.startswith((".", "*")):
            return host.strip("[]") if host.startswith("[") else host
    return "localhost"


def _call_list(job: ExportJob) -> HttpResponse:
    """The list view's own answer to ``?export=xlsx`` with the job's filters, for the job's user."""
    url = reverse(job.view_name, kwargs=job.view_kwargs)
    match = resolve(url)
    params = QueryDict(job.query, mutable=True)
    params["export"] = "xlsx"
    request = RequestFactory(SERVER_NAME=_host()).get(url, QUERY_STRING=params.urlencode())
    request.user = job.user
    request.session = SessionBase()  # an empty session: the job is not the user's browser
    request.resolver_match = match
    try:
        return match.func(request, *match.args, **match.kwargs)
    except PermissionDenied:
        raise ExportRefused(NO_PERMISSION) from None
    except Http404:
        raise ExportRefused(NOT_FOUND) from None


def _ledger(response: HttpResponse) -> tuple[bytes, str]:
    """The workbook and its file name from the list's answer."""
    if response.status_code == 403:
        raise ExportRefused(NO_PERMISSION)
    if response.status_code == 404:
        raise ExportRefused(NOT_FOUND)
    if response.status_code != 200 or response.get("Content-Type") != XLSX_CONTENT_TYPE:
        raise ExportRefused(NOT_EXPORTABLE)
    disposition = response.get("Content-Disposition", "")
    filename = unquote(disposition.split("''", 1)[1]) if "''" in disposition else "导出.xlsx"
    return response.content, filename


def _fail(job_id: Any, message: str) -> None:
    ExportJob.objects.filter(pk=job_id).update(status=JobStatus.FAILED, error=message, finished_at=timezone.now())


def export_run(job_id: Any) -> ExportJob | None:
    """Run one job: the list's rows for its user, read from the replica where there is one,
    written in chunks with the progress on the job's row, saved to the default storage.

    A job already finished (a task delivered twice) is not run again. A refusal (the permission
    was withdrawn, the gate left the scope) or an error marks the job failed with a message for
    its user; the error itself goes to the log.
    """
    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status not in (JobStatus.PENDING, JobStatus.RUNNING):
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now(), done=0, total=0)
    if not job.user.is_active:
        _fail(job.pk, NO_PERMISSION)
        return ExportJob.objects.get(pk=job.pk)
    progress = JobProgress(job.pk)
    try:
        with independent_of_request(), reading_from_replica(), reporting_progress(progress):
            content, filename = _ledger(_call_list(job))
        stored = default_storage.save(f"exports/{timezone.localdate():%Y/%m/%d}/{job.pk}.xlsx", ContentFile(content))
    except ExportRefused as refused:
        _fail(job.pk, str(refused))
    except Exception:
        logger.exception("export job %s failed", job.pk)
        _fail(job.pk, FAILED)
    else:
        ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, file=stored, filename=filename[:200], done=progress.done,
                                                   total=max(progress.total, progress.done), finished_at=timezone.now())
    return ExportJob.objects.get(pk=job.pk)


def keep_hours() -> int:
    return int(current(None).export_keep_hours)


def expires_at(job: ExportJob) -> datetime | None:
    """When the job's file is deleted (the base policy's ``export_keep_hours`` after it finished)."""
    return job.finished_at + timedelta(hours=keep_hours()) if job.finished_at else None


def export_purge(*, now: datetime | None = None) -> int:
    """Delete the files of jobs finished more than ``export_keep_hours`` ago; the jobs stay, marked
    expired, in their owners' lists. Returns how many files were deleted."""
    cutoff = (now or timezone.now()) - timedelta(hours=keep_hours())
    expired = list(ExportJob.objects.filter(status=JobStatus.DONE, finished_at__lt=cutoff).values_list("pk", "file"))
    for _pk, name in expired:
        if name:
            try:
                default_storage.delete(name)
            except OSError:  # already gone (another purge, a restored backup): the row is expired all the same
                logger.warning("export file %s could not be deleted", name)
    ExportJob.objects.filter(pk__in=[pk for pk, _name in expired]).update(status=JobStatus.EXPIRED, file="")
    return len(expired)
