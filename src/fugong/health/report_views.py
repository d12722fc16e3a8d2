"""Daily-report pages: the enterprise's page (today's report filled in from the data, confirm,
zero report in one click, history) and the town's page (every enterprise that must report, with
reported / zero / not reported for a day, the "未报送" filter, counts, Excel export).

Enterprises are looked up in ``Enterprise.objects.served_by`` (another town's is a 404); filing
goes through ``health.reports``; a refusal renders the page again with the note as typed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from fugong.accounts.scope import scope_of
from fugong.core.views import ScopedListView
from fugong.enterprises.models import Enterprise
from fugong.health.choices import AlertKind, AlertStatus, ReportStatus
from fugong.health.models import Alert, DailyReport
from fugong.health.report_exporters import export_report_status
from fugong.health.report_filters import STATE_Q, ReportState, ReportStatusFilter, state_of
from fugong.health.reports import (
    FILED,
    daily_report_confirm,
    daily_report_figures,
    daily_report_zero,
    deadline_of,
    must_report,
    returned_rows,
    with_report_status,
)

HISTORY_DAYS = 30  # how many past reports the enterprise's page lists


def _day_from(request: HttpRequest) -> date:
    """The day asked for (``?date=``), today when absent, unreadable or in the future."""
    today = timezone.localdate()
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return today
    return min(day, today)


class ReportStatusView(ScopedListView):
    model = Enterprise
    filterset_class = ReportStatusFilter
    permission_required = "health.view_report_status"
    export_permission = "health.view_report_status"
    export_name = "企业日报报送情况"
    template_name = "health/report_status.html"
    table_template = "health/report_status_table.html"

    def filtered(self) -> Any:
        # The form shows the day the page is about, also when the address does not name one.
        data = self.request.GET.copy()
        data["date"] = _day_from(self.request).isoformat()
        return self.filterset_class(data, queryset=self.base_queryset(), request=self.request)

    def base_queryset(self) -> QuerySet[Enterprise]:
        # The enterprises one serves (command, grid, own), as DailyReport.objects.for_user: a
        # reviewer's jurisdiction reaches no enterprise's reports.
        scoped = must_report(Enterprise.objects.served_by(self.request.user))
        return with_report_status(scoped, _day_from(self.request)).select_related("town", "region").order_by("town__name", "name")

    def export(self, queryset: QuerySet[Enterprise]) -> bytes:
        return export_report_status(queryset, _day_from(self.request))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        day = _day_from(self.request)
        now = timezone.now()
        deadlines: dict[Any, Any] = {}
        page = context["page"]
        page.object_list = list(page.object_list)
        for enterprise in page.object_list:
            enterprise.state = state_of(enterprise.report_status)
            enterprise.deadline = deadline_of(enterprise, day, deadlines)
            enterprise.late = enterprise.state == ReportState.MISSING and now >= enterprise.deadline
        counts = self.base_queryset().order_by().aggregate(
            total=Count("pk"), **{state.value: Count("pk", filter=STATE_Q[state]) for state in ReportState})
        context.update(day=day, today=timezone.localdate(), counts=counts, states=ReportState)
        return context


report_status = ReportStatusView.as_view()


@login_required
@require_safe
def report_mine(request: HttpRequest) -> HttpResponse:
    """The daily report entry of the menu: an enterprise admin goes to their enterprise's page,
    an officer to the town's page."""
    scope = scope_of(request.user)
    if scope.enterprise_ids and not scope.is_admin:
        return redirect("health:report-enterprise", pk=min(scope.enterprise_ids))
    if request.user.has_perm("health.view_report_status"):
        return redirect("health:report-status")
    raise PermissionDenied("日报由企业防疫专员报送、辖区指挥部和网格查看。")


def _enterprise(request: HttpRequest, pk: int) -> Enterprise:
    return get_object_or_404(Enterprise.objects.served_by(request.user).select_related("region", "town"), pk=pk)


def _render_enterprise(request: HttpRequest, enterprise: Enterprise, *, errors: list[str] | None = None, note: str | None = None) -> HttpResponse:
    today = timezone.localdate()
    figures = daily_report_figures(enterprise, today)
    report = DailyReport.objects.for_user(request.user).filter(enterprise=enterprise, date=today).first()
    filed = report is not None and report.status in FILED
    deadline = deadline_of(enterprise, today)
    changed = filed and report is not None and (report.on_site, report.in_isolation, report.fever_cases) != (
        figures.on_site, figures.in_isolation, figures.fever_cases)
    history = list(DailyReport.objects.for_user(request.user).filter(enterprise=enterprise).select_related("submitted_by")
                   .order_by("-date")[:HISTORY_DAYS])
    for past in history:
        past.returned_rows = returned_rows(past.returned_today or {})  # type: ignore[attr-defined]
        past.returned_total = sum((past.returned_today or {}).values())  # type: ignore[attr-defined]
    others = Enterprise.objects.filter(pk__in=scope_of(request.user).enterprise_ids).exclude(pk=enterprise.pk).order_by("name")
    return render(request, "health/report_enterprise.html", {
        "enterprise": enterprise, "today": today, "figures": figures, "returned": returned_rows(figures.returned_today),
        "report": report, "filed": filed, "changed": changed, "deadline": deadline, "late": not filed and timezone.now() >= deadline,
        "must_report": must_report(Enterprise.objects.filter(pk=enterprise.pk)).exists(),
        "can_file": request.user.has_perm("health.file_daily_report_for", enterprise),
        "missing_alert": Alert.objects.filter(enterprise=enterprise, date=today, kind=AlertKind.MISSING_REPORT, status=AlertStatus.OPEN).first(),
        "history": history, "errors": errors or [], "note": note if note is not None else (report.note if report else ""),
        "others": others, "statuses": ReportStatus,
    })


@login_required
@permission_required("health.view_daily_reports", raise_exception=True)
@require_safe
def report_enterprise(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_enterprise(request, _enterprise(request, pk))


def _file(request: HttpRequest, pk: int, *, zero: bool) -> HttpResponse:
    enterprise = _enterprise(request, pk)
    note = request.POST.get("note", "")
    try:
        if zero:
            daily_report_zero(enterprise=enterprise, acting_user=request.user, request=request)
        else:
            daily_report_confirm(enterprise=enterprise, note=note, acting_user=request.user, request=request)
    except ValidationError as exc:
        return _render_enterprise(request, enterprise, errors=exc.messages, note=note)
    messages.success(request, "已报送零报告。" if zero else "今日日报已确认报送。")
    return redirect("health:report-enterprise", pk=enterprise.pk)


@login_required
@permission_required("health.file_daily_report", raise_exception=True)
@require_POST
def report_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _file(request, pk, zero=False)


@login_required
@permission_required("health.file_daily_report", raise_exception=True)
@require_POST
def report_zero(request: HttpRequest, pk: int) -> HttpResponse:
    return _file(request, pk, zero=True)

