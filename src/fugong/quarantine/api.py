"""Quarantine API: placements in the caller's scope, read only (placing and releasing are done on
the pages, by officers who see the site's beds). Filters as the list page: q, kind, status, due
(today / overdue), reason, town, site."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from fugong.api.scoping import ScopedViewSetMixin
from fugong.quarantine.filters import PlacementFilter
from fugong.quarantine.models import Placement, QuarantineCheck


class QuarantineCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuarantineCheck
        fields = ["date", "slot", "temperature", "cough", "symptoms", "recorded_at"]
        read_only_fields = fields


class PlacementSerializer(serializers.ModelSerializer):
    person = serializers.UUIDField(source="person_id", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    id_masked = serializers.CharField(source="person.id_masked", read_only=True)
    enterprise = serializers.IntegerField(source="enterprise_id", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    site = serializers.IntegerField(source="site_id", read_only=True, allow_null=True)
    site_name = serializers.CharField(source="site.name", read_only=True, allow_null=True, default=None)
    room = serializers.CharField(source="room.number", read_only=True, allow_null=True, default=None)
    bed = serializers.CharField(source="bed.label", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Placement
        fields = ["id", "person", "person_name", "id_masked", "enterprise", "enterprise_name", "kind", "kind_display", "reason",
                  "reason_display", "site", "site_name", "room", "bed", "start", "planned_end", "status", "status_display", "released_on",
                  "release_note", "created_at", "updated_at"]
        read_only_fields = fields


class PlacementDetailSerializer(PlacementSerializer):
    checks = QuarantineCheckSerializer(many=True, read_only=True)

    class Meta(PlacementSerializer.Meta):
        fields = [*PlacementSerializer.Meta.fields, "checks"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="隔离安排列表",
                       description="调用者范围内的隔离安排。筛选：q、kind、status、due（today 今日到期 / overdue 超期）、reason、town、site。"),
    retrieve=extend_schema(summary="隔离安排详情", description="隔离方式、地点、起止日期、解除情况和每日检测记录。"),
)
class PlacementViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Placements (隔离安排) in the caller's scope: officers by jurisdiction, an enterprise its
    staff and its observation area, an employee their own."""

    queryset = Placement.objects.all()
    lookup_url_kwarg = "uuid"  # the same address as the page's (/quarantine/<uuid>/)
    filterset_class = PlacementFilter
    list_permission = "quarantine.list_placements"
    ordering_fields = ["start", "planned_end", "released_on"]

    def get_serializer_class(self) -> Any:
        return PlacementSerializer if self.action == "list" else PlacementDetailSerializer

    def get_queryset(self) -> Any:
        queryset = super().get_queryset().select_related("person", "enterprise", "site", "room", "bed").order_by("status", "planned_end", "-start")
        return queryset if self.action == "list" else queryset.prefetch_related("checks")
