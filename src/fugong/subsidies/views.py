"""Subsidy pages: the applications list (with its Excel ledger), the schemes and their rules, an
enterprise's computed subsidies with the apply form, an application with the approve and reject
forms, the totals per scheme, and a scheme's payment list (发放清单) as Excel.

Every object is looked up in ``for_user`` (out of scope is a 404); every write is a service call;
a refused POST renders the page again with what was typed and says in Chinese what to fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from fugong.core.masking import mask_name
from fugong.core.views import ScopedListView, xlsx_response
from fugong.enterprises.models import Enterprise
from fugong.quarantine.forms import apply_service_errors
from fugong.subsidies.calculation import Computation, describe
from fugong.subsidies.choices import ApplicationStatus, RuleKind
from fugong.subsidies.exporters import export_applications, export_payment_list
from fugong.subsidies.filters import ApplicationFilter
from fugong.subsidies.forms import ApplyForm, ApproveForm, RejectForm
from fugong.subsidies.models import SubsidyApplication, SubsidyLine, SubsidyRule, SubsidyScheme
from fugong.subsidies.querysets import SchemeQuerySet
from fugong.subsidies.selectors import compute_for, open_application, payment_lines, scheme_totals
from fugong.subsidies.services import application_approve, application_reject, application_submit, clean_rent

VIEW = "subsidies.view_subsidies"


def _schemes(user: Any) -> SchemeQuerySet:
    scoped = cast(SchemeQuerySet, SubsidyScheme.objects.for_user(user))
    return scoped.select_related("region").prefetch_related(Prefetch("rules", queryset=SubsidyRule.objects.order_by("order", "pk")))


# -- the applications ------------------------------------------------------------------------------

class ApplicationListView(ScopedListView):
    model = SubsidyApplication
    filterset_class = ApplicationFilter
    permission_required = VIEW
    export_permission = "subsidies.export_applications"
    export_name = "补贴申请台账"
    template_name = "subsidies/list.html"
    table_template = "subsidies/_table.html"

    def base_queryset(self) -> QuerySet[SubsidyApplication]:
        return super().base_queryset().select_related("scheme", "enterprise__town").order_by("-submitted_at")

    def export(self, queryset: QuerySet[SubsidyApplication]) -> bytes:
        return export_applications(queryset)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if not self.request.headers.get("HX-Request"):
            user = self.request.user
            # An enterprise admin goes to its computed subsidies from here (one link per enterprise).
            context["own_enterprises"] = list(Enterprise.objects.filter(pk__in=_enterprise_ids(user)).order_by("name"))
            context["pending_count"] = SubsidyApplication.objects.for_user(user).filter(status=ApplicationStatus.PENDING).count()
        return context


def _enterprise_ids(user: Any) -> frozenset[int]:
    from fugong.accounts.scope import scope_of

    return scope_of(user).enterprise_ids


application_list = ApplicationListView.as_view()


def _scoped_application(request: HttpRequest, uuid: Any) -> SubsidyApplication:
    return get_object_or_404(
        SubsidyApplication.objects.for_user(request.user).select_related("scheme__region", "enterprise__region", "enterprise__town",
                                                                        "decided_by"),
        pk=uuid,
    )


def _render_detail(request: HttpRequest, application: SubsidyApplication, *, approve_form: ApproveForm | None = None,
                   reject_form: RejectForm | None = None, status: int = 200) -> HttpResponse:
    can_decide = application.is_pending and request.user.has_perm("subsidies.decide", application)
    reveal = request.user.has_perm("subsidies.reveal_names", application.enterprise)
    lines = list(application.lines.order_by("order"))
    for line in lines:
        line.shown_name = line.person_name if reveal or line.rule_kind == RuleKind.RENT_WAIVER else mask_name(line.person_name)
    totals: dict[str, dict[str, Any]] = {}
    for line in lines:
        entry = totals.setdefault(line.rule_name, {"rule_name": line.rule_name, "lines": 0, "amount": 0})
        entry["lines"] += 1
        entry["amount"] += line.amount
    return render(request, "subsidies/detail.html", {
        "application": application, "lines": lines, "totals": list(totals.values()),
        "approve_form": (approve_form or ApproveForm()) if can_decide else None,
        "reject_form": (reject_form or RejectForm()) if can_decide else None,
        "can_reapply": application.status == ApplicationStatus.REJECTED and request.user.has_perm("subsidies.apply", application.enterprise),
    }, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_safe
def application_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    return _render_detail(request, _scoped_application(request, uuid))


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def approve_view(request: HttpRequest, uuid: Any) -> HttpResponse:
    application = _scoped_application(request, uuid)
    if not application.is_pending:
        messages.info(request, "该申请已审核。")
        return redirect(application)
    if not request.user.has_perm("subsidies.decide", application):
        raise PermissionDenied("补贴申请由企业所在辖区的指挥部审核。")
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, application, approve_form=form)
    try:
        approved = application_approve(application=application, note=form.cleaned_data["note"], acting_user=request.user, request=request)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _render_detail(request, application, approve_form=form)
    messages.success(request, f"已批准：{approved.people_count} 人，合计 {approved.total_amount} 元，已计入发放清单。")
    return redirect(approved)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def reject_view(request: HttpRequest, uuid: Any) -> HttpResponse:
    application = _scoped_application(request, uuid)
    if not application.is_pending:
        messages.info(request, "该申请已审核。")
        return redirect(application)
    if not request.user.has_perm("subsidies.decide", application):
        raise PermissionDenied("补贴申请由企业所在辖区的指挥部审核。")
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, application, reject_form=form)
    try:
        rejected = application_reject(application=application, reason=form.cleaned_data["reason"], acting_user=request.user, request=request)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _render_detail(request, application, reject_form=form)
    messages.success(request, "已驳回，企业可按意见修改后重新申请。")
    return redirect(rejected)


# -- an enterprise's computed subsidies and applying -----------------------------------------------

@dataclass
class SchemeCard:
    """One scheme on an enterprise's page: what its roster earns now, and the open application."""

    scheme: SubsidyScheme
    computation: Computation
    lines: list[dict[str, Any]]
    exclusions: list[dict[str, Any]]
    open_application: SubsidyApplication | None
    form: ApplyForm | None


