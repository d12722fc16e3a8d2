"""The reviewers' and command officers' side: the application list (also the enterprise's own
list), the review queue, the decision page, suspension (停工) and reinstatement (复产).

Views hold no business logic: they find the application in the user's scope (404 outside it),
ask the services to act, and turn the services' refusals into Chinese messages, never a 500."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from fugong.accounts.scope import scope_of
from fugong.core.views import ScopedListView
from fugong.resumption import services
from fugong.resumption.choices import MATERIAL_UNITS, UNDER_REVIEW, AttachmentKind, Decision, MaterialItem, Origin, Status
from fugong.resumption.exporters import export_applications
from fugong.resumption.filters import ApplicationFilter
from fugong.resumption.forms import DecisionForm, ReasonForm
from fugong.resumption.models import Application, ReviewStep
from fugong.resumption.rules import commands_applicant
from fugong.resumption.selectors import (
    decidable_by,
    due_before,
    hours_waiting,
    in_scope,
    queue_counts,
    review_due_hours,
    review_queue,
    step_label,
    waiting_text,
    with_current_step,
)

# -- lists --------------------------------------------------------------------------------------


class ApplicationListView(ScopedListView):
    """Every application in the user's scope; an enterprise admin's own enterprise's."""

    model = Application
    filterset_class = ApplicationFilter
    permission_required = "resumption.list_applications"
    export_permission = "resumption.export_applications"
    export_name = "复工申请台账"
    template_name = "resumption/list.html"
    table_template = "resumption/_table.html"
    is_queue = False

    def base_queryset(self) -> QuerySet[Application]:
        queryset = with_current_step(in_scope(self.request.user)).annotate(decidable=decidable_by(scope_of(self.request.user)))
        return queryset.select_related("enterprise__town")

    def export(self, queryset: QuerySet[Application]) -> bytes:
        return export_applications(queryset)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        before = due_before(self.request.user, now)
        for row in context["page"]:  # the page's rows, fetched once; the template reads the same list
            row.step_label = step_label(row.step_stage, row.step_department, row.step_region)
            row.waiting_hours = hours_waiting(row.step_opened_at, now)
            row.waiting_text = waiting_text(row.waiting_hours)
            row.is_overdue = row.step_opened_at is not None and row.step_opened_at < before
        context.update(is_queue=self.is_queue, due_hours=review_due_hours(self.request.user),
                       official=scope_of(self.request.user).is_official)
        return context


application_list = ApplicationListView.as_view()


class ReviewQueueView(ApplicationListView):
    """The applications whose current step the user decides, longest waiting first, with counts."""

    permission_required = "resumption.review_queue"
    export_name = "审核待办"
    template_name = "resumption/queue.html"
    is_queue = True

    def base_queryset(self) -> QuerySet[Application]:
        return review_queue(self.request.user).select_related("enterprise__town")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["counts"] = queue_counts(self.base_queryset(), due_before(self.request.user))
        return context


queue = ReviewQueueView.as_view()


# -- what changed since the last submission ------------------------------------------------------

EXTRA_LABELS = {"reserves": "物资储备", "return_plan": "返岗计划", "attachments": "申请材料"}
EMPTY = "—"


def _field_label(key: str) -> str:
    if key in EXTRA_LABELS:
        return EXTRA_LABELS[key]
    try:
        field = Application._meta.get_field(key)
    except FieldDoesNotExist:  # a key of an older snapshot whose field is gone: show it as it is
        return key
    return str(getattr(field, "verbose_name", key))


