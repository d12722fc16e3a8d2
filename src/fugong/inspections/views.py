"""Inspection pages: the list with the acceptance queue, the phone page an inspector fills in on
site (results, notes, camera photos, opinion and signature), photos served inline, completion,
and the rectification ledger with the enterprise's answers and the officer's verification.

Every object is looked up in ``for_user`` (another place's inspection is a 404); every write is a
service call; a refused POST renders the page again with what was typed and says in Chinese
what to fix."""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fugong.core.views import ScopedListView, xlsx_response
from fugong.enterprises.models import Enterprise
from fugong.inspections.choices import InspectionStatus, RectificationStatus, Result, TemplateKind
from fugong.inspections.exporters import export_inspections, export_rectifications, export_summary
from fugong.inspections.filters import InspectionFilter, RectificationFilter
from fugong.inspections.forms import FindingForm, ReopenForm, SummaryForm
from fugong.inspections.models import ChecklistItem, Inspection, InspectionPhoto, RectificationEvidence, RectificationItem
from fugong.inspections.patrols import scope_paths
from fugong.inspections.selectors import (
    STARTABLE_KINDS,
    awaiting_acceptance,
    find_enterprises,
    inspection_cards,
    rectification_counts,
    rectification_history,
)
from fugong.inspections.services import (
    MAX_EVIDENCE_PHOTOS,
    applicable_items,
    default_deadline,
    inspection_complete,
    inspection_record,
    inspection_start,
    may_inspect,
    photo_add,
    rectification_answer,
    rectification_create,
    rectification_verify,
)
from fugong.resumption.models import Application

PHOTO_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
# The three big toggles of each item: value, label, Bootstrap colour, icon.
QUICK_REOPEN_REASON = "未整改到位，退回重新整改。"
RESULT_BUTTONS = [(Result.PASS.value, Result.PASS.label, "success", "check-lg"), (Result.FAIL.value, Result.FAIL.label, "danger", "x-lg"),
                  (Result.NOT_APPLICABLE.value, Result.NOT_APPLICABLE.label, "secondary", "dash-lg")]


# -- the list and the acceptance queue ------------------------------------------------------------

class InspectionListView(ScopedListView):
    model = Inspection
    filterset_class = InspectionFilter
    permission_required = "inspections.list_inspections"
    export_permission = "inspections.export_inspections"
    export_name = "检查台账"
    template_name = "inspections/list.html"
    table_template = "inspections/_table.html"

    def base_queryset(self) -> QuerySet[Inspection]:
        return (
            super().base_queryset()
            .select_related("enterprise__town", "template", "application", "inspector")
            .annotate(failed_count=Count("results", filter=Q(results__result=Result.FAIL)))
            .order_by("-created_at")
        )

    def export(self, queryset: QuerySet[Inspection]) -> bytes:
        return export_inspections(queryset)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if not self.request.headers.get("HX-Request"):
            context["awaiting"], context["awaiting_total"] = awaiting_acceptance(self.request.user)
            context["find"] = self.request.GET.get("find", "").strip()
            context["found"] = find_enterprises(self.request.user, context["find"])
        return context


inspection_list = InspectionListView.as_view()


