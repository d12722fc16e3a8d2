"""Filters of the materials lists (shared by each page and its Excel export)."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from fugong.enterprises.filters import _regions
from fugong.enterprises.models import Enterprise
from fugong.materials.choices import AllocationStatus, MovementKind, SupplyState
from fugong.materials.models import Allocation, Material, StockMovement, Stockpile
from fugong.regions.choices import Level

DATE = {"type": "date"}


def _materials(request: Any) -> QuerySet[Material]:
    return Material.objects.filter(active=True).order_by("order", "code")


def _stockpiles(request: Any) -> QuerySet[Stockpile]:
    return Stockpile.objects.for_user(getattr(request, "user", None)).order_by("name")  # type: ignore[return-value]


class SupplyFilter(django_filters.FilterSet):
    """The officers' list of enterprises; ``state`` (短缺 …) is computed from the movements and the
    policy, not a column, so the view applies it (see ``views.EnterpriseListView``)."""

    q = django_filters.CharFilter(method="search", label="搜索")
    town = django_filters.ModelChoiceFilter(queryset=_regions(Level.TOWN), label="镇街")
    grid = django_filters.ModelChoiceFilter(queryset=_regions(Level.GRID), field_name="region", label="网格")
    state = django_filters.ChoiceFilter(choices=SupplyState.choices, method="keep", label="物资状况")

    class Meta:
        model = Enterprise
        fields = ["q", "town", "grid", "state"]

    def search(self, queryset: QuerySet[Enterprise], name: str, value: str) -> QuerySet[Enterprise]:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(uscc__iexact=value)) if value else queryset

    def keep(self, queryset: QuerySet[Enterprise], name: str, value: str) -> QuerySet[Enterprise]:
        return queryset


class MovementFilter(django_filters.FilterSet):
    material = django_filters.ModelChoiceFilter(queryset=_materials, to_field_name="code", label="物资")
    kind = django_filters.ChoiceFilter(choices=MovementKind.choices, label="类型")

    class Meta:
        model = StockMovement
        fields = ["material", "kind"]


class AllocationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    town = django_filters.ModelChoiceFilter(queryset=_regions(Level.TOWN), field_name="enterprise__town", label="镇街")
    stockpile = django_filters.ModelChoiceFilter(queryset=_stockpiles, label="储备库")
    material = django_filters.ModelChoiceFilter(queryset=_materials, to_field_name="code", label="物资")
    status = django_filters.ChoiceFilter(choices=AllocationStatus.choices, label="状态")
    since = django_filters.DateFilter(method="filter_since", label="起始日期", widget=forms.DateInput(attrs=DATE))
    until = django_filters.DateFilter(method="filter_until", label="截止日期", widget=forms.DateInput(attrs=DATE))

    class Meta:
        model = Allocation
        fields = ["q", "town", "stockpile", "material", "status", "since", "until"]

    def search(self, queryset: QuerySet[Allocation], name: str, value: str) -> QuerySet[Allocation]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(enterprise__name__icontains=value) | Q(stockpile__name__icontains=value) | Q(note__icontains=value))

    @staticmethod
    def _start(day: date) -> Any:
        from datetime import datetime, time

        return timezone.make_aware(datetime.combine(day, time.min))

    def filter_since(self, queryset: QuerySet[Allocation], name: str, value: date) -> QuerySet[Allocation]:
        return queryset.filter(created_at__gte=self._start(value)) if value else queryset

    def filter_until(self, queryset: QuerySet[Allocation], name: str, value: date) -> QuerySet[Allocation]:
        from datetime import timedelta

        return queryset.filter(created_at__lt=self._start(value + timedelta(days=1))) if value else queryset
