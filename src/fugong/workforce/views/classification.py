"""Classification pages: the risk-area list (风险地区: list, add, edit, end, import from Excel) and
the re-evaluation runs (重新评估: the runs with a live progress bar, and each run's changes).

The risk-area list is national data kept by the admin and the command officers and read by grid
officers (``workforce.view_risk_areas`` / ``change_risk_areas``). A run is seen by the officers
whose jurisdiction it concerns; its changes are narrowed to the persons in their scope, shown by
masked name."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fugong.accounts.scope import scope_of
from fugong.core.excel import write_xlsx
from fugong.core.masking import mask_name
from fugong.core.views import ScopedListView, xlsx_response
from fugong.regions.models import Region
from fugong.workforce.choices import ClassificationCategory, ReevaluationTrigger, RiskLevel, RunStatus
from fugong.workforce.classify import category_label, reevaluation_start
from fugong.workforce.models import ClassificationChange, ReevaluationRun, RiskArea
from fugong.workforce.risk import (
    PlaceResolver,
    RiskAreaImporter,
    region_label,
    region_labels,
    risk_area_create,
    risk_area_end,
    risk_area_update,
    template_workbook,
)

MAX_IMPORT_BYTES = 5 * 1024 * 1024
ERRORS_SESSION_KEY = "risk_import_errors"

# -- risk areas -----------------------------------------------------------------------------------

CURRENT, ENDED, FUTURE = "current", "ended", "future"
RISK_STATES = [(CURRENT, "现为风险地区"), (ENDED, "已解除"), (FUTURE, "尚未生效")]


class RiskAreaFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    level = django_filters.ChoiceFilter(choices=RiskLevel.choices, label="风险等级")
    state = django_filters.ChoiceFilter(choices=RISK_STATES, method="filter_state", label="状态")

    class Meta:
        model = RiskArea
        fields = ["q", "level", "state"]

    def search(self, queryset: QuerySet[RiskArea], name: str, value: str) -> QuerySet[RiskArea]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(region__name__icontains=value) | Q(region__full_name__icontains=value) | Q(region__code__startswith=value)
                               | Q(source__icontains=value))

    def filter_state(self, queryset: QuerySet[RiskArea], name: str, value: str) -> QuerySet[RiskArea]:
        today = timezone.localdate()
        return {
            CURRENT: queryset.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today), valid_from__lte=today),
            ENDED: queryset.filter(valid_to__lt=today),
            FUTURE: queryset.filter(valid_from__gt=today),
        }.get(value, queryset)


def _risk_state(area: RiskArea, today: Any) -> tuple[str, str]:
    if area.valid_from > today:
        return "尚未生效", "warning"
    if area.valid_to is not None and area.valid_to < today:
        return "已解除", "secondary"
    return "现为风险地区", "danger"


class RiskAreaListView(ScopedListView):
    model = RiskArea
    filterset_class = RiskAreaFilter
    permission_required = "workforce.view_risk_areas"
    export_permission = "workforce.view_risk_areas"
    export_name = "风险地区名单"
    template_name = "workforce/risk_list.html"
    table_template = "workforce/risk_table.html"

    def base_queryset(self) -> QuerySet[RiskArea]:
        return super().base_queryset().select_related("region").order_by("-valid_from", "region__code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        areas = list(context["page"])
        labels = region_labels(area.region for area in areas)
        for area in areas:
            area.state_label, area.state_colour = _risk_state(area, today)  # type: ignore[attr-defined]
            area.place = labels[area.region_id]  # type: ignore[attr-defined]
        context["may_change"] = self.request.user.has_perm("workforce.change_risk_areas")
        return context

    def export(self, queryset: QuerySet[RiskArea]) -> bytes:
        today = timezone.localdate()
        areas = list(queryset)
        labels = region_labels(area.region for area in areas)
        rows = ([labels[a.region_id], a.region.code, a.get_level_display(), a.valid_from, a.valid_to, _risk_state(a, today)[0], a.source]
                for a in areas)
        return write_xlsx(["地区", "区划代码", "风险等级", "起始日期", "截止日期", "状态", "依据"], rows, title="风险地区")


risk_list = RiskAreaListView.as_view()


class RiskAreaForm(forms.Form):
    """A risk area; the place is typed or picked from the tree (a datalist of every province,
    city and county, by code with the full name shown)."""

    place = forms.CharField(label="地区", max_length=100, help_text="输入名称或区划代码，从列表中选择，如“湖北省武汉市”或“420100”。",
                            widget=forms.TextInput(attrs={"list": "risk-places", "autocomplete": "off"}),
                            error_messages={"required": "请填写地区。"})
    level = forms.ChoiceField(label="风险等级", choices=RiskLevel.choices)
    valid_from = forms.DateField(label="起始日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 error_messages={"required": "请填写起始日期。", "invalid": "起始日期格式应为 2020-02-01。"})
    valid_to = forms.DateField(label="截止日期", required=False, help_text="空表示至今仍是风险地区。",
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                               error_messages={"invalid": "截止日期格式应为 2020-02-01。"})
    source = forms.CharField(label="依据", max_length=255, required=False, help_text="发布名单的通告或文件。")

    def __init__(self, *args: Any, resolver: PlaceResolver, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.resolver = resolver

    def clean_place(self) -> Region:
        try:
            pk = self.resolver.resolve(self.cleaned_data["place"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        return Region.objects.get(pk=pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", "截止日期不能早于起始日期。")
        return data


def _form_errors(form: forms.Form, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error({"region": "place"}.get(field, field) if field in (*form.fields, "region") else None, errors)
    else:
        form.add_error(None, exc.messages)


def _risk_form_page(request: HttpRequest, form: RiskAreaForm, resolver: PlaceResolver, **extra: Any) -> HttpResponse:
    from fugong.regions.choices import Level

    counties = set(Region.objects.filter(level__in=[Level.PROVINCE, Level.CITY, Level.COUNTY]).values_list("code", flat=True))
    places = [(code, label) for code, label in resolver.choices() if code in counties]
    return render(request, "workforce/risk_form.html", {"form": form, "places": places, **extra})


@login_required
@permission_required("workforce.change_risk_areas", raise_exception=True)
@require_http_methods(["GET", "POST"])
def risk_create(request: HttpRequest) -> HttpResponse:
    resolver = PlaceResolver()
    form = RiskAreaForm(request.POST or None, resolver=resolver, initial={"valid_from": timezone.localdate(), "level": RiskLevel.HIGH})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            area = risk_area_create(region=data["place"], level=data["level"], valid_from=data["valid_from"], valid_to=data["valid_to"],
                                    source=data["source"], acting_user=request.user, request=request)
        except (ValidationError, PermissionDenied) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"已添加风险地区：{region_label(area.region)}。受影响人员正在重新评估。")
            return redirect("workforce:risk-list")
    return _risk_form_page(request, form, resolver, title="添加风险地区")


def _scoped_area(request: HttpRequest, pk: int) -> RiskArea:
    return get_object_or_404(RiskArea.objects.for_user(request.user).select_related("region"), pk=pk)


@login_required
@permission_required("workforce.change_risk_areas", raise_exception=True)
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    area = _scoped_area(request, pk)
    resolver = PlaceResolver()
    initial = {"place": area.region.code, "level": area.level, "valid_from": area.valid_from, "valid_to": area.valid_to, "source": area.source}
    form = RiskAreaForm(request.POST or None, resolver=resolver, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            risk_area_update(area=area, acting_user=request.user, request=request, data={
                "region": data["place"], "level": data["level"], "valid_from": data["valid_from"], "valid_to": data["valid_to"],
                "source": data["source"]})
        except (ValidationError, PermissionDenied) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "已保存。受影响人员正在重新评估。")
            return redirect("workforce:risk-list")
    return _risk_form_page(request, form, resolver, title=f"修改风险地区：{region_label(area.region)}", area=area)


@login_required
@permission_required("workforce.change_risk_areas", raise_exception=True)
@require_POST
def risk_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End a risk area today: from tomorrow it no longer counts."""
    area = _scoped_area(request, pk)
    try:
        risk_area_end(area=area, acting_user=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"{region_label(area.region)} 已解除风险地区（截至今日）。受影响人员正在重新评估。")
    return redirect("workforce:risk-list")


