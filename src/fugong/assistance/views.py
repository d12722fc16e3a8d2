"""Help pages: the help-request list (with response times per department and category), filing
online and through the 12345 hotline, a request with its timeline and the answer and
confirmation forms; the routing rules; the labour-demand ledger, a position, its summary per town
and sector.

Every object is looked up in ``for_user`` (out of scope is a 404); roles that have no business
with a page are refused before any lookup (403); every write is a service call; a refused POST
renders the page again with what was typed and says in Chinese what to fix."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fugong.accounts.scope import scope_of
from fugong.assistance.choices import Channel, RequestStatus
from fugong.assistance.exporters import export_labour_summary, export_positions, export_requests
from fugong.assistance.filters import HelpRequestFilter, PositionFilter
from fugong.assistance.forms import (
    AnswerForm,
    ConfirmForm,
    HelpRequestForm,
    HotlineForm,
    PositionForm,
    RoutingRuleForm,
    TrackForm,
    apply_service_errors,
    commanded_enterprises,
    own_enterprises,
)
from fugong.assistance.models import HelpRequest, Position, RoutingRule
from fugong.assistance.rules import commands_request_enterprise
from fugong.assistance.selectors import (
    duration_label,
    labour_by_sector,
    labour_by_town,
    labour_total,
    request_summary,
    response_by_category,
    response_by_department,
)
from fugong.assistance.services import (
    help_request_answer,
    help_request_confirm,
    help_request_file,
    position_create,
    position_track,
    position_update,
    rule_delete,
    rule_save,
)
from fugong.core.views import ScopedListView, xlsx_response

# -- help requests ---------------------------------------------------------------------------------


class HelpRequestListView(ScopedListView):
    model = HelpRequest
    filterset_class = HelpRequestFilter
    permission_required = "assistance.list_requests"
    export_permission = "assistance.export_requests"
    export_name = "企业诉求台账"
    template_name = "assistance/list.html"
    table_template = "assistance/_table.html"

    def base_queryset(self) -> QuerySet[HelpRequest]:
        return super().base_queryset().select_related("enterprise__town", "department__region").order_by("-filed_at", "-pk")

    def export(self, queryset: QuerySet[HelpRequest]) -> bytes:
        return export_requests(queryset)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["now"] = now = timezone.now()
        if not self.request.headers.get("HX-Request"):
            scoped = HelpRequest.objects.for_user(self.request.user)
            context["summary"] = request_summary(scoped, now)
            if scope_of(self.request.user).is_official:
                context["by_department"] = response_by_department(scoped, now)
                context["by_category"] = [row for row in response_by_category(scoped, now) if row.total]
        return context


request_list = HelpRequestListView.as_view()


def _file(request: HttpRequest, *, hotline: bool) -> HttpResponse:
    user = request.user
    enterprises = commanded_enterprises(user) if hotline else own_enterprises(user)
    form_class = HotlineForm if hotline else HelpRequestForm
    form = form_class(request.POST or None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filed = help_request_file(enterprise=data["enterprise"], category=data["category"], title=data["title"],
                                      description=data["description"], channel=Channel.HOTLINE if hotline else Channel.ONLINE,
                                      caller_name=data.get("caller_name", ""), caller_phone=data.get("caller_phone", ""), acting_user=user,
                                      request=request)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("enterprise", str(exc))
        else:
            messages.success(request, f"诉求已提交（{filed.number}），{filed.route_note}。")
            return redirect(filed)
    return render(request, "assistance/file.html", {"form": form, "hotline": hotline})


@login_required
@permission_required("assistance.open_file_form", raise_exception=True)
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    """The enterprise files a help request online."""
    return _file(request, hotline=False)


@login_required
@permission_required("assistance.open_hotline_form", raise_exception=True)
@require_http_methods(["GET", "POST"])
def request_hotline(request: HttpRequest) -> HttpResponse:
    """A command officer records a 12345 hotline call for an enterprise of the jurisdiction."""
    return _file(request, hotline=True)


def _scoped_request(request: HttpRequest, pk: int) -> HelpRequest:
    return get_object_or_404(
        HelpRequest.objects.for_user(request.user).select_related("enterprise__town", "enterprise__region", "department__region",
                                                                   "routing_rule__region", "answered_by", "created_by"),
        pk=pk,
    )


def _render_request(request: HttpRequest, help_request: HelpRequest, *, answer_form: AnswerForm | None = None,
                    confirm_form: ConfirmForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    now = timezone.now()
    can_answer = help_request.awaiting_answer and user.has_perm("assistance.answer_request", help_request)
    can_confirm = help_request.status == RequestStatus.ANSWERED and user.has_perm("assistance.confirm_request", help_request)
    scope = scope_of(user)
    return render(request, "assistance/detail.html", {
        "item": help_request, "events": list(help_request.records.select_related("actor")), "now": now,
        "overdue": help_request.is_overdue(now),
        "answer_form": (answer_form or AnswerForm()) if can_answer else None,
        "confirm_form": (confirm_form or ConfirmForm()) if can_confirm else None,
        "response_time": duration_label(help_request.response_seconds), "resolution_time": duration_label(help_request.resolution_seconds),
        # The caller's full number for the command over this enterprise (who calls back), not for
        # whoever merely holds a command role somewhere else.
        "show_caller_phone": scope.is_admin or commands_request_enterprise(user, help_request),
    }, status=status)


@login_required
@permission_required("assistance.list_requests", raise_exception=True)
@require_safe
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_request(request, _scoped_request(request, pk))


@login_required
@permission_required("assistance.list_requests", raise_exception=True)
@require_POST
def request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = _scoped_request(request, pk)
    if not request.user.has_perm("assistance.answer_request", help_request):
        raise PermissionDenied("该诉求未分派给您的部门，您无权答复。")
    if not help_request.awaiting_answer:
        messages.info(request, "该诉求已答复，正等待企业确认。")
        return redirect(help_request)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _render_request(request, help_request, answer_form=form)
    try:
        help_request_answer(help_request=help_request, answer=form.cleaned_data["answer"], acting_user=request.user, request=request)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _render_request(request, help_request, answer_form=form)
    messages.success(request, "已答复，等待企业确认是否解决。")
    return redirect(help_request)


@login_required
@permission_required("assistance.list_requests", raise_exception=True)
@require_POST
def request_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = _scoped_request(request, pk)
    if not request.user.has_perm("assistance.confirm_request", help_request):
        raise PermissionDenied("只有提出诉求的企业可以确认办结或退回。")
    if help_request.status != RequestStatus.ANSWERED:
        messages.info(request, "该诉求当前不需要确认。")
        return redirect(help_request)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return _render_request(request, help_request, confirm_form=form)
    solved = form.cleaned_data["solved"] == "yes"
    try:
        updated = help_request_confirm(help_request=help_request, solved=solved, note=form.cleaned_data["note"], acting_user=request.user,
                                       request=request)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _render_request(request, help_request, confirm_form=form)
    if solved:
        messages.success(request, f"诉求已办结，用时 {duration_label(updated.resolution_seconds)}。")
    else:
        messages.warning(request, f"已退回{updated.handler}继续办理。")
    return redirect(updated)


# -- routing rules ---------------------------------------------------------------------------------


@login_required
@permission_required("assistance.manage_rules", raise_exception=True)
@require_safe
def rule_list(request: HttpRequest) -> HttpResponse:
    """The rules the user keeps, and (read only) the rules of the regions above their jurisdictions
    that also apply inside it."""
    scope = scope_of(request.user)
    rules = list(RoutingRule.objects.for_user(request.user).select_related("region", "department__region").order_by("region__path", "category"))
    inherited: list[RoutingRule] = []
    if not scope.is_admin:
        codes = {c for path in scope.command_paths for c in path.strip("/").split("/") if c}
        own_codes = {path.strip("/").split("/")[-1] for path in scope.command_paths}
        inherited = list(RoutingRule.objects.filter(region__code__in=codes - own_codes).select_related("region", "department__region")
                         .order_by("region__path", "category"))
    return render(request, "assistance/rules.html", {"rules": rules, "inherited": inherited})


def _rule_form(request: HttpRequest, rule: RoutingRule | None) -> HttpResponse:
    initial = {"region": rule.region_id, "category": rule.category, "department": rule.department_id, "note": rule.note} if rule else {}
    form = RoutingRuleForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rule_save(rule=rule, region=data["region"], category=data["category"], department=data["department"], note=data["note"],
                      acting_user=request.user, request=request)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "分派规则已保存；之后提交的诉求按新规则分派。")
            return redirect("assistance:rules")
    return render(request, "assistance/rule_form.html", {"form": form, "rule": rule})


@login_required
@permission_required("assistance.manage_rules", raise_exception=True)
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest) -> HttpResponse:
    return _rule_form(request, None)


@login_required
@permission_required("assistance.manage_rules", raise_exception=True)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule.objects.for_user(request.user).select_related("region", "department"), pk=pk)
    if not request.user.has_perm("assistance.change_rule", rule):
        raise PermissionDenied("您无权修改该分派规则。")
    return _rule_form(request, rule)


@login_required
@permission_required("assistance.manage_rules", raise_exception=True)
@require_POST
def rule_remove(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule.objects.for_user(request.user).select_related("region", "department"), pk=pk)
    if not request.user.has_perm("assistance.change_rule", rule):
        raise PermissionDenied("您无权删除该分派规则。")
    rule_delete(rule=rule, acting_user=request.user, request=request)
    messages.success(request, "分派规则已删除。")
    return redirect("assistance:rules")


# -- the labour ledger -----------------------------------------------------------------------------


class PositionListView(ScopedListView):
    model = Position
    filterset_class = PositionFilter
    permission_required = "assistance.list_positions"
    export_permission = "assistance.export_positions"
    export_name = "用工需求台账"
    template_name = "assistance/positions.html"
    table_template = "assistance/_position_table.html"

    def base_queryset(self) -> QuerySet[Position]:
        return super().base_queryset().select_related("enterprise__town").order_by("status", "-start_date", "pk")

    def export(self, queryset: QuerySet[Position]) -> bytes:
        return export_positions(queryset)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if not self.request.headers.get("HX-Request"):
            context["total"] = labour_total(context["filter"].qs if context["filter"].is_valid() else Position.objects.none())
        return context


position_list = PositionListView.as_view()


@login_required
@permission_required("assistance.list_positions", raise_exception=True)
@require_safe
def labour_summary(request: HttpRequest) -> HttpResponse:
    """Totals of the ledger per town and per sector (Shawan's 980 open positions), with export."""
    positions = Position.objects.for_user(request.user)
    by_town, by_sector, total = labour_by_town(positions), labour_by_sector(positions), labour_total(positions)
    if request.GET.get("export") == "xlsx":
        if not request.user.has_perm("assistance.export_positions"):
            return HttpResponse("无导出权限。", status=403)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return xlsx_response(export_labour_summary(by_town, by_sector, total), f"用工需求汇总-{stamp}.xlsx")
    return render(request, "assistance/labour_summary.html", {"by_town": by_town, "by_sector": by_sector, "total": total})


@login_required
@permission_required("assistance.open_position_form", raise_exception=True)
@require_http_methods(["GET", "POST"])
def position_new(request: HttpRequest) -> HttpResponse:
    form = PositionForm(request.POST or None, enterprises=own_enterprises(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        enterprise = data.pop("enterprise")
        try:
            position = position_create(enterprise=enterprise, data=data, acting_user=request.user, request=request)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("enterprise", str(exc))
        else:
            messages.success(request, f"已发布岗位“{position.title}”，需求 {position.count} 人。")
            return redirect(position)
    return render(request, "assistance/position_form.html", {"form": form, "position": None})


def _scoped_position(request: HttpRequest, pk: int) -> Position:
    return get_object_or_404(Position.objects.for_user(request.user).select_related("enterprise__town", "enterprise__region"), pk=pk)


def _render_position(request: HttpRequest, position: Position, *, track_form: TrackForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    scope = scope_of(user)
    can_track = user.has_perm("assistance.track_position", position)
    if track_form is None and can_track:
        track_form = TrackForm(initial={"matched_count": position.matched_count, "filled_count": position.filled_count})
    return render(request, "assistance/position.html", {
        "position": position, "track_form": track_form if can_track else None,
        "can_edit": user.has_perm("assistance.edit_position", position),
        # The full number for those who call: the enterprise itself, the command and the 人社 officers who match candidates.
        "show_phone": scope.is_admin or position.enterprise_id in scope.enterprise_ids or can_track,
    }, status=status)


@login_required
@permission_required("assistance.list_positions", raise_exception=True)
@require_safe
def position_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_position(request, _scoped_position(request, pk))


@login_required
@permission_required("assistance.list_positions", raise_exception=True)
@require_http_methods(["GET", "POST"])
def position_edit(request: HttpRequest, pk: int) -> HttpResponse:
    position = _scoped_position(request, pk)
    if not request.user.has_perm("assistance.edit_position", position):
        raise PermissionDenied("岗位信息由发布企业维护。")
    initial = {name: getattr(position, name) for name in PositionForm.base_fields if name != "enterprise"}
    form = PositionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            position = position_update(position=position, data=form.cleaned_data, acting_user=request.user, request=request)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "岗位信息已更新。")
            return redirect(position)
    return render(request, "assistance/position_form.html", {"form": form, "position": position})


@login_required
@permission_required("assistance.list_positions", raise_exception=True)
@require_POST
def position_progress(request: HttpRequest, pk: int) -> HttpResponse:
    position = _scoped_position(request, pk)
    if not request.user.has_perm("assistance.track_position", position):
        raise PermissionDenied("招聘进展由企业、指挥部或人社部门更新。")
    form = TrackForm(request.POST)
    if not form.is_valid():
        return _render_position(request, position, track_form=form)
    try:
        updated = position_track(position=position, matched_count=form.cleaned_data["matched_count"],
                                 filled_count=form.cleaned_data["filled_count"], acting_user=request.user, request=request)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _render_position(request, position, track_form=form)
    messages.success(request, f"招聘进展已更新：已推荐 {updated.matched_count} 人，已到岗 {updated.filled_count} 人。")
    return redirect(updated)

