"""Patrol pages: the phone page an officer patrols with (who still needs a visit this week, start
a visit, continue an open one), the week's coverage per grid with the enterprises not visited
often enough (filters, Excel), and the plans and teams.

A visit is an inspection with the patrol checklist: it is filled in on the inspection phone page
(results, notes, photos) and its failed items become rectification items."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from fugong.core.views import xlsx_response
from fugong.enterprises.models import Enterprise
from fugong.inspections.choices import InspectionStatus, PlanKind, TemplateKind
from fugong.inspections.exporters import export_coverage
from fugong.inspections.forms import CoverageForm
from fugong.inspections.models import Inspection, PatrolPlan, PatrolTeam, RectificationItem
from fugong.inspections.patrols import (
    patrol_coverage,
    patrol_start,
    plan_requirement,
    scope_paths,
    week_label,
    week_start,
    zone_leader_rounds,
)
from fugong.inspections.selectors import find_enterprises

PHONE_LIST_LIMIT = 40


@login_required
@permission_required("inspections.patrol", raise_exception=True)
@require_safe
def patrol_home(request: HttpRequest) -> HttpResponse:
    """The patrol phone page: this week's enterprises of the officer's places still short of visits
    (not visited first), the visits left open, and a finder for any enterprise in scope."""
    user = request.user
    monday = week_start(timezone.localdate())
    coverage = patrol_coverage(scope_paths(user), monday)
    short = sorted((s for grid in coverage.grids for s in grid.short), key=lambda s: (s.visits, s.enterprise.region.path, s.enterprise.name))
    find = request.GET.get("find", "").strip()
    open_visits = (Inspection.objects.for_user(user).filter(template__kind=TemplateKind.PATROL, status=InspectionStatus.IN_PROGRESS,
                                                             inspector=user).select_related("enterprise").order_by("-created_at")[:10])
    return render(request, "inspections/patrol.html", {
        "coverage": coverage,
        "short": short[:PHONE_LIST_LIMIT],
        "short_total": len(short),
        "open_visits": list(open_visits),
        "teams": list(PatrolTeam.objects.filter(members__pk=request.user.pk or 0, active=True).select_related("leader", "region")),
        "find": find,
        "found": [enterprise for enterprise, _ in find_enterprises(user, find)] if find else [],
        "overdue": RectificationItem.objects.for_user(user).overdue(timezone.localdate()).count(),  # type: ignore[attr-defined]
    })


@login_required
@permission_required("inspections.patrol", raise_exception=True)
@require_POST
def patrol_start_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Start (or continue) a patrol visit of an enterprise in scope: on to the checklist."""
    enterprise = get_object_or_404(Enterprise.objects.for_user(request.user).select_related("region"), pk=pk)
    if not request.user.has_perm("inspections.start_patrol", enterprise):
        raise PermissionDenied("该企业不在您的巡查范围内。")
    try:
        visit = patrol_start(enterprise=enterprise, acting_user=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(f"{reverse('inspections:patrol')}?find={quote(enterprise.name)}")
    return redirect("inspections:detail", uuid=visit.uuid)


@login_required
@permission_required("inspections.view_patrol_coverage", raise_exception=True)
@require_safe
def patrol_coverage_view(request: HttpRequest) -> HttpResponse:
    """Coverage of a week per grid: enterprises due, visited, visits against N × enterprises, and
    the enterprises not visited (or fewer than N times); zone leaders' rounds; Excel."""
    form = CoverageForm(request.GET or None, user=request.user)
    valid = form.is_valid() if form.is_bound else False
    monday = form.cleaned_data["week"] if valid else week_start(timezone.localdate())
    chosen = form.chosen_region() if valid else None
    regions = [chosen] if chosen else scope_paths(request.user)
    coverage = patrol_coverage(regions, monday) if valid or not form.is_bound else patrol_coverage([], monday)
    if request.GET.get("export") == "xlsx":
        if not request.user.has_perm("inspections.export_patrol_coverage"):
            return HttpResponse("无导出权限。", status=403)
        return xlsx_response(export_coverage(coverage), f"巡查覆盖-{coverage.label}.xlsx")
    query = request.GET.copy()
    query.pop("export", None)
    return render(request, "inspections/patrol_coverage.html", {
        "form": form,
        "coverage": coverage,
        "rounds": zone_leader_rounds(regions, monday) if valid or not form.is_bound else [],
        "week_value": str(form.data.get("week", "")) if form.is_bound and not valid else week_label(monday),
        "querystring": query.urlencode(),
    })


@login_required
@permission_required("inspections.view_patrol_plans", raise_exception=True)
@require_safe
def patrol_plans(request: HttpRequest) -> HttpResponse:
    """The plans over the officer's places (with what each asks for this week, from the policy)
    and the patrol teams."""
    monday = week_start(timezone.localdate())
    plans = list(PatrolPlan.objects.for_user(request.user).select_related("region", "team__leader", "zone_leader")
                 .order_by("kind", "region__path", "name"))
    for plan in plans:
        plan.requirement = plan_requirement(plan, monday)  # type: ignore[attr-defined]
    teams = PatrolTeam.objects.for_user(request.user).select_related("leader", "region").prefetch_related("members").order_by("name")
    return render(request, "inspections/patrol_plans.html", {
        "enterprise_plans": [p for p in plans if p.kind == PlanKind.ENTERPRISES],
        "key_area_plans": [p for p in plans if p.kind == PlanKind.KEY_AREAS],
        "teams": list(teams),
    })
