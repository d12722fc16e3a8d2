"""Roster import pages (花名册导入): upload, a progress page that polls the background task, the
error report, and the template.

The upload is checked (type, size from policy, content), saved to the default storage and handed
to ``import_roster_task``; the user is sent to a progress page whose address carries a signed
*ticket* naming the task, the user and the enterprise. The ticket is what keeps one user from
following another's import: it is signed (it cannot be made up or altered), it names its user
(another signed-in user gets a 404) and its enterprise (which must still be in the user's scope).
Without Redis the task runs at once (Celery eager): the result is then already in the ticket;
with a worker the page asks Celery for the task's state every second (PROGRESS → done/total).
"""

from __future__ import annotations

import uuid
from typing import Any

from celery.result import AsyncResult, EagerResult
from django.contrib.auth.decorators import login_required, permission_required
from django.core import signing
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from kombu.exceptions import OperationalError

from fugong.core.uploads import display_name
from fugong.core.views import xlsx_response
from fugong.enterprises.models import Enterprise
from fugong.policy.services import current
from fugong.workforce.forms import RosterUploadForm
from fugong.workforce.importers import template_workbook
from fugong.workforce.tasks import REPORT_DIR, import_roster_task

TICKET_SALT = "fugong.workforce.roster-import.v1"
TICKET_MAX_AGE = 7 * 24 * 3600  # a week: long enough to come back for the error report
UPLOAD_DIR = "workforce/roster-uploads"


def make_ticket(*, task_id: str, user: Any, enterprise: Enterprise, filename: str, result: dict[str, Any] | None = None) -> str:
    """The signed reference to one import, for its progress page and error report."""
    return signing.dumps({"t": task_id, "u": user.pk, "e": enterprise.pk, "f": filename, "r": result}, salt=TICKET_SALT, compress=True)


def _enterprises(request: HttpRequest) -> QuerySet[Enterprise]:
    """The enterprises whose roster the user may import: in scope, and allowed by the rule."""
    scoped = Enterprise.objects.for_user(request.user).select_related("region").order_by("name")
    allowed = [e.pk for e in scoped if request.user.has_perm("workforce.import_roster", e)]
    return Enterprise.objects.filter(pk__in=allowed).order_by("name")


@login_required
@permission_required("workforce.keep_roster", raise_exception=True)
@require_http_methods(["GET", "POST"])
def roster_import(request: HttpRequest) -> HttpResponse:
    enterprises = _enterprises(request)
    max_mb = int(current(None).upload_max_mb)
    initial = {"enterprise": request.GET.get("enterprise")} if request.GET.get("enterprise", "").isdigit() else {}
    form = RosterUploadForm(request.POST or None, request.FILES or None, enterprises=enterprises, max_mb=max_mb, initial=initial)
    if request.method == "POST" and form.is_valid():
        enterprise: Enterprise = form.cleaned_data["enterprise"]
        upload = form.cleaned_data["file"]
        filename = display_name(upload.name or "")
        extension = filename.rsplit(".", 1)[-1].lower()
        # A generated name: the user's file name never becomes a path on the server.
        stored = default_storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}.{extension}", upload)
        try:
            started = import_roster_task.delay(enterprise_id=enterprise.pk, storage_name=stored, filename=filename,
                                               acting_user_id=request.user.pk)
        except OperationalError:  # the broker is down: say so, and keep nothing of the upload
            default_storage.delete(stored)
            form.add_error(None, "后台导入服务暂时不可用，文件未导入，请稍后再试。")
        else:
            # Without a broker Celery ran the task already (eager): keep its answer in the ticket.
            result = started.get() if isinstance(started, EagerResult) else None
            ticket = make_ticket(task_id=started.id, user=request.user, enterprise=enterprise, filename=filename, result=result)
            return redirect("workforce:roster-progress", ticket=ticket)
    return render(request, "workforce/roster_import.html", {"form": form, "max_mb": max_mb})


def _ticket(request: HttpRequest, ticket: str) -> tuple[dict[str, Any], Enterprise]:
    """The ticket's content if it is genuine, is the user's own and names an enterprise the user
    still may import into; 404 otherwise (another user's import is "not found")."""
    try:
        data = signing.loads(ticket, salt=TICKET_SALT, max_age=TICKET_MAX_AGE)
    except signing.BadSignature:
        raise Http404("导入记录不存在或已过期。") from None
    if not isinstance(data, dict) or data.get("u") != request.user.pk:
        raise Http404("导入记录不存在或已过期。")
    enterprise = Enterprise.objects.for_user(request.user).filter(pk=data.get("e")).first()
    if enterprise is None or not request.user.has_perm("workforce.import_roster", enterprise):
        raise Http404("导入记录不存在或已过期。")
    return data, enterprise


def _state(data: dict[str, Any]) -> dict[str, Any]:
    """Where the import stands: finished (with its counts), running (done/total), waiting or failed."""
    if data.get("r") is not None:
        return {"finished": True, "result": data["r"]}
    task = AsyncResult(data["t"], app=import_roster_task.app)
    try:
        state = task.state
    except NotImplementedError:  # no result backend: nothing more will ever be known
        return {"finished": True, "failed": True}
    if state == "SUCCESS":
        return {"finished": True, "result": task.result}
    if state in ("FAILURE", "REVOKED"):
        return {"finished": True, "failed": True}
    info = task.info if state == "PROGRESS" and isinstance(task.info, dict) else {}
    done, total = int(info.get("done", 0)), int(info.get("total", 0))
    percent = min(100, done * 100 // total) if total else 0
    return {"finished": False, "running": state == "PROGRESS", "done": done, "total": total, "percent": percent}


@never_cache
@login_required
@permission_required("workforce.keep_roster", raise_exception=True)
@require_safe
def roster_progress(request: HttpRequest, ticket: str) -> HttpResponse:
    """The import's progress; htmx asks again every second until it has finished."""
    data, enterprise = _ticket(request, ticket)
    state = _state(data)
    report_url = ""
    if state.get("result") and state["result"].get("report"):
        # The finished ticket carries the result, so the report no longer needs the task backend.
        finished = make_ticket(task_id=data["t"], user=request.user, enterprise=enterprise, filename=data.get("f", ""), result=state["result"])
        report_url = reverse("workforce:roster-report", kwargs={"ticket": finished})
    context = {"state": state, "enterprise": enterprise, "filename": data.get("f", ""), "report_url": report_url}
    template = "workforce/roster_status.html" if request.headers.get("HX-Request") else "workforce/roster_progress.html"
    return render(request, template, context)


@never_cache
@login_required
@permission_required("workforce.keep_roster", raise_exception=True)
@require_safe
def roster_report(request: HttpRequest, ticket: str) -> FileResponse:
    """The error report of the user's own import (refused rows with reasons, rows to check)."""
    data, _enterprise = _ticket(request, ticket)
    name = str((data.get("r") or {}).get("report") or "")
    # Only a name the task wrote (the ticket is signed), and only in the task's folder.
    if not name.startswith(f"{REPORT_DIR}/") or ".." in name or not default_storage.exists(name):
        raise Http404("没有可下载的错误报告。")
    stem = (data.get("f") or "花名册").rsplit(".", 1)[0]
    return FileResponse(default_storage.open(name, "rb"), as_attachment=True, filename=f"{stem}-错误报告.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@login_required
@permission_required("workforce.keep_roster", raise_exception=True)
@require_safe
def roster_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(template_workbook(), "花名册导入模板.xlsx")

