"""Regions API: the caller's jurisdictions and what lies below them."""

from __future__ import annotations

import django_filters
from rest_framework import serializers, viewsets

from fugong.api.scoping import ScopedViewSetMixin
from fugong.regions.choices import Level
from fugong.regions.models import Region


class RegionSerializer(serializers.ModelSerializer):
    parent: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(slug_field="code", read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Region
        fields = ["code", "name", "full_name", "level", "parent", "path", "grid_kind", "is_development_zone"]


class RegionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices)
    parent = django_filters.CharFilter(field_name="parent__code")
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Region
        fields = ["level", "parent", "q"]


class RegionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Regions in the caller's jurisdictions, looked up by division code."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    lookup_field = "code"
    list_permission = "regions.browse_regions"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return super().get_queryset().select_related("parent")
