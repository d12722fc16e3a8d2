"""Filters of the inspection and rectification lists (and their Excel exports)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from fugong.inspections.choices import InspectionStatus, RectificationStatus, TemplateKind
from fugong.inspections.models import Inspection, RectificationItem
from fugong.regions.choices import Level
from fugong.regions.models import Region

OPEN_STATUSES = (RectificationStatus.OPEN, RectificationStatus.REOPENED)


def _towns(request: Any) -> QuerySet[Region]:
    return Region.objects.for_user(getattr(request, "user", None)).filter(level=Level.TOWN)


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
    town = django_filters.ModelChoiceFilter(queryset=_towns, field_name="enterprise__town", label="镇街")

    class Meta:
        model = RectificationItem
        fields = ["q", "status", "overdue", "town"]

    def search(self, queryset: QuerySet[RectificationItem], name: str, value: str) -> QuerySet[RectificationItem]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(enterprise__name__icontains=value) | Q(description__icontains=value) | Q(answer__icontains=value))

    def filter_overdue(self, queryset: QuerySet[RectificationItem], name: str, value: bool | None) -> QuerySet[RectificationItem]:
        if value is None:
            return queryset
        overdue = Q(status__in=OPEN_STATUSES, deadline__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
