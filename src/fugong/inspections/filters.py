"""Filters of the inspection and rectification lists (and their Excel exports)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from fugong.enterprises.models import Enterprise
from fugong.inspections.choices import InspectionStatus, RectificationSource, RectificationStatus, TemplateKind
from fugong.inspections.models import Inspection, RectificationItem
from fugong.regions.choices import Level
from fugong.regions.models import Region

OPEN_STATUSES = (RectificationStatus.OPEN, RectificationStatus.REOPENED)


def _towns(request: Any) -> QuerySet[Region]:
    return Region.objects.for_user(getattr(request, "user", None)).filter(level=Level.TOWN)


def _grids(request: Any) -> QuerySet[Region]:
    return Region.objects.for_user(getattr(request, "user", None)).filter(level=Level.GRID)


def _enterprises(request: Any) -> QuerySet[Enterprise]:
    return Enterprise.objects.for_user(getattr(request, "user", None)).order_by("name")


class InspectionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    status = django_filters.ChoiceFilter(choices=InspectionStatus.choices, label="结果")
    kind = django_filters.ChoiceFilter(choices=TemplateKind.choices, field_name="template__kind", label="类型")
    town = django_filters.ModelChoiceFilter(queryset=_towns, field_name="enterprise__town", label="镇街")

    class Meta:
        model = Inspection
        fields = ["q", "status", "kind", "town"]

    def search(self, queryset: QuerySet[Inspection], name: str, value: str) -> QuerySet[Inspection]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(enterprise__name__icontains=value) | Q(enterprise__uscc__icontains=value.upper()) | Q(application__number__icontains=value)
            | Q(signed_name__icontains=value)
        )


class RectificationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    status = django_filters.ChoiceFilter(choices=RectificationStatus.choices, label="状态")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="已逾期")
    source = django_filters.ChoiceFilter(choices=RectificationSource.choices, method="filter_source", label="来源")
    town = django_filters.ModelChoiceFilter(queryset=_towns, field_name="enterprise__town", label="镇街")
    grid = django_filters.ModelChoiceFilter(queryset=_grids, field_name="enterprise__region", label="网格")
    enterprise = django_filters.ModelChoiceFilter(queryset=_enterprises, field_name="enterprise", label="企业")

    class Meta:
        model = RectificationItem
        fields = ["q", "status", "overdue", "source", "town", "grid", "enterprise"]

    def search(self, queryset: QuerySet[RectificationItem], name: str, value: str) -> QuerySet[RectificationItem]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(enterprise__name__icontains=value) | Q(description__icontains=value) | Q(answer__icontains=value))

    def filter_overdue(self, queryset: QuerySet[RectificationItem], name: str, value: bool | None) -> QuerySet[RectificationItem]:
        """Past the deadline and not verified (RectificationQuerySet.overdue)."""
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.overdue(today) if value else queryset.not_overdue(today)  # type: ignore[attr-defined, no-any-return]

    def filter_source(self, queryset: QuerySet[RectificationItem], name: str, value: str) -> QuerySet[RectificationItem]:
        return queryset.from_source(value) if value else queryset  # type: ignore[attr-defined, no-any-return]

