"""Materials pages: the enterprise's overview (stock, days of supply, the daily count and the
received/used form), its movements, the officers' list of enterprises (shortest days, 短缺
filter, export), the stockpiles with their receive form, the allocation proposals, the ledger
(调拨台账) and the enterprise's 待接收调拨.

Pages are refused by role before any lookup (403); objects are looked up in the user's scope (out
of scope is a 404); every write is a service call; a refused POST renders the page again with what
was typed and says in Chinese what to fix."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fugong.accounts.scope import scope_of
from fugong.core.views import ScopedListView, xlsx_response
from fugong.enterprises.models import Enterprise
from fugong.materials.choices import AllocationStatus, SupplyState
from fugong.materials.exporters import export_allocations, export_supply
from fugong.materials.filters import AllocationFilter, MovementFilter, SupplyFilter
from fugong.materials.forms import CountForm, MovementForm, ProposeForm, StockpileMovementForm, apply_service_errors
from fugong.materials.models import Allocation, StockCount, StockMovement, Stockpile, StockpileMovement
from fugong.materials.selectors import catalogue, materials_status, stockpile_levels, stockpile_status, supply_overview
from fugong.materials.services import (
    allocation_cancel,
    allocation_confirm,
    allocation_proposals,
    allocation_receive,
    allocations_create,
    movement_record,
    stock_count_submit,
    stockpile_movement_record,
)

PAGE_SIZE = 25


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


@login_required
@permission_required("materials.view_materials", raise_exception=True)
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """防控物资: an enterprise admin goes to their enterprise's page, officers to the list."""
    scope = scope_of(request.user)
    if not scope.is_official and len(scope.enterprise_ids) == 1:
        return redirect("materials:enterprise", pk=next(iter(scope.enterprise_ids)))
    return redirect("materials:enterprises")


# -- the officers' list ----------------------------------------------------------------------------


