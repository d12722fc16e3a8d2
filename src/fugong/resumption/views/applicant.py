"""The enterprise's side of a resumption application: start, the sectioned edit form with its
checks panel, uploads, submission, and the detail page everyone in scope reads (with the
actions each may take)."""

from __future__ import annotations

import copy
from collections import OrderedDict
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_fsm import TransitionNotAllowed

from fugong.accounts.scope import scope_of
from fugong.enterprises.models import Enterprise
from fugong.inspections.services import may_inspect
from fugong.policy.decisions import Check, masks_needed
from fugong.policy.services import current
from fugong.resumption.choices import MATERIAL_UNITS, OPEN_FOR_EDIT, UNDER_REVIEW, MaterialItem, Origin, Status, StepStatus
from fugong.resumption.forms import (
    SECTIONS,
    ApplicationForm,
    AttachmentForm,
    BaseReturnPlanFormSet,
    MaterialsForm,
    ReturnPlanFormSet,
    relevant_sections,
    return_plan_initial,
)
from fugong.resumption.models import Application, Attachment, Notice, ReviewStep
from fugong.resumption.services import (
    FORM_FIELDS,
    SubmissionRefused,
    application_save,
    application_start,
    application_submit,
    attachment_add,
    attachment_remove,
    can_decide,
    changes_since_last_submission,
    checks_for,
    pending_step,
)

PLAN_PREFIX = "plan"
MATERIALS_PREFIX = "m"


def _scoped(request: HttpRequest) -> Any:
    return Application.objects.for_user(request.user).select_related("enterprise__town", "enterprise__region")


def _application(request: HttpRequest, uuid: UUID) -> Application:
    """The application if the user may see it; 404 otherwise (scoped by construction)."""
    return get_object_or_404(_scoped(request), uuid=uuid)


def _refuse_edit(request: HttpRequest, application: Application) -> HttpResponse | None:
    """None when the user may change the application now. The enterprise's own admin is told
    why not (it was submitted) and sent to the detail page; anybody else gets a 403."""
    # The status is checked here too: a superuser holds every permission, whatever the rule says.
    if application.status in OPEN_FOR_EDIT and request.user.has_perm("resumption.edit_application", application):
        return None
    if application.enterprise_id in scope_of(request.user).enterprise_ids:
        messages.error(request, f"申请当前状态为“{application.get_status_display()}”，不能修改。")
        return redirect(application)
    raise PermissionDenied


def _steps_prefetch() -> Prefetch:
    return Prefetch("steps", queryset=ReviewStep.objects.select_related("department__region", "region", "decided_by"))


def _label(name: str) -> str:
    return str(Application._meta.get_field(name).verbose_name)  # type: ignore[union-attr]


def _display(value: Any) -> str:
    """A stored value as a reader expects it (for the measures and the changes table)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value)


# -- start --------------------------------------------------------------------------------------

@login_required
@permission_required("resumption.start_application", raise_exception=True)
@require_POST
def application_start_view(request: HttpRequest) -> HttpResponse:
    """Open the enterprise's application (or return the one already in progress)."""
    enterprises = Enterprise.objects.for_user(request.user)
    chosen = request.POST.get("enterprise", "")
    own = sorted(scope_of(request.user).enterprise_ids)
    if chosen.isdigit():
        enterprise = get_object_or_404(enterprises, pk=int(chosen))
    elif len(own) == 1:
        enterprise = get_object_or_404(enterprises, pk=own[0])
    else:
        messages.error(request, "请选择要申请复工的企业。")
        return redirect("resumption:list")
    application = application_start(enterprise=enterprise, acting_user=request.user, request=request)
    if application.status in OPEN_FOR_EDIT:
        return redirect("resumption:edit", application.uuid)
    messages.info(request, f"本企业已有一份“{application.get_status_display()}”的复工申请。")
    return redirect(application)


# -- detail -------------------------------------------------------------------------------------

def _measures(application: Application) -> list[dict[str, Any]]:
    """The application's own answers, grouped like the form, as (label, value) rows."""
    sections = []
    for section in relevant_sections(application):
        rows = [(_label(name), _display(getattr(application, name))) for name in section.fields]
        sections.append({"title": section.title, "rows": rows})
    return sections


def _reserves(application: Application, headcount: int, policy: Any) -> list[dict[str, Any]]:
    stock = {r.item: r.quantity for r in application.reserves.all()}
    rows = []
    for item in MaterialItem:
        row: dict[str, Any] = {"label": item.label, "quantity": stock.get(item.value, 0), "unit": MATERIAL_UNITS[item]}
        if item == MaterialItem.MASK and headcount:
            row["needed"] = masks_needed(headcount, policy)
            row["short"] = max(row["needed"] - row["quantity"], 0)
        rows.append(row)
    return rows


def _plan_totals(application: Application) -> list[tuple[str, int]]:
    totals: OrderedDict[str, int] = OrderedDict((str(o.label), 0) for o in Origin)
    for entry in application.return_plan.all():
        totals[str(Origin(entry.origin).label)] += entry.count
    return [(label, count) for label, count in totals.items() if count]


