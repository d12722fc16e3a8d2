"""The audit log, for the platform admin."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from fugong.audit.models import AuditEntry
from fugong.audit.verification import verify_chain


@login_required
@permission_required("audit.view_audit", raise_exception=True)
@require_safe
def audit_list(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.all()
    if action := request.GET.get("action", "").strip():
        entries = entries.filter(action__startswith=action)
    if actor := request.GET.get("actor", "").strip():
        entries = entries.filter(actor_name__icontains=actor)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    report = verify_chain() if request.GET.get("verify") else None
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {"page": page, "report": report, "querystring": query.urlencode()})
