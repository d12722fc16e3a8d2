"""Export jobs' pages: start (the lists' export button posts here), the job's progress page
(htmx asks again every second until it has finished), the download, and 'my exports'.

A job is addressed by its random UUID and looked up among the user's own jobs: another user's job
is "not found" (404), whatever their role.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from fugong.audit.services import record
from fugong.core.excel import XLSX_CONTENT_TYPE
from fugong.exports.models import ExportJob
from fugong.exports.services import expires_at, export_start, keep_hours


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """Start the export of the list at ``path`` with its filters ``query`` (the list's query
    string). 403 without the list's export permission, and for a page that exports nothing (the
    same answer whatever was posted: a refusal tells nothing about the pages)."""
    try:
        job = export_start(user=request.user, path=request.POST.get("path", ""), query=request.POST.get("query", ""), request=request)
    except ValidationError as refused:
        raise PermissionDenied(refused.messages[0]) from None
    return redirect("exports:detail", pk=job.pk)


def _own(request: HttpRequest, pk: UUID) -> ExportJob:
    return get_object_or_404(ExportJob.objects.for_user(request.user), pk=pk)


def _expired(job: ExportJob) -> bool:
    until = expires_at(job)
    return until is not None and until <= timezone.now()


@never_cache
@login_required
@require_safe
def detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    job = _own(request, pk)
    context = {"job": job, "expires_at": expires_at(job), "expired": _expired(job), "keep_hours": keep_hours()}
    template = "exports/_status.html" if request.headers.get("HX-Request") else "exports/detail.html"
    return render(request, template, context)


@never_cache
@login_required
@require_safe
def download(request: HttpRequest, pk: UUID) -> FileResponse:
    """The job's file, for its owner only, until it expires. Each download is audited."""
    job = _own(request, pk)
    if not job.downloadable or _expired(job) or not default_storage.exists(job.file.name):
        raise Http404("文件不存在或已过期，请重新导出。")
    record(action="export.download", actor=request.user, obj=job, object_label=job.title, request=request, data={"list": job.view_name})
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename or f"{job.title}.xlsx", content_type=XLSX_CONTENT_TYPE)


@login_required
@permission_required("exports.list_own_exports", raise_exception=True)
@require_safe
def job_list(request: HttpRequest) -> HttpResponse:
    """The user's own export jobs, newest first."""
    jobs = list(ExportJob.objects.for_user(request.user)[:50])
    return render(request, "exports/list.html", {"jobs": jobs, "keep_hours": keep_hours()})