CHANGE_LABELS = {"reserves": "物资储备", "return_plan": "返岗计划", "attachments": "申请材料"}


def _change_value(key: str, value: Any) -> str:
    if value in (None, "", [], {}):
        return "—"
    if key == "reserves" and isinstance(value, dict):
        return "、".join(f"{MaterialItem(k).label} {v}{MATERIAL_UNITS[MaterialItem(k)]}" for k, v in value.items() if k in MaterialItem.values)
    if key == "return_plan" and isinstance(value, list):
        return "；".join(f"{d} {Origin(o).label if o in Origin.values else o} {c}人" for d, o, c in value)
    if key == "attachments" and isinstance(value, list):
        return "、".join(str(v).split(":", 1)[-1] for v in value)
    if key == "planned_start" and isinstance(value, str):
        try:
            return _display(datetime.fromisoformat(value))
        except ValueError:
            return value
    return _display(value)


def _changes(application: Application) -> list[dict[str, str]]:
    """What changed between the last two submissions, labelled for a reviewer."""
    return [{"label": CHANGE_LABELS.get(key) or (_label(key) if key in FORM_FIELDS else key), "old": _change_value(key, old), "new": _change_value(key, new)}
            for key, (old, new) in changes_since_last_submission(application).items()]


@login_required
@require_safe
def application_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    application = get_object_or_404(
        _scoped(request).prefetch_related(_steps_prefetch(), "reserves", "return_plan", "attachments", "suspensions__suspended_by"),
        uuid=uuid,
    )
    user = request.user
    scope = scope_of(user)
    policy = current(application.enterprise.region)
    headcount = application.returning_headcount
    pending = pending_step(application) if application.status in UNDER_REVIEW else None
    notice = Notice.objects.filter(application=application).first() if application.status in (Status.APPROVED, Status.SUSPENDED) else None
    context = {
        "application": application,
        "enterprise": application.enterprise,
        "checks": checks_for(application) if application.status in OPEN_FOR_EDIT else None,
        "changes": _changes(application) if scope.is_official and application.submission_count > 1 else None,
        "measures": _measures(application),
        "reserves": _reserves(application, headcount, policy),
        "headcount": headcount,
        "plan": application.return_plan.all(),
        "plan_totals": _plan_totals(application),
        "attachments": application.attachments.all(),
        "suspensions": application.suspensions.all(),
        "notice": notice,
        "show_bus_letter": notice is not None and application.shuttle_bus_count > 0,
        "pending": pending,
        # Statuses checked here too: a superuser holds every permission, whatever the rule says.
        "can_edit": application.status in OPEN_FOR_EDIT and user.has_perm("resumption.edit_application", application),
        "can_restart": application.status == Status.REJECTED and user.has_perm("resumption.start_application")
        and application.enterprise_id in scope.enterprise_ids,
        "can_decide": pending is not None and can_decide(user, pending),
        "can_suspend": application.status == Status.APPROVED and user.has_perm("resumption.suspend_application", application),
        "can_reinstate": application.status == Status.SUSPENDED and user.has_perm("resumption.reinstate_application", application),
        "can_inspect": application.status == Status.INSPECTION and may_inspect(user, application.enterprise),
        "policy": policy,
    }
    return render(request, "resumption/detail.html", context)


# -- edit ---------------------------------------------------------------------------------------

def _edit_page(request: HttpRequest, application: Application, *, form: ApplicationForm | None = None,
               materials: MaterialsForm | None = None, plan: Any = None, upload_form: AttachmentForm | None = None,
               refused: list[Check] | None = None, error: str = "", status: int = 200) -> HttpResponse:
    policy = current(application.enterprise.region)
    returned = None
    if application.status == Status.RETURNED:
        returned = application.steps.filter(status=StepStatus.RETURNED).select_related("department__region", "region", "decided_by") \
            .order_by("-round", "-order").first()
    context = {
        "application": application,
        "enterprise": application.enterprise,
        "form": form or ApplicationForm(instance=copy.copy(application), commitment_days=policy.commitment_days),
        "materials": materials or MaterialsForm(initial=MaterialsForm.initial_for(application), prefix=MATERIALS_PREFIX),
        "plan": plan or ReturnPlanFormSet(initial=return_plan_initial(application), prefix=PLAN_PREFIX),
        "upload_form": upload_form or AttachmentForm(),
        "attachments": application.attachments.all(),
        "checks": checks_for(application),
        "refused": refused,
        "error": error,
        "returned": returned,
        "policy": policy,
        "sections": SECTIONS,
    }
    return render(request, "resumption/edit.html", context, status=status)


def _save_error_text(exc: ValidationError | PermissionDenied) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else (str(exc) or "您没有修改此申请的权限。")


