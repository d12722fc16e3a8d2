"""Filters of the flags list (shared by the page and its Excel export)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from fugong.command.choices import Flag, Reason, ResumptionState
from fugong.command.flags import RESUMED_STATUSES
from fugong.command.models import EnterpriseFlag
from fugong.enterprises.choices import Sector, Size, Status
from fugong.enterprises.filters import _regions
from fugong.regions.choices import Level
from fugong.regions.models import Region


def _places(request: Any) -> QuerySet[Region]:
    """A grid, a village or a town: the place an enterprise is registered at (the dashboard's rows)."""
    return Region.objects.for_user(getattr(request, "user", None)).filter(level__in=[Level.TOWN, Level.VILLAGE, Level.GRID]).order_by("path")


class FlagFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    flag = django_filters.ChoiceFilter(choices=Flag.choices, label="旗色")
    reason = django_filters.ChoiceFilter(choices=Reason.choices, method="filter_reason", label="原因")
    state = django_filters.ChoiceFilter(choices=ResumptionState.choices, method="filter_state", label="复工情况")
    town = django_filters.ModelChoiceFilter(queryset=_regions(Level.TOWN), field_name="enterprise__town", label="镇街")
    grid = django_filters.ModelChoiceFilter(queryset=_places, field_name="enterprise__region", label="网格/村社区")
    sector = django_filters.ChoiceFilter(choices=Sector.choices, field_name="enterprise__sector", label="行业")
    size = django_filters.ChoiceFilter(choices=Size.choices, field_name="enterprise__size", label="规模")

    class Meta:
        model = EnterpriseFlag
        fields = ["q", "flag", "reason", "state", "town", "grid", "sector", "size"]

    def search(self, queryset: QuerySet[EnterpriseFlag], name: str, value: str) -> QuerySet[EnterpriseFlag]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(enterprise__name__icontains=value) | Q(enterprise__uscc__icontains=value.upper())
                               | Q(enterprise__address__icontains=value))

    def filter_reason(self, queryset: QuerySet[EnterpriseFlag], name: str, value: str) -> QuerySet[EnterpriseFlag]:
        return queryset.filter(reason_codes__contains=f",{value},") if value else queryset

    def filter_state(self, queryset: QuerySet[EnterpriseFlag], name: str, value: str) -> QuerySet[EnterpriseFlag]:
        if value == ResumptionState.RESUMED:
            return queryset.filter(enterprise__status__in=RESUMED_STATUSES)
        if value == ResumptionState.SUSPENDED:
            return queryset.filter(enterprise__status=Status.SUSPENDED)
        if value == ResumptionState.NOT_RESUMED:
            return queryset.exclude(enterprise__status__in=[*RESUMED_STATUSES, Status.SUSPENDED])
        return queryset