def _cards(request: HttpRequest, enterprise: Enterprise, *, bound: ApplyForm | None = None) -> list[SchemeCard]:
    user = request.user
    reveal = user.has_perm("subsidies.reveal_names", enterprise)
    may_apply = user.has_perm("subsidies.apply", enterprise)
    cards = []
    for scheme in _schemes(user).covering(enterprise).filter(active=True):
        is_bound = bound is not None and bound.is_bound and str(bound.data.get("scheme")) == str(scheme.pk)
        rent = None
        if is_bound:
            try:
                rent = clean_rent(bound.data.get("monthly_rent"))  # type: ignore[union-attr]
            except ValidationError:
                rent = None
        computation = compute_for(scheme=scheme, enterprise=enterprise, monthly_rent=rent)

        def shown(name: str, person: Any) -> str:
            return name if reveal or person is None else mask_name(name)

        lines = [{"line": line, "name": shown(line.person_name, line.person_id)} for line in computation.lines]
        exclusions = [{"exclusion": e, "name": shown(e.person_name, e.person_id)} for e in computation.exclusions]
        opened = open_application(scheme, enterprise)
        form = None
        if may_apply and opened is None and not computation.not_applicable:
            form = bound if is_bound else ApplyForm(initial={"scheme": scheme.pk}, needs_rent=scheme.needs_rent)
        cards.append(SchemeCard(scheme, computation, lines, exclusions, opened, form))
    return cards


def _render_enterprise(request: HttpRequest, enterprise: Enterprise, *, bound: ApplyForm | None = None, status: int = 200) -> HttpResponse:
    applications = (SubsidyApplication.objects.for_user(request.user).filter(enterprise=enterprise).select_related("scheme")
                    .order_by("-submitted_at"))
    return render(request, "subsidies/enterprise.html", {
        "enterprise": enterprise, "cards": _cards(request, enterprise, bound=bound), "applications": list(applications[:20]),
        "today": timezone.localdate(),
    }, status=status)


