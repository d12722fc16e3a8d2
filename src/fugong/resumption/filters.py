"""Filters of the application list and the review queue (and their Excel exports)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from fugong.enterprises.choices import Sector, Size
from fugong.enterprises.filters import _regions
from fugong.regions.choices import Level
from fugong.resumption.choices import Status
from fugong.resumption.models import Application
from fugong.resumption.selectors import due_before, overdue_q

YES_NO = [("", "全部"), ("true", "是"), ("false", "否")]


class ApplicationFilter(django_filters.FilterSet):
    """``overdue`` needs the queryset annotated by ``selectors.with_current_step``."""

    q = django_filters.CharFilter(method="search", label="搜索")
    status = django_filters.ChoiceFilter(choices=Status.choices, label="状态")
    town = django_filters.ModelChoiceFilter(queryset=_regions(Level.TOWN), field_name="enterprise__town", label="镇街")
    sector = django_filters.ChoiceFilter(choices=Sector.choices, field_name="enterprise__sector", label="行业")
    size = django_filters.ChoiceFilter(choices=Size.choices, field_name="enterprise__size", label="规模")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="审核超时", widget=forms.Select(choices=YES_NO))

    class Meta:
        model = Application
        fields = ["q", "status", "town", "sector", "size", "overdue"]

    def search(self, queryset: QuerySet[Application], name: str, value: str) -> QuerySet[Application]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(enterprise__name__icontains=value) | Q(enterprise__uscc__icontains=value.upper()) | Q(number__icontains=value.upper())
        )

    def filter_overdue(self, queryset: QuerySet[Application], name: str, value: bool | None) -> QuerySet[Application]:
        if value is None:
            return queryset
        condition = overdue_q(due_before(getattr(self.request, "user", None)))
        return queryset.filter(condition) if value else queryset.exclude(condition)