class EnterpriseListView(ScopedListView):
    """Enterprises with their shortest days of supply, shortest first (those without people on
    site last); the 短缺 filter keeps those under the policy's minimum for some item. The figures
    are computed for every enterprise in scope at once (three grouped queries and the policy per
    town), then paged."""

    model = Enterprise
    filterset_class = SupplyFilter
    permission_required = "materials.view_materials"
    export_permission = "materials.export"
    export_name = "企业防控物资"
    template_name = "materials/enterprises.html"
    table_template = "materials/_enterprise_table.html"

    def base_queryset(self) -> QuerySet[Enterprise]:
        return Enterprise.objects.served_by(self.request.user).select_related("town", "region")  # type: ignore[no-any-return]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        filterset = self.filtered()
        queryset = filterset.queryset.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
        today = timezone.localdate()
        overview = supply_overview(queryset, today)
        supplies = list(overview.values())
        state = filterset.form.cleaned_data.get("state") if filterset.is_bound and filterset.is_valid() else ""
        if state == SupplyState.SHORT:
            supplies = [s for s in supplies if s.is_short]
        elif state == SupplyState.OK:
            supplies = [s for s in supplies if s.shortest_days is not None and not s.is_short]
        elif state == SupplyState.UNKNOWN:
            supplies = [s for s in supplies if s.shortest_days is None]
        supplies.sort(key=lambda s: (s.shortest_days is None, s.shortest_days or 0, s.enterprise.name))
        if request.GET.get("export") == "xlsx":
            if not request.user.has_perm("materials.export"):
                return HttpResponse("无导出权限。", status=403)
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            return xlsx_response(export_supply(supplies, catalogue()), f"{self.export_name}-{stamp}.xlsx")
        page = Paginator(supplies, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = self.get_context_data(filter=filterset, page=page, querystring=query.urlencode(), today=today,
                                        short_count=sum(1 for s in overview.values() if s.is_short), total=len(overview))
        if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "list-table":
            return self.response_class(request=request, template=[self.table_template], context=context)
        return self.render_to_response(context)


enterprise_list = EnterpriseListView.as_view()


# -- one enterprise --------------------------------------------------------------------------------


def _scoped_enterprise(request: HttpRequest, pk: int) -> Enterprise:
    return get_object_or_404(Enterprise.objects.served_by(request.user).select_related("town", "region"), pk=pk)


def _render_enterprise(request: HttpRequest, enterprise: Enterprise, *, count_form: CountForm | None = None,
                       movement_form: MovementForm | None = None, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    items = materials_status(enterprise, today)
    materials = [i.material for i in items]
    can_record = request.user.has_perm("materials.record_stock", enterprise)
    counted_today = {c.material_id: c for c in StockCount.objects.filter(enterprise=enterprise, date=today)}
    if can_record and count_form is None:
        initial = {i.material.code: _plain(counted_today[i.material.pk].counted if i.material.pk in counted_today else i.stock) for i in items}
        count_form = CountForm(materials=materials, initial_counts=initial)
    if can_record and movement_form is None:
        movement_form = MovementForm()
    incoming = (Allocation.objects.for_user(request.user).filter(enterprise=enterprise, status__in=[AllocationStatus.PROPOSED, AllocationStatus.CONFIRMED])
                .select_related("stockpile", "material").order_by("created_at"))
    headcount = items[0].headcount if items else 0
    return render(request, "materials/enterprise.html", {
        "enterprise": enterprise, "items": items, "today": today, "headcount": headcount,
        "minimum_days": items[0].minimum_days if items else 0, "short": [i for i in items if i.below_minimum],
        "count_form": count_form if can_record else None, "movement_form": movement_form if can_record else None,
        "counted_today": len(counted_today), "incoming": list(incoming),
        "can_receive": request.user.has_perm("materials.view_incoming"),
    }, status=status)


def _plain(value: Decimal) -> str:
    """A quantity as typed: 120 rather than 120.00."""
    return f"{value.normalize():f}" if value else "0"


@login_required
@permission_required("materials.view_materials", raise_exception=True)
@require_safe
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_enterprise(request, _scoped_enterprise(request, pk))


@login_required
@permission_required("materials.view_materials", raise_exception=True)
@require_safe
def movement_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The movements behind the stock figures, newest first; ``?material=mask`` for one item."""
    enterprise = _scoped_enterprise(request, pk)
    rows = StockMovement.objects.filter(enterprise=enterprise).select_related("material", "created_by", "allocation__stockpile")
    filterset = MovementFilter(request.GET or None, queryset=rows, request=request)
    queryset = filterset.qs if not filterset.is_bound or filterset.is_valid() else rows.none()
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    material = filterset.form.cleaned_data.get("material") if filterset.is_bound and filterset.is_valid() else None
    total = None
    if material is not None:
        total = sum((m.quantity for m in StockMovement.objects.filter(enterprise=enterprise, material=material).only("quantity")), Decimal(0))
    return render(request, "materials/movements.html", {"enterprise": enterprise, "filter": filterset, "page": page,
                                                        "querystring": query.urlencode(), "material": material, "total": total})


@login_required
@permission_required("materials.open_stock_forms", raise_exception=True)
@require_POST
def movement_add(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _scoped_enterprise(request, pk)
    if not request.user.has_perm("materials.record_stock", enterprise):
        raise PermissionDenied("只有本企业防疫专员可以登记物资出入库。")
    form = MovementForm(request.POST)
    if not form.is_valid():
        return _render_enterprise(request, enterprise, movement_form=form)
    data = form.cleaned_data
    try:
        movement = movement_record(enterprise=enterprise, material=data["material"], kind=data["kind"], quantity=data["quantity"],
                                   day=data["date"], note=data["note"], acting_user=request.user, request=request)
    except ValidationError as exc:
        apply_service_errors(form, exc, aliases={"date": "date"})
        return _render_enterprise(request, enterprise, movement_form=form)
    messages.success(request, f"已登记{movement.get_kind_display()}：{movement.material.name} {_plain(abs(movement.quantity))}{movement.material.unit}。")
    return redirect("materials:enterprise", pk=enterprise.pk)


@login_required
@permission_required("materials.open_stock_forms", raise_exception=True)
@require_POST
def count_view(request: HttpRequest, pk: int) -> HttpResponse:
    """每日盘点: the counted quantity per item; differences become "adjusted" movements."""
    enterprise = _scoped_enterprise(request, pk)
    if not request.user.has_perm("materials.record_stock", enterprise):
        raise PermissionDenied("只有本企业防疫专员可以盘点库存。")
    form = CountForm(request.POST, materials=catalogue())
    if not form.is_valid():
        return _render_enterprise(request, enterprise, count_form=form)
    try:
        result = stock_count_submit(enterprise=enterprise, counts=form.counts(), acting_user=request.user, request=request)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _render_enterprise(request, enterprise, count_form=form)
    if result.adjustments:
        changes = "；".join(f"{m.material.name} {'+' if m.quantity > 0 else ''}{_plain(m.quantity)}{m.material.unit}" for m in result.adjustments)
        messages.success(request, f"今日盘点已保存，库存已按实存调整：{changes}。")
    else:
        messages.success(request, f"今日盘点已保存（{result.counted} 项），账实相符，无需调整。")
    return redirect("materials:enterprise", pk=enterprise.pk)


# -- stockpiles ------------------------------------------------------------------------------------


@login_required
@permission_required("materials.list_stockpiles", raise_exception=True)
@require_safe
def stockpile_list(request: HttpRequest) -> HttpResponse:
    stockpiles = list(Stockpile.objects.for_user(request.user).select_related("region"))
    levels = stockpile_levels([s.pk for s in stockpiles])
    materials = catalogue()
    for stockpile in stockpiles:
        stockpile.levels = [(m, levels.get((stockpile.pk, m.pk), Decimal(0))) for m in materials]  # type: ignore[attr-defined]
    pending = (Allocation.objects.for_user(request.user).filter(stockpile__in=stockpiles, status=AllocationStatus.PROPOSED).count())
    return render(request, "materials/stockpiles.html", {"stockpiles": stockpiles, "materials": materials, "pending": pending})


def _scoped_stockpile(request: HttpRequest, pk: int) -> Stockpile:
    return get_object_or_404(Stockpile.objects.for_user(request.user).select_related("region"), pk=pk)


def _render_stockpile(request: HttpRequest, stockpile: Stockpile, *, form: StockpileMovementForm | None = None) -> HttpResponse:
    can_manage = request.user.has_perm("materials.manage_stockpile", stockpile)
    if can_manage and form is None:
        form = StockpileMovementForm()
    movements = StockpileMovement.objects.filter(stockpile=stockpile).select_related("material", "allocation__enterprise", "created_by")
    page = Paginator(movements, 50).get_page(request.GET.get("page"))
    return render(request, "materials/stockpile.html", {
        "stockpile": stockpile, "items": stockpile_status(stockpile), "form": form if can_manage else None, "page": page, "querystring": "",
        "can_manage": can_manage,
    })


@login_required
@permission_required("materials.list_stockpiles", raise_exception=True)
@require_safe
def stockpile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_stockpile(request, _scoped_stockpile(request, pk))


@login_required
@permission_required("materials.list_stockpiles", raise_exception=True)
@require_POST
def stockpile_receive(request: HttpRequest, pk: int) -> HttpResponse:
    stockpile = _scoped_stockpile(request, pk)
    if not request.user.has_perm("materials.manage_stockpile", stockpile):
        raise PermissionDenied("您无权管理该储备库。")
    form = StockpileMovementForm(request.POST)
    if not form.is_valid():
        return _render_stockpile(request, stockpile, form=form)
    data = form.cleaned_data
    try:
        movement = stockpile_movement_record(stockpile=stockpile, material=data["material"], kind=data["kind"], quantity=data["quantity"],
                                             note=data["note"], acting_user=request.user, request=request)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _render_stockpile(request, stockpile, form=form)
    messages.success(request, f"已登记{movement.get_kind_display()}：{movement.material.name} {_plain(movement.quantity)}{movement.material.unit}。")
    return redirect(stockpile)


# -- allocations -----------------------------------------------------------------------------------


def _proposal_lines(request: HttpRequest, stockpile: Stockpile) -> list[tuple[Enterprise, str]]:
    """The ticked enterprises (looked up in the stockpile's region and the user's scope) with the
    quantity typed for each (``q-<pk>``)."""
    ids = [value for value in request.POST.getlist("enterprise") if value.isdigit()]
    enterprises = (Enterprise.objects.served_by(request.user).filter(pk__in=ids, region__path__startswith=stockpile.region.path)
                   .select_related("region", "town"))
    return [(e, request.POST.get(f"q-{e.pk}", "")) for e in enterprises.order_by("name")]


@login_required
@permission_required("materials.allocate", raise_exception=True)
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    """Pick a stockpile and an item; the enterprises short of it are proposed by need (see
    :func:`~fugong.materials.services.allocation_proposals`); tick, adjust the quantities, and save
    them as proposals or confirm them at once."""
    stockpiles = Stockpile.objects.for_user(request.user).select_related("region")
    source = request.POST if request.method == "POST" else (request.GET or None)
    form = ProposeForm(source, stockpiles=stockpiles)
    proposals: list[Any] = []
    stockpile = material = None
    errors: list[str] = []
    typed: dict[str, str] = {}
    ticked: set[int] = set()
    if form.is_valid():
        stockpile, material = form.cleaned_data["stockpile"], form.cleaned_data["material"]
        if request.method == "POST":
            if not request.user.has_perm("materials.manage_stockpile", stockpile):
                raise PermissionDenied("只有储备库所在辖区的指挥部可以调拨。")
            lines = _proposal_lines(request, stockpile)
            confirm = request.POST.get("action") == "confirm"
            try:
                created = allocations_create(stockpile=stockpile, material=material, lines=lines, confirm=confirm, acting_user=request.user,
                                             note=request.POST.get("note", ""), request=request)
            except ValidationError as exc:
                errors = exc.messages
                typed = {key: str(value) for key, value in request.POST.items() if key.startswith("q-")}
                ticked = {int(v) for v in request.POST.getlist("enterprise") if v.isdigit()}
            else:
                total = sum((a.quantity for a in created), Decimal(0))
                verb = "确认调拨" if confirm else "保存调拨建议"
                messages.success(request, f"已{verb} {len(created)} 家企业，共 {_plain(total)}{material.unit}{material.name}。"
                                          + ("待企业确认接收。" if confirm else "请在下方确认。"))
                return redirect(f"{reverse('materials:propose')}?stockpile={stockpile.pk}&material={material.pk}")
        proposals = allocation_proposals(stockpile=stockpile, material=material)
        if not ticked and not typed:
            ticked = {p.enterprise.pk for p in proposals if p.quantity > 0}
    elif request.method == "POST":
        errors = [str(message) for field_errors in form.errors.values() for message in field_errors]
    pending = []
    levels = None
    if stockpile is not None and material is not None:
        pending = list(Allocation.objects.filter(stockpile=stockpile, material=material, status__in=[AllocationStatus.PROPOSED, AllocationStatus.CONFIRMED])
                       .select_related("enterprise", "material").order_by("status", "created_at"))
        levels = next((i for i in stockpile_status(stockpile) if i.material.pk == material.pk), None)
    rows = [{"p": p, "checked": p.enterprise.pk in ticked, "value": typed.get(f"q-{p.enterprise.pk}", _plain(p.quantity))} for p in proposals]
    return render(request, "materials/propose.html", {
        "form": form, "proposals": proposals, "rows": rows, "stockpile": stockpile, "material": material, "errors": errors, "typed": typed,
        "ticked": ticked, "pending": pending, "levels": levels,
    }, status=400 if errors else 200)


class AllocationListView(ScopedListView):
    """The ledger (调拨台账): what went where, with search, filters, paging and export."""

    model = Allocation
    filterset_class = AllocationFilter
    permission_required = "materials.view_materials"
    export_permission = "materials.export"
    export_name = "调拨台账"
    template_name = "materials/allocations.html"
    table_template = "materials/_allocation_table.html"

    def base_queryset(self) -> QuerySet[Allocation]:
        return super().base_queryset().select_related("stockpile__region", "enterprise__town", "material").order_by("-created_at", "-pk")

    def export(self, queryset: QuerySet[Allocation]) -> bytes:
        return export_allocations(queryset)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = context["page"]
        page.object_list = list(page.object_list)
        user = self.request.user
        for allocation in page.object_list:
            allocation.can_confirm = user.has_perm("materials.confirm_allocation", allocation)
            allocation.can_cancel = user.has_perm("materials.cancel_allocation", allocation)
            allocation.can_receive = user.has_perm("materials.receive_allocation", allocation)
        context["next"] = self.request.get_full_path()
        return context


allocation_list = AllocationListView.as_view()


@login_required
@permission_required("materials.view_incoming", raise_exception=True)
@require_safe
def incoming(request: HttpRequest) -> HttpResponse:
    """待接收调拨: the confirmed allocations to the user's enterprise(s), and the last received."""
    mine = Allocation.objects.for_user(request.user).select_related("stockpile", "enterprise", "material")
    waiting = list(mine.filter(status=AllocationStatus.CONFIRMED).order_by("confirmed_at"))
    received = list(mine.filter(status=AllocationStatus.RECEIVED).order_by("-received_at")[:20])
    return render(request, "materials/incoming.html", {"waiting": waiting, "received": received})


def _scoped_allocation(request: HttpRequest, pk: int) -> Allocation:
    return get_object_or_404(Allocation.objects.for_user(request.user).select_related("stockpile__region", "enterprise", "material"), pk=pk)


@login_required
@permission_required("materials.allocate", raise_exception=True)
@require_POST
def allocation_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = _scoped_allocation(request, pk)
    default = reverse("materials:allocations")
    if allocation.status != AllocationStatus.PROPOSED:
        messages.info(request, f"该调拨{allocation.get_status_display()}。")
        return _back(request, default)
    if not request.user.has_perm("materials.confirm_allocation", allocation):
        raise PermissionDenied("只有储备库所在辖区的指挥部可以确认调拨。")
    try:
        allocation_confirm(allocation=allocation, acting_user=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        what = f"{allocation.material.name} {_plain(allocation.quantity)}{allocation.material.unit}"
        messages.success(request, f"已确认调拨：{allocation.enterprise.name} {what}，待企业接收。")
    return _back(request, default)


@login_required
@permission_required("materials.allocate", raise_exception=True)
@require_POST
def allocation_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = _scoped_allocation(request, pk)
    default = reverse("materials:allocations")
    if not allocation.is_pending:
        messages.info(request, f"该调拨{allocation.get_status_display()}。")
        return _back(request, default)
    if not request.user.has_perm("materials.cancel_allocation", allocation):
        raise PermissionDenied("只有储备库所在辖区的指挥部可以取消调拨。")
    allocation_cancel(allocation=allocation, reason=request.POST.get("reason", ""), acting_user=request.user, request=request)
    messages.success(request, f"已取消调拨：{allocation.enterprise.name} {allocation.material.name}。")
    return _back(request, default)


@login_required
@permission_required("materials.view_incoming", raise_exception=True)
@require_POST
def allocation_receive_view(request: HttpRequest, pk: int) -> HttpResponse:
    """确认接收. A second POST (a double click, a retry) finds it received and changes nothing."""
    allocation = _scoped_allocation(request, pk)
    default = reverse("materials:incoming")
    if allocation.status == AllocationStatus.RECEIVED:
        messages.info(request, "该调拨已接收，无需重复确认。")
        return _back(request, default)
    if allocation.status != AllocationStatus.CONFIRMED:
        messages.error(request, f"该调拨{allocation.get_status_display()}，不能接收。")
        return _back(request, default)
    if not request.user.has_perm("materials.receive_allocation", allocation):
        raise PermissionDenied("只有接收企业的防疫专员可以确认接收。")
    try:
        result = allocation_receive(allocation=allocation, acting_user=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return _back(request, default)
    if result.received_now:
        what = f"{allocation.material.name} {_plain(allocation.quantity)}{allocation.material.unit}"
        messages.success(request, f"已接收{allocation.stockpile.name}调拨的{what}，已计入库存。")
    else:
        messages.info(request, "该调拨已接收，无需重复确认。")
    return _back(request, default)