def _scoped_enterprise(request: HttpRequest, pk: int) -> Enterprise:
    # The enterprises the user serves (command, grid, its own admin), as the applications are
    # scoped: a reviewer's jurisdiction does not reach an enterprise's roster money.
    return get_object_or_404(Enterprise.objects.served_by(request.user).select_related("region", "town"), pk=pk)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_safe
def enterprise_subsidies(request: HttpRequest, pk: int) -> HttpResponse:
    """What the enterprise's roster earns under each scheme that covers it, line by line, with
    the exclusions explained; the enterprise's admin applies from here."""
    return _render_enterprise(request, _scoped_enterprise(request, pk))


@login_required
@permission_required("subsidies.open_apply", raise_exception=True)
@require_POST
def apply_view(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _scoped_enterprise(request, pk)
    if not request.user.has_perm("subsidies.apply", enterprise):
        raise PermissionDenied("只有本企业的防疫专员可以申请补贴。")
    typed = str(request.POST.get("scheme", ""))
    scheme = _schemes(request.user).covering(enterprise).filter(pk=int(typed)).first() if typed.isdigit() else None
    if scheme is None:
        messages.error(request, "请选择适用于本企业的补贴政策。")
        return _render_enterprise(request, enterprise, status=200)
    form = ApplyForm(request.POST, needs_rent=scheme.needs_rent)
    if not form.is_valid():
        return _render_enterprise(request, enterprise, bound=form)
    if "preview" in request.POST:  # 试算: the rent typed, computed again, nothing saved
        return _render_enterprise(request, enterprise, bound=form)
    try:
        application = application_submit(scheme=scheme, enterprise=enterprise, declared=form.cleaned_data["declared"],
                                         monthly_rent=form.cleaned_data.get("monthly_rent"), acting_user=request.user, request=request)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _render_enterprise(request, enterprise, bound=form)
    messages.success(request, f"已提交补贴申请：{application.people_count} 人，合计 {application.total_amount} 元，等待指挥部审核。")
    return redirect(application)


# -- schemes, totals, payment list -----------------------------------------------------------------

@login_required
@permission_required(VIEW, raise_exception=True)
@require_safe
def scheme_list(request: HttpRequest) -> HttpResponse:
    schemes = [(scheme, [(rule, describe(rule.kind, rule.params)) for rule in scheme.rules.all()]) for scheme in _schemes(request.user)]
    return render(request, "subsidies/schemes.html", {"schemes": schemes, "own_enterprises": _own(request.user)})


def _own(user: Any) -> list[Enterprise]:
    return list(Enterprise.objects.filter(pk__in=_enterprise_ids(user)).order_by("name"))


@login_required
@permission_required(VIEW, raise_exception=True)
@require_safe
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = get_object_or_404(_schemes(request.user), pk=pk)
    described = [(rule, describe(rule.kind, rule.params)) for rule in scheme.rules.all()]
    totals = next((t for t in scheme_totals(request.user) if t.scheme.pk == scheme.pk), None)
    return render(request, "subsidies/scheme.html", {"scheme": scheme, "described": described, "totals": totals,
                                                     "own_enterprises": _own(request.user)})


@login_required
@permission_required("subsidies.view_summary", raise_exception=True)
@require_safe
def summary(request: HttpRequest) -> HttpResponse:
    """Totals per scheme over the applications in the user's scope."""
    rows = scheme_totals(request.user)
    return render(request, "subsidies/summary.html", {
        "rows": rows, "applications": sum(r.applications for r in rows), "people": sum(r.people_approved for r in rows),
        "amount": sum((r.amount_approved for r in rows), 0),
    })


@login_required
@permission_required("subsidies.export_payment_list", raise_exception=True)
@require_safe
def payment_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The scheme's approved lines the user sees, as Excel (names masked unless the user may see
    them in full, see rules.py)."""
    scheme = get_object_or_404(SubsidyScheme.objects.for_user(request.user), pk=pk)
    lines: QuerySet[SubsidyLine] = payment_lines(request.user, scheme)
    content = export_payment_list(lines.iterator(chunk_size=2000), lambda enterprise: request.user.has_perm("subsidies.reveal_names", enterprise))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(content, f"发放清单-{scheme.name}-{stamp}.xlsx")
