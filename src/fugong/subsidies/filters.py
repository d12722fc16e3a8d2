"""Filters of the application list (shared by the page and its Excel export)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from fugong.enterprises.filters import _regions
from fugong.regions.choices import Level
from fugong.subsidies.choices import ApplicationStatus
from fugong.subsidies.models import SubsidyApplication, SubsidyScheme


def _schemes(request: Any) -> QuerySet[SubsidyScheme]:
    return SubsidyScheme.objects.for_user(getattr(request, "user", None)).order_by("name")


class ApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    scheme = django_filters.ModelChoiceFilter(queryset=_schemes, label="补贴政策")
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices, label="状态")
    town = django_filters.ModelChoiceFilter(queryset=_regions(Level.TOWN), field_name="enterprise__town", label="镇街")

    class Meta:
        model = SubsidyApplication
        fields = ["q", "scheme", "status", "town"]

    def search(self, queryset: QuerySet[SubsidyApplication], name: str, value: str) -> QuerySet[SubsidyApplication]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(enterprise__name__icontains=value) | Q(scheme__name__icontains=value))