def _plain(key: str, value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "planned_start":
        moment = parse_datetime(str(value))
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment and timezone.is_aware(moment) else str(value)
    if key == "return_plan":
        return "；".join(f"{day} {Origin(origin).label if origin in Origin.values else origin} {count}人" for day, origin, count in value)
    if key == "attachments":
        parts = []
        for entry in value:
            kind, _, name = str(entry).partition(":")
            parts.append(f"{AttachmentKind(kind).label if kind in AttachmentKind.values else kind}：{name}")
        return "、".join(parts)
    return str(value)


def describe_changes(changes: dict[str, tuple[Any, Any]]) -> list[dict[str, str]]:
    """``changes_since_last_submission`` in words: one row per field, material reserves per item."""
    rows: list[dict[str, str]] = []
    for key, (old, new) in changes.items():
        if key == "reserves":
            old, new = old or {}, new or {}
            for item in MaterialItem:
                if old.get(item.value, 0) != new.get(item.value, 0):
                    unit = MATERIAL_UNITS[item]
                    rows.append({"key": f"reserves.{item.value}", "label": f"物资储备·{item.label}",
                                 "old": f"{old.get(item.value, 0)}{unit}", "new": f"{new.get(item.value, 0)}{unit}"})
            continue
        rows.append({"key": key, "label": _field_label(key), "old": _plain(key, old), "new": _plain(key, new)})
    return rows


# -- the decision page ---------------------------------------------------------------------------


def _scoped(user: Any) -> QuerySet[Application]:
    return Application.objects.for_user(user).select_related("enterprise__town", "enterprise__region")


def _refusal(exc: ValidationError | TransitionNotAllowed, application: Application) -> str:
    if not isinstance(exc, ValidationError):
        # The page was stale: say what the application is now, not what the page showed.
        status = Application.objects.filter(pk=application.pk).values_list("status", flat=True).first() or application.status
        return f"申请当前状态为“{Status(status).label}”，不能进行该操作，未作任何更改。"
    return "；".join(exc.messages)


def _summary(application: Application) -> dict[str, Any]:
    """What the reviewer reads before deciding (from the prefetched rows)."""
    reserves = {r.item: r.quantity for r in application.reserves.all()}
    return {
        "reserves": [(item.label, reserves[item.value], MATERIAL_UNITS[item]) for item in MaterialItem if item.value in reserves],
        "return_plan": list(application.return_plan.all()),
        "attachments": list(application.attachments.all()),
        # The checks as they stood when it was filed: the lead time counts from the submission, not from today.
        "checks": services.checks_for(application, at=application.submitted_at),
    }


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, uuid: str) -> HttpResponse:
    """Approve, return or reject the step the application waits on, with a comment."""
    application = get_object_or_404(
        _scoped(request.user).prefetch_related(
            Prefetch("steps", queryset=ReviewStep.objects.select_related("department__region", "region", "decided_by")),
            "reserves", "return_plan", "attachments"),
        uuid=uuid)
    step = services.pending_step(application)
    if step is None or application.status not in UNDER_REVIEW:
        messages.warning(request, f"该申请当前状态为“{application.get_status_display()}”，没有待审核的环节"
                                  f"{'（可能已经处理过了）' if request.method == 'POST' else ''}。")
        return redirect(application)
    posted_step = request.POST.get("step", "") if request.method == "POST" else ""
    if posted_step and posted_step != str(step.pk):
        messages.warning(request, f"您审核的环节已经处理过了（重复提交或页面已过期），申请现处于“{step.get_stage_display()}”环节，未作任何更改。")
        return redirect(application)
    if not services.can_decide(request.user, step):
        raise PermissionDenied("该环节不由您审核。")
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            services.review_decide(application=application, decision=decision, comment=form.cleaned_data["comment"],
                                   acting_user=request.user, request=request, expected_step=step.pk)
        except (ValidationError, TransitionNotAllowed) as exc:
            messages.error(request, _refusal(exc, application))
            return redirect(application)
        messages.success(request, f"已{Decision(decision).label}：{application.enterprise.name}（{application.number}）。")
        return redirect("resumption:queue")
    context = {
        "application": application,
        "enterprise": application.enterprise,
        "step": step,
        "form": form,
        "changes": describe_changes(services.changes_since_last_submission(application)),
        "decisions": Decision,
        **_summary(application),
    }
    return render(request, "resumption/decide.html", context)


# -- suspension and reinstatement ----------------------------------------------------------------


def _suspend_or_reinstate(request: HttpRequest, uuid: str, *, suspend: bool) -> HttpResponse:
    application = get_object_or_404(_scoped(request.user), uuid=uuid)
    if not commands_applicant(request.user, application):
        raise PermissionDenied("只有辖区指挥部可以停工或复产。")
    expected = Status.APPROVED if suspend else Status.SUSPENDED
    if application.status != expected:
        action = "停工" if suspend else "复产"
        messages.error(request, f"只有“{Status(expected).label}”的申请可以{action}，该申请当前为“{application.get_status_display()}”，未作任何更改。")
        return redirect(application)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(application)
    reason = form.cleaned_data["reason"]
    try:
        if suspend:
            services.application_suspend(application=application, reason=reason, acting_user=request.user, request=request)
        else:
            services.application_reinstate(application=application, reason=reason, acting_user=request.user, request=request)
    except (ValidationError, TransitionNotAllowed) as exc:  # changed meanwhile (a colleague was faster)
        messages.error(request, _refusal(exc, application))
        return redirect(application)
    name = application.enterprise.name
    messages.success(request, f"已责令停工：{name}。企业已收到通知。" if suspend else f"已准予复产：{name}。企业已收到通知。")
    return redirect(application)


@login_required
@require_POST
def suspend(request: HttpRequest, uuid: str) -> HttpResponse:
    """Stop an approved enterprise (停工), with a reason."""
    return _suspend_or_reinstate(request, uuid, suspend=True)


@login_required
@require_POST
def reinstate(request: HttpRequest, uuid: str) -> HttpResponse:
    """Let a suspended enterprise restart (复产), with a reason."""
    return _suspend_or_reinstate(request, uuid, suspend=False)