@login_required
@permission_required("workforce.change_risk_areas", raise_exception=True)
@require_http_methods(["GET", "POST"])
def risk_import(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {}
    if request.method == "POST":
        request.session.pop(ERRORS_SESSION_KEY, None)  # a report belongs to the import that made it
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = "请选择要导入的文件。"
        elif upload.size and upload.size > MAX_IMPORT_BYTES:
            context["error"] = f"文件过大，上限 {MAX_IMPORT_BYTES // 1024 // 1024} MB。"
        else:
            result = RiskAreaImporter(acting_user=request.user, request=request).run(upload.read(), upload.name or "")
            context["result"] = result
            if result.refused:
                request.session[ERRORS_SESSION_KEY] = result.error_report().hex()
    return render(request, "workforce/risk_import.html", context)


@login_required
@permission_required("workforce.change_risk_areas", raise_exception=True)
@require_safe
def risk_import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(template_workbook(), "风险地区导入模板.xlsx")


@login_required
@permission_required("workforce.change_risk_areas", raise_exception=True)
@require_safe
def risk_import_errors(request: HttpRequest) -> HttpResponse:
    report = request.session.get(ERRORS_SESSION_KEY)
    if not report:
        messages.info(request, "没有可下载的错误报告。")
        return redirect("workforce:risk-import")
    return xlsx_response(bytes.fromhex(report), "风险地区导入错误报告.xlsx")


# -- re-evaluation runs ---------------------------------------------------------------------------


class RunFilter(django_filters.FilterSet):
    trigger = django_filters.ChoiceFilter(choices=ReevaluationTrigger.choices, label="原因")
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, label="状态")

    class Meta:
        model = ReevaluationRun
        fields = ["trigger", "status"]


