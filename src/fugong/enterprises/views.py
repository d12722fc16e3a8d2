"""Enterprise pages: list, detail, create, edit, export, import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from fugong.core.views import ScopedListView, xlsx_response
from fugong.enterprises.exporters import export_enterprises
from fugong.enterprises.filters import EnterpriseFilter
from fugong.enterprises.forms import EnterpriseForm
from fugong.enterprises.importers import EnterpriseImporter, template_workbook
from fugong.enterprises.models import Enterprise
from fugong.enterprises.services import enterprise_create, enterprise_update

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class EnterpriseListView(ScopedListView):
    model = Enterprise
    filterset_class = EnterpriseFilter
    permission_required = "enterprises.list_enterprises"
    export_permission = "enterprises.export_enterprises"
    export_name = "企业台账"
    template_name = "enterprises/list.html"
    table_template = "enterprises/_table.html"

    def base_queryset(self) -> QuerySet[Enterprise]:
        return super().base_queryset().select_related("town", "region")

    def export(self, queryset: QuerySet[Enterprise]) -> bytes:
        return export_enterprises(queryset)


@login_required
@require_safe
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = get_object_or_404(Enterprise.objects.for_user(request.user).select_related("town", "region"), pk=pk)
    return render(request, "enterprises/detail.html", {
        "enterprise": enterprise,
        "can_change": request.user.has_perm("enterprises.change_enterprise", enterprise),
        "gates": enterprise.gates.all(),
    })


def _save_errors(form: EnterpriseForm, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        form.add_error("region", str(exc))
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@permission_required("enterprises.add_enterprise", raise_exception=True)
@require_http_methods(["GET", "POST"])
def enterprise_create_view(request: HttpRequest) -> HttpResponse:
    form = EnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = enterprise_create(acting_user=request.user, data=form.cleaned_data, request=request)
        except (ValidationError, PermissionDenied) as exc:
            _save_errors(form, exc)
        else:
            messages.success(request, f"已登记企业：{enterprise.name}")
            return redirect(enterprise)
    return render(request, "enterprises/form.html", {"form": form, "title": "登记企业"})


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = get_object_or_404(Enterprise.objects.for_user(request.user), pk=pk)
    if not request.user.has_perm("enterprises.change_enterprise", enterprise):
        raise PermissionDenied
    form = EnterpriseForm(request.POST or None, instance=enterprise, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise_update(enterprise=enterprise, acting_user=request.user, data=form.cleaned_data, request=request)
        except (ValidationError, PermissionDenied) as exc:
            _save_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect(enterprise)
    return render(request, "enterprises/form.html", {"form": form, "title": f"修改：{enterprise.name}", "enterprise": enterprise})


@login_required
@permission_required("enterprises.import_enterprises", raise_exception=True)
@require_http_methods(["GET", "POST"])
def enterprise_import_view(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {}
    if request.method == "POST":
        # A report belongs to the import that produced it; the next one must not offer it again.
        request.session.pop("enterprise_import_errors", None)
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = "请选择要导入的文件。"
        elif upload.size and upload.size > MAX_IMPORT_BYTES:
            context["error"] = f"文件过大（{upload.size // 1024 // 1024} MB），上限 {MAX_IMPORT_BYTES // 1024 // 1024} MB。"
        else:
            result = EnterpriseImporter(acting_user=request.user, request=request).run(upload.read(), upload.name or "")
            context["result"] = result
            if result.refused:
                request.session["enterprise_import_errors"] = result.error_report().hex()
    return render(request, "enterprises/import.html", context)


@login_required
@permission_required("enterprises.import_enterprises", raise_exception=True)
@require_safe
def enterprise_import_errors(request: HttpRequest) -> HttpResponse:
    report = request.session.get("enterprise_import_errors")
    if not report:
        messages.info(request, "没有可下载的错误报告。")
        return redirect("enterprises:import")
    return xlsx_response(bytes.fromhex(report), "企业导入错误报告.xlsx")


@login_required
@permission_required("enterprises.import_enterprises", raise_exception=True)
@require_safe
def enterprise_import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(template_workbook(), "企业导入模板.xlsx")
