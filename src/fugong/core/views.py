"""Shared view machinery: scoped, filtered, paged lists that also export to Excel."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.generic import TemplateView

from fugong.core.excel import XLSX_CONTENT_TYPE, current_progress


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


class ScopedListView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """A list that starts from ``model.objects.for_user``, applies a django-filter FilterSet,
    pages, answers htmx requests with the table alone, and exports the filtered rows with
    ``?export=xlsx`` (the export permission is checked separately)."""

    model: Any
    filterset_class: Any
    paginate_by = 25
    export_permission: str | None = None
    export_name = "导出"
    table_template: str

    def base_queryset(self) -> QuerySet[Any]:
        return self.model.objects.for_user(self.request.user)

    def filtered(self) -> Any:
        return self.filterset_class(self.request.GET or None, queryset=self.base_queryset(), request=self.request)

    def export(self, queryset: QuerySet[Any]) -> bytes:  # pragma: no cover - subclasses that export override
        raise NotImplementedError

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        filterset = self.filtered()
        # Strict, as django-filter's FilterView and the API: a filter value that is refused (another
        # town's id, an unknown sector) lists nothing, never everything in scope.
        queryset = filterset.queryset.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
        if request.GET.get("export") == "xlsx" and self.export_permission:
            if not request.user.has_perm(self.export_permission):
                return HttpResponse("无导出权限。", status=403)
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            if (progress := current_progress()) is not None:  # run as a background export job (fugong.exports)
                progress.begin(queryset.count())
            return xlsx_response(self.export(queryset), f"{self.export_name}-{stamp}.xlsx")
        page = Paginator(queryset, self.paginate_by).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = self.get_context_data(filter=filterset, page=page, querystring=query.urlencode())
        if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "list-table":
            response = self.response_class(request=request, template=[self.table_template], context=context)
        else:
            response = self.render_to_response(context)
        # The same URL answers with the table alone or the whole page: caches (and the browser's
        # back button) must not serve one for the other.
        patch_vary_headers(response, ("HX-Request", "HX-Target"))
        return response
