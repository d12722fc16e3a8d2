"""The command centre's pages: the dashboard of the user's jurisdiction (and its JSON), the flags
ledger with each flag's reasons and history, the enterprise's public placard and its QR page, and
the daily summaries (list, generate, download).

Every object is looked up in ``for_user`` (out of scope is a 404); the dashboard reads the daily
rollups only; its figures link to the lists behind them."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership
from fugong.accounts.scope import scope_of
from fugong.command.choices import Flag
from fugong.command.exporters import export_flags
from fugong.command.filters import FlagFilter
from fugong.command.models import DailySummary, EnterpriseFlag, FlagChange
from fugong.command.placard import enterprise_of_token, placard_context, placard_figures
from fugong.command.selectors import Place, area_links, dashboard_figures, links_for, place_of, towns_of
from fugong.command.summaries import regions_with_enterprises, summary_generate
from fugong.core.routers import reading_from_replica
from fugong.core.views import ScopedListView
from fugong.enterprises.models import Enterprise
from fugong.regions.models import Region

SUMMARIES_SHOWN = 30


def _day_from(request: HttpRequest) -> date:
    """The day asked for (``?date=``), today when absent, unreadable or in the future."""
    today = timezone.localdate()
    try:
        return min(date.fromisoformat(request.GET.get("date", "")), today)
    except ValueError:
        return today


def _place(request: HttpRequest) -> tuple[Place, list[Region]]:
    """The dashboard's place: the user's jurisdiction, or one of its towns (``?town=``)."""
    scope = scope_of(request.user)
    towns = towns_of(scope) if (scope.is_admin or scope.command_paths or scope.reviewer_paths) else []
    town = None
    if request.GET.get("town"):
        town = next((t for t in towns if str(t.pk) == request.GET["town"]), None)
        if town is None:
            raise Http404("没有这个镇街，或不在您的辖区内。")
    place = place_of(scope, town)
    if place is None:
        raise PermissionDenied("您没有辖区，无法查看看板。")
    return place, towns


@login_required
@permission_required("command.view_dashboard", raise_exception=True)
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    place, towns = _place(request)
    day = _day_from(request)
    today = timezone.localdate()
    with reading_from_replica():  # the rollups may lag the primary by a moment (docs/deploy.md)
        figures = dashboard_figures(place, day)
    links = links_for(request.user, place, day) if day == today else {}
    for area in figures["areas"]:
        area["links"] = area_links(place, area["id"]) if day == today else {}
    chart = {"trend": figures["trend"], "areas": [{"name": a["name"], "resumed": a["resumed"], "enterprises": a["enterprises"],
                                                     "rate": a["resumption_rate"]} for a in figures["areas"]],
             "sectors": [{"name": s["name"], "resumed": s["resumed"], "enterprises": s["enterprises"]} for s in figures["sectors"]],
             "sizes": [{"name": s["name"], "resumed": s["resumed"], "enterprises": s["enterprises"], "rate": s["resumption_rate"]}
                       for s in figures["sizes"]],
             "origins": [{"name": n, "value": figures["totals"][k]} for k, n in ORIGINS],
             "isolation": [{"name": n, "value": figures["totals"][k]} for k, n in KINDS]}
    return render(request, "command/dashboard.html", {
        "place": place, "figures": figures, "t": figures["totals"], "links": links, "chart": chart, "day": day, "today": today,
        "is_today": day == today, "towns": towns, "town": request.GET.get("town", ""), "origins": ORIGINS, "kinds": KINDS,
    })


ORIGINS = [("returned_local", "本地未外出"), ("returned_same_city", "本市其他区"), ("returned_other_city", "省内其他城市"),
           ("returned_other_province", "外省")]
KINDS = [("iso_home", "居家隔离"), ("iso_enterprise", "企业观察区"), ("iso_central", "集中隔离点")]


@login_required
@permission_required("command.view_dashboard", raise_exception=True)
@require_safe
def dashboard_json(request: HttpRequest) -> JsonResponse:
    """The dashboard's figures as JSON (for the benchmark and other screens)."""
    place, _ = _place(request)
    day = _day_from(request)
    with reading_from_replica():
        figures = dashboard_figures(place, day)
    figures["links"] = links_for(request.user, place, day) if day == timezone.localdate() else {}
    return JsonResponse(figures, json_dumps_params={"ensure_ascii": False})


# -- flags ----------------------------------------------------------------------------------------


def serving(flags: list[EnterpriseFlag]) -> None:
    """Who serves each flag's enterprise: the grid officers of its place and the departments that
    reviewed (or review) its application (two queries for the page)."""
    from fugong.resumption.choices import Stage
    from fugong.resumption.models import ReviewStep

    regions = {f.enterprise.region_id for f in flags}
    officers: dict[int, list[str]] = {}
    for membership in Membership.objects.active().filter(role=Role.GRID, region_id__in=regions).select_related("user").order_by("pk"):
        officers.setdefault(membership.region_id, []).append(str(membership.user))  # type: ignore[arg-type]
    departments: dict[int, list[str]] = {}
    steps = ReviewStep.objects.filter(application__enterprise_id__in=[f.enterprise_id for f in flags], stage=Stage.DEPARTMENT).order_by(
        "application__enterprise_id", "-round", "order")
    for enterprise_id, department in steps.values_list("application__enterprise_id", "department__name"):
        names = departments.setdefault(enterprise_id, [])
        if department and department not in names:
            names.append(department)
    for flag in flags:
        flag.officers = officers.get(flag.enterprise.region_id, [])  # type: ignore[attr-defined]
        flag.departments = departments.get(flag.enterprise_id, [])  # type: ignore[attr-defined]