@login_required
@permission_required("inspections.list_inspections", raise_exception=True)
@require_POST
def start_acceptance(request: HttpRequest, application: Any) -> HttpResponse:
    """The on-site acceptance of an application waiting for it (again, after a failed one)."""
    found = get_object_or_404(Application.objects.for_user(request.user).select_related("enterprise__region"), uuid=application)
    try:
        inspection = inspection_start(enterprise=found.enterprise, kind=TemplateKind.ACCEPTANCE, application=found,
                                      acting_user=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("inspections:list")
    return redirect("inspections:detail", uuid=inspection.uuid)


@login_required
@permission_required("inspections.list_inspections", raise_exception=True)
@require_POST
def start_inspection(request: HttpRequest, pk: int) -> HttpResponse:
    """A check of an enterprise after it resumed (post-resumption, canteen, dormitory, shuttle bus)."""
    enterprise = get_object_or_404(Enterprise.objects.for_user(request.user).select_related("region"), pk=pk)
    kind = request.POST.get("kind", "")
    if kind not in STARTABLE_KINDS:
        messages.error(request, "请选择检查类型（复工后检查、食堂、宿舍或通勤班车）。")
        return redirect(f"{reverse('inspections:list')}?find={quote(enterprise.name)}")
    try:
        inspection = inspection_start(enterprise=enterprise, kind=kind, acting_user=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(f"{reverse('inspections:list')}?find={quote(enterprise.name)}")
    return redirect("inspections:detail", uuid=inspection.uuid)


# -- the phone page -------------------------------------------------------------------------------

def _scoped_inspection(request: HttpRequest, uuid: Any) -> Inspection:
    return get_object_or_404(
        Inspection.objects.for_user(request.user).select_related("enterprise__region", "enterprise__town", "template", "application", "inspector",
                                                           "patrol_team"),
        uuid=uuid,
    )


def _draft_key(inspection: Inspection) -> str:
    return f"inspection-draft:{inspection.uuid}"


def _render_detail(request: HttpRequest, inspection: Inspection, *, typed: dict[int, tuple[str, str]] | None = None,
                   errors: list[str] | None = None, opinion: str | None = None, signed_name: str | None = None) -> HttpResponse:
    cards = inspection_cards(inspection, typed)
    editable = request.user.has_perm("inspections.record_inspection", inspection)
    draft = request.session.get(_draft_key(inspection), {}) if editable else {}
    return render(request, "inspections/detail.html", {
        "inspection": inspection,
        "enterprise": inspection.enterprise,
        "cards": cards,
        "done": sum(1 for card in cards if card.saved),
        "total": len(cards),
        "editable": editable,
        "errors": errors or [],
        "opinion": opinion if opinion is not None else draft.get("opinion", ""),
        "signed_name": signed_name if signed_name is not None else draft.get("signed_name", ""),
        "result_buttons": RESULT_BUTTONS,
        "rectifications": inspection.rectifications.order_by("deadline", "pk") if not editable else [],
        "notice": getattr(inspection.application, "notice", None) if inspection.application_id else None,
    })


def _typed_results(request: HttpRequest, items: list[ChecklistItem]) -> dict[int, tuple[str, str]]:
    typed: dict[int, tuple[str, str]] = {}
    for item in items:
        result = request.POST.get(f"result-{item.pk}", "")
        note = request.POST.get(f"note-{item.pk}", "")
        if result or note:
            typed[item.pk] = (result, note)
    return typed


def _photos_in(request: HttpRequest, items: list[ChecklistItem], errors: list[str]) -> list[tuple[ChecklistItem, Any]]:
    """Photos sent with the page: ``image-<item id>`` per item, or ``item`` + ``image``."""
    by_id = {item.pk: item for item in items}
    photos: list[tuple[ChecklistItem, Any]] = []
    for key in request.FILES:
        if key == "image":
            raw = request.POST.get("item", "")
        elif key.startswith("image-"):
            raw = key.removeprefix("image-")
        else:
            continue
        item = by_id.get(int(raw)) if raw.isdigit() else None
        if item is None:
            errors.append("照片对应的检查项不存在，请在检查项下方重新拍照上传。")
            continue
        photos.extend((item, upload) for upload in request.FILES.getlist(key))
    return photos


def _save_page(request: HttpRequest, inspection: Inspection, *, complete: bool = False) -> HttpResponse:
    """Every POST of the page: save the typed results, then the photos, then (when asked) complete.
    Anything refused renders the page again with what was typed."""
    if not request.user.has_perm("inspections.record_inspection", inspection):
        if inspection.status != InspectionStatus.IN_PROGRESS:
            messages.error(request, "该检查已完成，不能再修改。")
            return redirect("inspections:detail", uuid=inspection.uuid)
        raise PermissionDenied("该企业不在您的检查范围内。")
    items = applicable_items(inspection.template, inspection.enterprise)
    typed = _typed_results(request, items)
    opinion, signed_name = request.POST.get("opinion", ""), request.POST.get("signed_name", "")
    request.session[_draft_key(inspection)] = {"opinion": opinion[:5000], "signed_name": signed_name[:50]}
    errors: list[str] = []
    to_save = {pk: (result, note) for pk, (result, note) in typed.items() if result in Result.values}
    if to_save:
        try:
            inspection_record(inspection=inspection, results=to_save, acting_user=request.user, request=request)
        except ValidationError as exc:
            errors.extend(exc.messages)
    photos = _photos_in(request, items, errors)
    uploaded = 0
    if photos and errors:
        errors.append("照片未保存：请先改正上面的问题，再重新选择照片上传。")
    elif photos:
        recorded = set(inspection.results.values_list("item_id", flat=True))
        for item, upload in photos:
            if item.pk not in recorded:
                errors.append(f"第 {item.order} 项：请先选择检查结果（合格/不合格/不适用），再上传照片。")
                continue
            try:
                photo_add(inspection=inspection, item_id=item.pk, upload=upload, acting_user=request.user, request=request)
            except ValidationError as exc:
                errors.extend(f"第 {item.order} 项照片：{message}" for message in exc.messages)
            else:
                uploaded += 1
    if errors:
        return _render_detail(request, inspection, typed=typed, errors=errors, opinion=opinion, signed_name=signed_name)
    if complete:
        return _complete(request, inspection, opinion, signed_name, typed)
    parts = []
    if to_save:
        parts.append(f"已保存 {len(to_save)} 项检查结果")
    if uploaded:
        parts.append(f"已上传照片 {uploaded} 张")
    messages.success(request, "，".join(parts) + "。" if parts else "没有需要保存的内容。")
    anchor = f"#item-{photos[-1][0].pk}" if photos else ""
    return HttpResponseRedirect(reverse("inspections:detail", args=[inspection.uuid]) + anchor)


def _complete(request: HttpRequest, inspection: Inspection, opinion: str, signed_name: str,
              typed: dict[int, tuple[str, str]]) -> HttpResponse:
    try:
        done = inspection_complete(inspection=inspection, opinion=opinion, signed_name=signed_name, acting_user=request.user, request=request)
    except ValidationError as exc:
        return _render_detail(request, inspection, typed=typed, errors=exc.messages, opinion=opinion, signed_name=signed_name)
    request.session.pop(_draft_key(inspection), None)
    is_acceptance = done.template.kind == TemplateKind.ACCEPTANCE and done.application_id
    if done.status == InspectionStatus.PASSED and is_acceptance:
        application = done.application
        assert application is not None
        messages.success(request, f"验收通过，已签发复工通知书 {application.notice.number}。")
        return redirect("resumption:detail", uuid=application.uuid)
    if done.template.kind == TemplateKind.PATROL:
        # A patrol goes on to the next enterprise: back to the patrol page, with what was found.
        found = list(done.rectifications.order_by("deadline", "pk"))
        if found:
            messages.warning(request, f"巡查发现 {len(found)} 项问题，已生成整改事项（{found[0].deadline:%m月%d日}前整改）："
                             + "；".join(r.description for r in found))
        else:
            messages.success(request, f"已记录对{done.enterprise.name}的巡查，未发现问题。")
        return redirect("inspections:patrol")
    if done.status == InspectionStatus.PASSED:
        messages.success(request, "检查通过，已存档。")
    else:
        items = list(done.rectifications.order_by("deadline", "pk"))
        listing = "；".join(f"{r.description}（{r.deadline:%m月%d日}前）" for r in items)
        prefix = "验收未通过，申请仍待现场验收，整改后可再次验收。" if is_acceptance else "检查未通过。"
        messages.warning(request, f"{prefix}已生成 {len(items)} 项整改事项：{listing}")
    return redirect("inspections:detail", uuid=done.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def inspection_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    inspection = _scoped_inspection(request, uuid)
    if request.method == "POST":
        return _save_page(request, inspection)
    return _render_detail(request, inspection)


@login_required
@require_POST
def photo_upload(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Photos of one item (``item`` + ``image``), sent with the rest of the page so nothing typed is lost."""
    inspection = _scoped_inspection(request, uuid)
    has_photo = any(key == "image" or key.startswith("image-") for key in request.FILES)
    if has_photo or not request.user.has_perm("inspections.record_inspection", inspection):
        return _save_page(request, inspection)
    typed = _typed_results(request, applicable_items(inspection.template, inspection.enterprise))
    return _render_detail(request, inspection, typed=typed, errors=["请先拍照或选择照片（JPG 或 PNG），再点“上传照片”。"],
                          opinion=request.POST.get("opinion"), signed_name=request.POST.get("signed_name"))


@login_required
@require_safe
def photo_view(request: HttpRequest, uuid: Any, photo: Any) -> FileResponse:
    inspection = _scoped_inspection(request, uuid)
    found = get_object_or_404(InspectionPhoto.objects.select_related("result__item"), uuid=photo, result__inspection=inspection)
    extension = found.image.name.rsplit(".", 1)[-1].lower()
    content_type = PHOTO_TYPES.get(extension) or mimetypes.guess_type(found.image.name)[0] or "application/octet-stream"
    response = FileResponse(found.image.open("rb"), content_type=content_type, as_attachment=False,
                            filename=f"{inspection.enterprise.name}-第{found.result.item.order}项.{extension}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def inspection_complete_view(request: HttpRequest, uuid: Any) -> HttpResponse:
    inspection = _scoped_inspection(request, uuid)
    return _save_page(request, inspection, complete=True)


# -- rectification items --------------------------------------------------------------------------

class RectificationListView(ScopedListView):
    model = RectificationItem
    filterset_class = RectificationFilter
    permission_required = "inspections.list_rectifications"
    export_permission = "inspections.export_rectifications"
    export_name = "整改台账"
    template_name = "inspections/rectifications.html"
    table_template = "inspections/_rectification_table.html"

    def base_queryset(self) -> QuerySet[RectificationItem]:
        return (super().base_queryset()
                .select_related("enterprise__town", "enterprise__region", "inspection__template", "verified_by").order_by("deadline", "pk"))

    def export(self, queryset: QuerySet[RectificationItem]) -> bytes:
        return export_rectifications(queryset)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = context["page"]
        page.object_list = list(page.object_list)
        user = self.request.user
        today = timezone.localdate()
        for item in page.object_list:
            item.is_overdue = item.is_overdue_on(today)
            item.can_answer = user.has_perm("inspections.answer_rectification", item)
            item.can_verify = user.has_perm("inspections.verify_rectification", item)
        context["next"] = self.request.get_full_path()
        if not self.request.headers.get("HX-Request"):
            context["overdue_count"] = RectificationItem.objects.for_user(user).overdue(today).count()  # type: ignore[attr-defined]
        return context


rectification_list = RectificationListView.as_view()


def _scoped_item(request: HttpRequest, pk: int) -> RectificationItem:
    return get_object_or_404(
        RectificationItem.objects.for_user(request.user).select_related("enterprise__region", "enterprise__town", "inspection__template",
                                                                        "verified_by", "created_by"),
        pk=pk,
    )


def _render_item(request: HttpRequest, item: RectificationItem, *, status: int = 200, errors: list[str] | None = None,
                 answer: str = "", reopen_form: ReopenForm | None = None) -> HttpResponse:
    today = timezone.localdate()
    return render(request, "inspections/rectification_detail.html", {
        "item": item,
        "enterprise": item.enterprise,
        "history": rectification_history(item),
        "is_overdue": item.is_overdue_on(today),
        "can_answer": request.user.has_perm("inspections.answer_rectification", item),
        "can_verify": request.user.has_perm("inspections.verify_rectification", item),
        "errors": errors or [],
        "answer": answer,
        "reopen_form": reopen_form or ReopenForm(),
        "max_photos": MAX_EVIDENCE_PHOTOS,
    }, status=status)


@login_required
@permission_required("inspections.list_rectifications", raise_exception=True)
@require_safe
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One finding: what, where, the deadline, and its history (answers with their photos,
    verification or reopening, with who and when); the enterprise answers here, the officer verifies."""
    return _render_item(request, _scoped_item(request, pk))


def _back_to_list(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return redirect("inspections:rectifications")


@login_required
@permission_required("inspections.list_rectifications", raise_exception=True)
@require_POST
def rectification_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise's answer, with photos (``photos``). From the list it goes back there; from the
    item's page a refused answer shows the page again with what was typed."""
    item = _scoped_item(request, pk)
    answer = request.POST.get("answer", "")
    try:
        rectification_answer(item=item, answer=answer, photos=request.FILES.getlist("photos"), acting_user=request.user, request=request)
    except ValidationError as exc:
        if request.POST.get("next"):
            messages.error(request, "；".join(exc.messages))
            return _back_to_list(request)
        return _render_item(request, item, errors=exc.messages, answer=answer)
    messages.success(request, "已提交整改情况，等待检查人员核验。")
    if request.POST.get("next"):
        return _back_to_list(request)
    return redirect("inspections:rectification-detail", pk=item.pk)


@login_required
@permission_required("inspections.list_rectifications", raise_exception=True)
@require_POST
def rectification_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    """销号 (``accepted=1``) or reopen with a reason and a new deadline. The list's quick "not put
    right" button gives its own label as the reason and the policy's deadline."""
    item = _scoped_item(request, pk)
    if not may_inspect(request.user, item.enterprise):
        raise PermissionDenied("该企业不在您的检查范围内。")
    accepted = request.POST.get("accepted") == "1"
    form = ReopenForm(request.POST if not accepted and "reason" in request.POST else None)
    reason, deadline = ("" if accepted else QUICK_REOPEN_REASON), None
    if form.is_bound:
        if not form.is_valid():
            return _render_item(request, item, reopen_form=form, errors=[str(e) for errors in form.errors.values() for e in errors])
        reason, deadline = form.cleaned_data["reason"], form.cleaned_data["deadline"]
    try:
        done = rectification_verify(item=item, accepted=accepted, reason=reason, deadline=deadline, acting_user=request.user, request=request)
    except ValidationError as exc:
        if form.is_bound:
            return _render_item(request, item, reopen_form=form, errors=exc.messages)
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已核验销号。" if done.status == RectificationStatus.VERIFIED
                         else f"已退回，企业需在 {done.deadline:%Y-%m-%d} 前重新整改。")
    if request.POST.get("next"):
        return _back_to_list(request)
    return redirect("inspections:rectification-detail", pk=item.pk)


@login_required
@require_safe
def rectification_evidence(request: HttpRequest, pk: int, photo: Any) -> FileResponse:
    """A photo of the enterprise's answer, reached only through its own item."""
    item = _scoped_item(request, pk)
    found = get_object_or_404(RectificationEvidence, uuid=photo, item=item)
    extension = found.image.name.rsplit(".", 1)[-1].lower()
    content_type = PHOTO_TYPES.get(extension) or "application/octet-stream"
    response = FileResponse(found.image.open("rb"), content_type=content_type, as_attachment=False,
                            filename=f"{item.enterprise.name}-整改照片.{extension}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@permission_required("inspections.list_inspections", raise_exception=True)
@require_http_methods(["GET", "POST"])
def rectification_new(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer files a finding by hand for an enterprise in scope."""
    enterprise = get_object_or_404(Enterprise.objects.for_user(request.user).select_related("region", "town"), pk=pk)
    if not request.user.has_perm("inspections.file_rectification", enterprise):
        raise PermissionDenied("该企业不在您的检查范围内。")
    form = FindingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = rectification_create(enterprise=enterprise, description=form.cleaned_data["description"],
                                        deadline=form.cleaned_data["deadline"], acting_user=request.user, request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已登记整改事项，{item.deadline:%Y-%m-%d} 前整改，已通知企业。")
            return redirect("inspections:rectification-detail", pk=item.pk)
    return render(request, "inspections/rectification_new.html", {
        "enterprise": enterprise, "form": form, "default_deadline": default_deadline(enterprise),
    }, status=400 if form.errors else 200)


@login_required
@permission_required("inspections.view_rectification_summary", raise_exception=True)
@require_safe
def rectification_summary(request: HttpRequest) -> HttpResponse:
    """Found / rectified / overdue per town (Wutongqiao: 10 found, 10 rectified), with export."""
    form = SummaryForm(request.GET or None, user=request.user)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    chosen = form.chosen_region() if data else None
    counts = rectification_counts([chosen] if chosen else scope_paths(request.user), since=data.get("since"), until=data.get("until"),
                                  source=data.get("source", "")) if valid else []
    if request.GET.get("export") == "xlsx":
        if not request.user.has_perm("inspections.export_rectification_summary"):
            return HttpResponse("无导出权限。", status=403)
        return xlsx_response(export_summary(counts), f"整改情况统计-{timezone.localtime():%Y%m%d-%H%M}.xlsx")
    query = request.GET.copy()
    query.pop("export", None)
    totals = {name: sum(getattr(c, name) for c in counts) for name in ("found", "rectified", "answered", "open", "overdue")}
    return render(request, "inspections/rectification_summary.html", {
        "form": form, "counts": counts, "totals": totals, "querystring": query.urlencode(),
        "percent": round(100 * totals["rectified"] / totals["found"]) if totals["found"] else 100,
    })