def _decorate_run(run: ReevaluationRun) -> ReevaluationRun:
    run.percent = 100 if run.status == RunStatus.DONE else (run.done * 100 // run.total if run.total else 0)  # type: ignore[attr-defined]
    run.active = run.status in (RunStatus.PENDING, RunStatus.RUNNING)  # type: ignore[attr-defined]
    return run


class RunListView(ScopedListView):
    model = ReevaluationRun
    filterset_class = RunFilter
    permission_required = "workforce.view_reevaluations"
    template_name = "workforce/reevaluation_list.html"
    table_template = "workforce/reevaluation_table.html"

    def base_queryset(self) -> QuerySet[ReevaluationRun]:
        return super().base_queryset().select_related("region", "created_by").order_by("-created_at")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        runs = [_decorate_run(run) for run in context["page"]]
        # How many of each run's changes the user may see (their jurisdiction's persons): one query.
        from django.db.models import Count

        seen = dict(ClassificationChange.objects.for_user(self.request.user).filter(run__in=runs).values("run")
                    .annotate(n=Count("pk")).values_list("run", "n"))
        for run in runs:
            run.changed_in_scope = seen.get(run.pk, 0)  # type: ignore[attr-defined]
        context["may_start"] = self.request.user.has_perm("workforce.start_reevaluation")
        return context


reevaluation_list = RunListView.as_view()


def _scoped_run(request: HttpRequest, pk: int) -> ReevaluationRun:
    return get_object_or_404(ReevaluationRun.objects.for_user(request.user).select_related("region", "created_by"), pk=pk)


class ChangeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    new_category = django_filters.ChoiceFilter(choices=ClassificationCategory.choices, label="新分类")

    class Meta:
        model = ClassificationChange
        fields = ["q", "new_category"]

    def search(self, queryset: QuerySet[ClassificationChange], name: str, value: str) -> QuerySet[ClassificationChange]:
        value = value.strip()
        return queryset.filter(Q(person__name__icontains=value) | Q(person__enterprise__name__icontains=value)) if value else queryset


class RunDetailView(ScopedListView):
    """One run: its progress and the changes it made to persons in the user's scope."""

    model = ClassificationChange
    filterset_class = ChangeFilter
    permission_required = "workforce.view_reevaluations"
    export_permission = "workforce.view_reevaluations"
    export_name = "重新评估结果"
    template_name = "workforce/reevaluation_detail.html"
    table_template = "workforce/reevaluation_changes.html"
    paginate_by = 50

    def base_queryset(self) -> QuerySet[ClassificationChange]:
        self.run = _scoped_run(self.request, self.kwargs["pk"])
        return (ClassificationChange.objects.for_user(self.request.user).filter(run=self.run)
                .select_related("person__enterprise").order_by("person__enterprise__name", "person__name"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for change in context["page"]:
            _label_change(change)
        context["run"] = _decorate_run(self.run)
        return context

    def export(self, queryset: QuerySet[ClassificationChange]) -> bytes:
        rows = ([c.person.enterprise.name, mask_name(c.person.name), c.person.id_masked, category_label(c.old_category),
                 category_label(c.new_category), c.old_eligible_on, c.new_eligible_on, c.rule, c.reason] for c in queryset.iterator(chunk_size=2000))
        return write_xlsx(["企业", "姓名", "身份证号", "原分类", "新分类", "原可发证日期", "新可发证日期", "适用规则", "理由"], rows, title="分类变化")


def _label_change(change: ClassificationChange) -> ClassificationChange:
    change.masked_name = mask_name(change.person.name)  # type: ignore[attr-defined]
    change.old_label = category_label(change.old_category) if change.old_category else "未分类"  # type: ignore[attr-defined]
    change.new_label = category_label(change.new_category)  # type: ignore[attr-defined]
    return change


reevaluation_detail = RunDetailView.as_view()


@login_required
@permission_required("workforce.view_reevaluations", raise_exception=True)
@require_safe
def reevaluation_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar of one run (htmx polls it every second while the run is active)."""
    return render(request, "workforce/reevaluation_progress.html", {"run": _decorate_run(_scoped_run(request, pk))})


@login_required
@permission_required("workforce.start_reevaluation", raise_exception=True)
@require_POST
def reevaluation_start_view(request: HttpRequest) -> HttpResponse:
    """Re-evaluate by hand: the user's jurisdiction (the admin: everyone), e.g. after an import
    of people whose classification was not yet done, or to refresh every "today"."""
    scope = scope_of(request.user)
    region = None
    if not scope.is_admin:
        region = Region.objects.filter(path__in=scope.command_paths).order_by("path").first()
        if region is None:
            raise PermissionDenied
    run = reevaluation_start(trigger=ReevaluationTrigger.MANUAL, region=region, acting_user=request.user, request=request)
    messages.success(request, "已开始重新评估。")
    return redirect("workforce:reevaluation-detail", pk=run.pk)