def _submit(request: HttpRequest, application: Application) -> HttpResponse:
    """Submit and say who reviews next, or show the edit page with what still blocks it."""
    try:
        submitted = application_submit(application=application, acting_user=request.user, request=request)
    except SubmissionRefused as exc:
        return _edit_page(request, application, refused=exc.checks)
    except (ValidationError, TransitionNotAllowed) as exc:
        text = _save_error_text(exc) if isinstance(exc, ValidationError) else f"申请当前状态为“{application.get_status_display()}”，不能提交。"
        return _edit_page(request, application, error=text)
    step = pending_step(submitted)
    messages.success(request, f"已提交，等待{step.actor_label if step else '审核部门'}审核。")
    return redirect(submitted)


def _save_draft(request: HttpRequest, application: Application, *, unsaved_note: str = "") -> tuple[Application | None, HttpResponse | None]:
    """Keep what was typed on the edit page: (the saved application, None), or (None, the page
    again with what to fix, everything typed kept)."""
    policy = current(application.enterprise.region)
    form = ApplicationForm(request.POST, instance=copy.copy(application), commitment_days=policy.commitment_days)
    materials = MaterialsForm(request.POST, prefix=MATERIALS_PREFIX)
    plan = cast(BaseReturnPlanFormSet, ReturnPlanFormSet(request.POST, prefix=PLAN_PREFIX))
    if not all([form.is_valid(), materials.is_valid(), plan.is_valid()]):
        return None, _edit_page(request, application, form=form, materials=materials, plan=plan, error=unsaved_note)
    try:
        saved = application_save(application=application, acting_user=request.user, data=form.cleaned_data,
                                 reserves=materials.reserves(), return_plan=plan.rows(), request=request)
    except (ValidationError, PermissionDenied) as exc:
        return None, _edit_page(request, application, form=form, materials=materials, plan=plan, error=_save_error_text(exc))
    return saved, None


def _attach(request: HttpRequest, application: Application) -> None:
    """Attach the uploaded file, if any; a refusal is told in Chinese and changes nothing."""
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"上传未成功：{error}")
        return
    try:
        attachment = attachment_add(application=application, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"],
                                    acting_user=request.user, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"上传未成功：{_save_error_text(exc)}")
    else:
        messages.success(request, f"已上传{attachment.get_kind_display()}：{attachment.original_name}")


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The long sectioned form. "保存草稿" keeps whatever is typed (complete or not) and shows the
    checks; "保存并提交" saves, then submits. A file chosen in the materials part is uploaded too."""
    application = _application(request, uuid)
    refused = _refuse_edit(request, application)
    if refused is not None:
        return refused
    if request.method == "GET":
        return _edit_page(request, application)
    saved, page = _save_draft(request, application)
    if saved is None:
        return page  # type: ignore[return-value]
    if request.FILES.get("file"):
        _attach(request, saved)
    if request.POST.get("action") == "submit":
        return _submit(request, saved)
    messages.success(request, "草稿已保存。请查看检查结果（电脑在右侧，手机在上方），全部满足后即可提交。")
    return redirect("resumption:edit", saved.uuid)


@login_required
@require_POST
def application_submit_view(request: HttpRequest, uuid: UUID) -> HttpResponse:
    application = _application(request, uuid)
    refused = _refuse_edit(request, application)
    if refused is not None:
        return refused
    return _submit(request, application)


# -- attachments --------------------------------------------------------------------------------

@login_required
@require_POST
def attachment_upload(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Attach one checked document; a refused file is named with the reason and nothing else is
    lost: posted from the edit page (``draft`` present), what was typed there is saved first."""
    application = _application(request, uuid)
    refused = _refuse_edit(request, application)
    if refused is not None:
        return refused
    if request.POST.get("draft"):
        saved, page = _save_draft(request, application, unsaved_note="文件未上传：请先改正标红的项目，再重新选择文件上传。")
        if saved is None:
            return page  # type: ignore[return-value]
        application = saved
    _attach(request, application)
    return redirect(reverse("resumption:edit", args=[application.uuid]) + "#attachments")


@login_required
@require_safe
def attachment_download(request: HttpRequest, uuid: UUID, attachment: UUID) -> FileResponse:
    """The stored file, always as a download under its original name, never sniffed into HTML."""
    record = get_object_or_404(Attachment.objects.for_user(request.user).select_related("application"),
                               uuid=attachment, application__uuid=uuid)
    try:
        handle = record.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("文件不存在。") from exc
    response = FileResponse(handle, as_attachment=True, filename=record.original_name, content_type=record.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_delete(request: HttpRequest, uuid: UUID, attachment: UUID) -> HttpResponse:
    application = _application(request, uuid)
    record = get_object_or_404(Attachment.objects.for_user(request.user), uuid=attachment, application=application)
    refused = _refuse_edit(request, application)
    if refused is not None:
        return refused
    if request.POST.get("draft"):
        # Posted from the edit page: keep what was typed there before removing the document.
        saved, page = _save_draft(request, application, unsaved_note="材料未删除：请先改正标红的项目。")
        if saved is None:
            return page  # type: ignore[return-value]
    try:
        attachment_remove(attachment=record, acting_user=request.user, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _save_error_text(exc))
    else:
        messages.success(request, f"已删除：{record.original_name}")
    return redirect(reverse("resumption:edit", args=[application.uuid]) + "#attachments")
