"""Filters shared by the enterprise list page, its Excel export and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from fugong.enterprises.choices import Sector, Size, Status
from fugong.enterprises.models import Enterprise
from fugong.regions.choices import Level
from fugong.regions.models import Region


def _regions(level: str) -> Any:
    def queryset(request: Any) -> QuerySet[Region]:
        user = getattr(request, "user", None)
        return Region.objects.for_user(user).filter(level=level)

    return queryset


class EnterpriseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    town = django_filters.ModelChoiceFilter(queryset=_regions(Level.TOWN), label="镇街")
    grid = django_filters.ModelChoiceFilter(queryset=_regions(Level.GRID), field_name="region", label="网格")
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label="行业")
    size = django_filters.ChoiceFilter(choices=Size.choices, label="规模")
    status = django_filters.ChoiceFilter(choices=Status.choices, label="复工状态")
    essential = django_filters.BooleanFilter(method="filter_essential", label="保障类企业")

    class Meta:
        model = Enterprise
        fields = ["q", "town", "grid", "sector", "size", "status", "essential"]

    def search(self, queryset: QuerySet[Enterprise], name: str, value: str) -> QuerySet[Enterprise]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(uscc__icontains=value.upper()) | Q(address__icontains=value) | Q(contact_name__icontains=value)
        )

    def filter_essential(self, queryset: QuerySet[Enterprise], name: str, value: bool | None) -> QuerySet[Enterprise]:
        if value is None:
            return queryset
        return queryset.exclude(essential_category="") if value else queryset.filter(essential_category="")