class FlagListView(ScopedListView):
    model = EnterpriseFlag
    filterset_class = FlagFilter
    permission_required = "command.list_flags"
    export_permission = "command.export_flags"
    export_name = "挂旗台账"
    template_name = "command/flags.html"
    table_template = "command/_flag_table.html"

    def base_queryset(self) -> QuerySet[EnterpriseFlag]:
        return super().base_queryset().select_related("enterprise__town", "enterprise__region").order_by("order", "enterprise__name")

    def export(self, queryset: QuerySet[EnterpriseFlag]) -> bytes:
        flags = list(queryset)
        serving(flags)
        return export_flags(flags)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = context["page"]
        page.object_list = list(page.object_list)
        serving(page.object_list)
        context["colours"] = Flag
        return context


flag_list = FlagListView.as_view()


@login_required
@permission_required("command.list_flags", raise_exception=True)
@require_safe
def flag_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One enterprise's flag: its reasons, who serves it, and its history (every change)."""
    enterprise = get_object_or_404(Enterprise.objects.for_user(request.user).select_related("town", "region"), pk=pk)
    flag = EnterpriseFlag.objects.filter(enterprise=enterprise).select_related("enterprise__region").first()
    if flag is not None:
        serving([flag])
    history = list(FlagChange.objects.filter(enterprise=enterprise).order_by("-changed_at", "-pk")[:100])
    return render(request, "command/flag.html", {"enterprise": enterprise, "flag": flag, "history": history})


# -- the placard ------------------------------------------------------------------------------------


@require_safe
def placard(request: HttpRequest, token: str) -> HttpResponse:
    """The public placard (每日一面牌子): no sign-in, a signed id; nothing personal on it."""
    pk = enterprise_of_token(token)
    enterprise = Enterprise.objects.filter(pk=pk).first() if pk is not None else None
    if enterprise is None:
        raise Http404("没有这块牌子。")
    return render(request, "command/placard.html", {"placard": placard_figures(enterprise, timezone.localdate())})


@login_required
@permission_required("command.view_placard", raise_exception=True)
@require_safe
def placard_enterprise(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise's placard with its QR code, to print and put up at the gate."""
    enterprise = get_object_or_404(Enterprise.objects.for_user(request.user), pk=pk)
    context = placard_context(enterprise, timezone.localdate(), request.build_absolute_uri("/"))
    return render(request, "command/placard_enterprise.html", {"enterprise": enterprise, **context})


@login_required
@require_safe
def placard_mine(request: HttpRequest) -> HttpResponse:
    """An enterprise admin's own placard (the first of their enterprises)."""
    ids = sorted(scope_of(request.user).enterprise_ids)
    if not ids:
        raise Http404("您没有所属企业。")
    return redirect("command:placard-enterprise", pk=ids[0])


# -- daily summaries ---------------------------------------------------------------------------------


def _summary_regions(user: Any) -> list[Region]:
    """The counties and towns the user may generate a summary of (those they command)."""
    if not user.has_perm("command.generate_summary"):
        return []
    scope = scope_of(user)
    regions = regions_with_enterprises()
    if scope.is_admin:
        return list(regions)
    return [r for r in regions if any(r.path.startswith(p) for p in scope.command_paths)]


@login_required
@permission_required("command.list_summaries", raise_exception=True)
@require_safe
def summary_list(request: HttpRequest) -> HttpResponse:
    summaries = DailySummary.objects.for_user(request.user).select_related("region").order_by("-day", "region__path")
    page = Paginator(summaries, SUMMARIES_SHOWN).get_page(request.GET.get("page"))
    return render(request, "command/summaries.html", {"page": page, "regions": _summary_regions(request.user),
                                                       "today": timezone.localdate()})


@login_required
@permission_required("command.generate_summary", raise_exception=True)
@require_POST
def summary_generate_view(request: HttpRequest) -> HttpResponse:
    regions = {str(r.pk): r for r in _summary_regions(request.user)}
    region = regions.get(request.POST.get("region", ""))
    if region is None:
        messages.error(request, "请选择您指挥的县区或镇街。")
        return redirect("command:summaries")
    try:
        summary = summary_generate(region=region, acting_user=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("command:summaries")
    messages.success(request, f"已生成{summary.region.name} {summary.day:%m月%d日}的每日图表。")
    return redirect("command:summaries")


@login_required
@permission_required("command.list_summaries", raise_exception=True)
@require_safe
def summary_pdf(request: HttpRequest, pk: int) -> FileResponse:
    summary = get_object_or_404(DailySummary.objects.for_user(request.user).select_related("region"), pk=pk)
    if not summary.file:
        raise Http404("该图表没有文件。")
    return FileResponse(summary.file.open("rb"), content_type="application/pdf", as_attachment=False,
                        filename=f"每日图表-{summary.region.name}-{summary.day:%Y%m%d}.pdf")
