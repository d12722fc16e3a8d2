"""Daily report API: reports in the caller's scope (read), and the enterprise's confirm and zero
report (POST), through the same services as the page."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from fugong.api.scoping import ScopedViewSetMixin
from fugong.enterprises.models import Enterprise
from fugong.health.choices import ReportStatus
from fugong.health.models import DailyReport
from fugong.health.reports import daily_report_confirm, daily_report_zero


class DailyReportFilter(django_filters.FilterSet):
    date = django_filters.DateFilter(label="日期")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="起始日期")
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label="状态")
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label="企业 id")

    class Meta:
        model = DailyReport
        fields = ["date", "date_from", "status", "enterprise"]


class DailyReportSerializer(serializers.ModelSerializer):
    enterprise = serializers.IntegerField(source="enterprise_id", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    returned_today = serializers.DictField(child=serializers.IntegerField(), read_only=True, help_text="今日返岗人数，按来源地")

    class Meta:
        model = DailyReport
        fields = ["id", "enterprise", "enterprise_name", "date", "status", "status_display", "on_site", "returned_today", "in_isolation",
                  "fever_cases", "materials_days", "note", "submitted_at", "updated_at"]
        read_only_fields = fields


class FileReportSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(help_text="企业 id")
    date = serializers.DateField(required=False, help_text="日期（默认今天；可补报以前的日期）")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="情况说明（确认报送时）")


@extend_schema_view(
    list=extend_schema(summary="企业日报列表", description="调用者范围内的企业日报。筛选：date、date_from、status、enterprise。"),
    retrieve=extend_schema(summary="企业日报详情"),
)
class DailyReportViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Daily reports (日报告): officers by jurisdiction, an enterprise its own."""

    queryset = DailyReport.objects.all()
    serializer_class = DailyReportSerializer
    filterset_class = DailyReportFilter
    list_permission = "health.view_daily_reports"
    ordering_fields = ["date", "submitted_at"]

    def get_queryset(self) -> QuerySet[DailyReport]:
        return super().get_queryset().select_related("enterprise").order_by("-date", "enterprise_id")

    def _file(self, request: Request, *, zero: bool) -> Response:
        # Refused by role before the body is read: a caller who never files gets 403 whatever it sent.
        if not request.user.has_perm("health.file_daily_report"):
            raise PermissionDenied("只有企业防疫专员可以报送日报。")
        payload = FileReportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        enterprise = get_object_or_404(Enterprise.objects.for_user(request.user), pk=payload.validated_data["enterprise"])
        try:
            if zero:
                report = daily_report_zero(enterprise=enterprise, day=payload.validated_data.get("date"), acting_user=request.user, request=request)
            else:
                report = daily_report_confirm(enterprise=enterprise, day=payload.validated_data.get("date"),
                                              note=payload.validated_data.get("note", ""), acting_user=request.user, request=request)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise ValidationError({"detail": "；".join(exc.messages)}) from None
        return Response(DailyReportSerializer(report).data, status=status.HTTP_200_OK)

    @extend_schema(summary="确认报送日报", request=FileReportSerializer,
                   responses={200: DailyReportSerializer, 400: OpenApiResponse(description="日期无效"), 403: OpenApiResponse(description="无权报送"),
                              404: OpenApiResponse(description="企业不在范围内")})
    @action(detail=False, methods=["post"])
    def confirm(self, request: Request) -> Response:
        """Confirm the day's report with the figures computed from the data now."""
        return self._file(request, zero=False)

    @extend_schema(summary="零报告", request=FileReportSerializer,
                   responses={200: DailyReportSerializer, 400: OpenApiResponse(description="有隔离或发热人员，不能零报告"),
                              403: OpenApiResponse(description="无权报送"), 404: OpenApiResponse(description="企业不在范围内")})
    @action(detail=False, methods=["post"])
    def zero(self, request: Request) -> Response:
        """File a zero report (零报告): nothing abnormal that day."""
        return self._file(request, zero=True)
