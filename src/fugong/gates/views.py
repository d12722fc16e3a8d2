"""Gate pages: the list of the user's gates, the phone page a guard keeps open all day (scan a
pass with the camera or type its code, temperature, 进/出; visitors; vehicles), and the gate's log.

Every gate is looked up in :func:`~fugong.gates.selectors.visible_gates` (another gate is a 404);
recording is refused before the lookup to anyone who guards no gate (the same 403 for every
gate). The three forms post with htmx and get back the form (cleared after a record, as typed
with the errors after a refusal), the big answer, the day's counts and the short log, so the page
stays open for the next person; without JavaScript the same posts render the whole page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from fugong.accounts.choices import Role
from fugong.accounts.scope import scope_of
from fugong.core.views import ScopedListView
from fugong.enterprises.choices import GateKind
from fugong.enterprises.models import Gate
from fugong.gates.exporters import export_passages
from fugong.gates.filters import PassageFilter
from fugong.gates.forms import GateForm, ScanForm, VehicleForm, VisitorForm
from fugong.gates.models import Passage
from fugong.gates.selectors import counts_by_gate, counts_of, recent_at, visible_gates
from fugong.gates.services import GateAnswer, gate_scan, vehicle_record, visitor_record

TABS = ("scan", "visitor", "vehicle")
FORMS: dict[str, type[GateForm]] = {"scan": ScanForm, "visitor": VisitorForm, "vehicle": VehicleForm}


def _gate(request: HttpRequest, pk: int) -> Gate:
    return get_object_or_404(visible_gates(request.user), pk=pk)


# -- the user's gates -----------------------------------------------------------------------------

@login_required
@permission_required("gates.view_gates", raise_exception=True)
@require_safe
def gate_index(request: HttpRequest) -> HttpResponse:
    """The gates the user works with and each one's figures today. A guard of one gate (and
    nothing else) goes straight to its page."""
    scope = scope_of(request.user)
    only_a_guard = not scope.is_admin and scope.roles == frozenset({Role.GATE})
    gates = visible_gates(request.user).order_by("kind", "enterprise__name", "region__name", "name")
    if only_a_guard and len(scope.gate_ids) == 1:
        return redirect("gates:gate", pk=next(iter(scope.gate_ids)))
    find = request.GET.get("q", "").strip()
    if find:
        gates = gates.filter(Q(name__icontains=find) | Q(enterprise__name__icontains=find) | Q(region__name__icontains=find))
    kind = request.GET.get("kind", "")
    if kind in GateKind.values:
        gates = gates.filter(kind=kind)
    page = Paginator(gates, 25).get_page(request.GET.get("page"))
    today = timezone.localdate()
    counts = counts_by_gate([gate.pk for gate in page.object_list], today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "gates/index.html", {
        "page": page, "rows": [(gate, counts[gate.pk]) for gate in page.object_list], "find": find, "kind": kind,
        "kinds": GateKind.choices, "today": today, "querystring": query.urlencode(),
    })


# -- the gate's phone page ------------------------------------------------------------------------

def _page_context(request: HttpRequest, gate: Gate, *, tab: str = "scan", forms: dict[str, GateForm] | None = None,
                  answer: GateAnswer | None = None) -> dict[str, Any]:
    today = timezone.localdate()
    forms = forms or {}
    return {
        "gate": gate,
        "tab": tab if tab in TABS else "scan",
        "scan_form": forms.get("scan") or ScanForm(),
        "visitor_form": forms.get("visitor") or VisitorForm(),
        "vehicle_form": forms.get("vehicle") or VehicleForm(),
        "answer": answer,
        "counts": counts_of(Passage.objects.filter(gate=gate, date=today)),
        "recent": recent_at(gate, today),
        "can_record": request.user.has_perm("gates.record_passage", gate),
        "names_visible": request.user.has_perm("gates.see_visitor_details", gate),
        "today": today,
    }


@login_required
@permission_required("gates.view_gates", raise_exception=True)
@require_safe
def gate_page(request: HttpRequest, pk: int) -> HttpResponse:
    gate = _gate(request, pk)
    return render(request, "gates/gate.html", _page_context(request, gate, tab=request.GET.get("tab", "scan")))


def _record(request: HttpRequest, pk: int, tab: str) -> HttpResponse:
    """Every post of the page: the tab's form, its service, and the answer."""
    gate = _gate(request, pk)
    if not request.user.has_perm("gates.record_passage", gate):
        raise PermissionDenied("您不是该门岗的值守人员，不能在此登记。")
    form = FORMS[tab](request.POST)
    answer: GateAnswer | None = None
    if form.is_valid():
        values = dict(form.cleaned_data)
        values["direction"] = request.POST.get("direction", "")
        try:
            if tab == "scan":
                answer = gate_scan(gate=gate, acting_user=request.user, request=request, **values)
            elif tab == "visitor":
                answer = visitor_record(gate=gate, acting_user=request.user, request=request, **values)
            else:
                answer = vehicle_record(gate=gate, acting_user=request.user, request=request, **values)
        except ValidationError as exc:
            form.apply_errors(exc)
    # Recorded: a blank form for the next person. Refused: the form as typed, with what to fix.
    forms = {tab: form} if answer is None else {}
    context = _page_context(request, gate, tab=tab, forms=forms, answer=answer)
    context["posted"] = tab
    if request.headers.get("HX-Request"):
        return render(request, "gates/_posted.html", context)
    return render(request, "gates/gate.html", context)


@login_required
@permission_required("gates.use_gate", raise_exception=True)
@require_POST
def scan(request: HttpRequest, pk: int) -> HttpResponse:
    return _record(request, pk, "scan")


@login_required
@permission_required("gates.use_gate", raise_exception=True)
@require_POST
def visitor(request: HttpRequest, pk: int) -> HttpResponse:
    return _record(request, pk, "visitor")


@login_required
@permission_required("gates.use_gate", raise_exception=True)
@require_POST
def vehicle(request: HttpRequest, pk: int) -> HttpResponse:
    return _record(request, pk, "vehicle")


# -- the gate's log -------------------------------------------------------------------------------

class GateLogView(ScopedListView):
    """The gate's log for a day (today unless the address says otherwise), with search, filters,
    paging and, for the enterprise and the officers, the Excel ledger."""

    model = Passage
    filterset_class = PassageFilter
    permission_required = "gates.view_gates"
    export_permission = "gates.export_passages"
    template_name = "gates/log.html"
    table_template = "gates/_log_table.html"
    paginate_by = 30
    gate: Gate

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.gate = _gate(request, kwargs["pk"])
        self.names_visible = request.user.has_perm("gates.see_visitor_details", self.gate)
        self.export_name = f"出入登记台账-{self.gate.name}"
        return super().get(request, *args, **kwargs)

    def base_queryset(self) -> QuerySet[Passage]:
        return (super().base_queryset().filter(gate=self.gate)
                .select_related("gate", "person", "enterprise", "recorded_by").order_by("-at"))

    def filtered(self) -> Any:
        data = self.request.GET.copy()
        if "date" not in data:
            data["date"] = timezone.localdate().isoformat()
        return self.filterset_class(data, queryset=self.base_queryset(), request=self.request, names_visible=self.names_visible)

    def export(self, queryset: QuerySet[Passage]) -> bytes:
        return export_passages(queryset, names_visible=self.names_visible)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(gate=self.gate, names_visible=self.names_visible,
                       counts=counts_of(context["page"].paginator.object_list.order_by()))
        return context


gate_log = GateLogView.as_view()
