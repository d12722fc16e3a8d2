"""Filters of the placement list (shared by the page, its Excel export and the API) and of the
site list."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from fugong.enterprises.filters import _regions
from fugong.quarantine.choices import SITE_KINDS, DueFilter, PlacementReason, PlacementStatus, QuarantineKind
from fugong.quarantine.models import Placement, Site
from fugong.regions.choices import Level


def _sites(request: Any) -> QuerySet[Site]:
    return Site.objects.for_user(getattr(request, "user", None)).order_by("kind", "name")


class PlacementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    kind = django_filters.ChoiceFilter(choices=QuarantineKind.choices, label="隔离方式")
    status = django_filters.ChoiceFilter(choices=PlacementStatus.choices, label="状态")
    due = django_filters.ChoiceFilter(choices=DueFilter.choices, method="filter_due", label="到期")
    reason = django_filters.ChoiceFilter(choices=PlacementReason.choices, label="原因")
    town = django_filters.ModelChoiceFilter(queryset=_regions(Level.TOWN), field_name="enterprise__town", label="镇街")
    site = django_filters.ModelChoiceFilter(queryset=_sites, label="隔离点")

    class Meta:
        model = Placement
        fields = ["q", "kind", "status", "due", "reason", "town", "site"]

    def search(self, queryset: QuerySet[Placement], name: str, value: str) -> QuerySet[Placement]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(person__name__icontains=value) | Q(enterprise__name__icontains=value) | Q(site__name__icontains=value)
                               | Q(room__number=value))

    def filter_due(self, queryset: QuerySet[Placement], name: str, value: str) -> QuerySet[Placement]:
        today = timezone.localdate()
        if value == DueFilter.TODAY:
            return queryset.filter(status=PlacementStatus.ACTIVE, planned_end=today)
        if value == DueFilter.OVERDUE:
            return queryset.filter(status=PlacementStatus.ACTIVE, planned_end__lt=today)
        return queryset


YES_NO = [("", "全部"), ("true", "是"), ("false", "否")]


class SiteFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    kind = django_filters.ChoiceFilter(choices=[(k.value, k.label) for k in SITE_KINDS], label="类型")
    reserve = django_filters.BooleanFilter(label="储备酒店", widget=forms.Select(choices=YES_NO))

    class Meta:
        model = Site
        fields = ["q", "kind", "reserve"]

    def search(self, queryset: QuerySet[Site], name: str, value: str) -> QuerySet[Site]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value) | Q(enterprise__name__icontains=value))
