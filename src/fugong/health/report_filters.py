"""Filters of the town's daily-report page (and its Excel export)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db import models
from django.db.models import Q, QuerySet

from fugong.enterprises.filters import _regions
from fugong.enterprises.models import Enterprise
from fugong.health.choices import ReportStatus
from fugong.health.reports import NOT_FILED
from fugong.regions.choices import Level


class ReportState(models.TextChoices):
    """Where an enterprise stands with the day's report; a draft not yet confirmed is not reported."""

    REPORTED = "reported", "已报送"
    ZERO = "zero", "零报告"
    MISSING = "missing", "未报送"


STATE_Q: dict[str, Q] = {
    ReportState.REPORTED: Q(report_status=ReportStatus.CONFIRMED),
    ReportState.ZERO: Q(report_status=ReportStatus.ZERO),
    ReportState.MISSING: NOT_FILED,
}


def state_of(report_status: str | None) -> ReportState:
    if report_status == ReportStatus.CONFIRMED:
        return ReportState.REPORTED
    if report_status == ReportStatus.ZERO:
        return ReportState.ZERO
    return ReportState.MISSING


class ReportStatusFilter(django_filters.FilterSet):
    """Needs the queryset annotated by ``reports.with_report_status``. ``date`` is read by the
    view (it decides the annotation); it is here so the form shows and keeps it."""

    q = django_filters.CharFilter(method="search", label="搜索")
    date = django_filters.DateFilter(method="keep", label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    state = django_filters.ChoiceFilter(choices=ReportState.choices, method="filter_state", label="报送情况")
    town = django_filters.ModelChoiceFilter(queryset=_regions(Level.TOWN), label="镇街")
    grid = django_filters.ModelChoiceFilter(queryset=_regions(Level.GRID), field_name="region", label="网格")

    class Meta:
        model = Enterprise
        fields = ["q", "date", "state", "town", "grid"]

    def search(self, queryset: QuerySet[Enterprise], name: str, value: str) -> QuerySet[Enterprise]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(uscc__icontains=value.upper()) | Q(contact_name__icontains=value))

    def filter_state(self, queryset: QuerySet[Enterprise], name: str, value: str) -> QuerySet[Enterprise]:
        return queryset.filter(STATE_Q[value]) if value in STATE_Q else queryset

    def keep(self, queryset: QuerySet[Enterprise], name: str, value: Any) -> QuerySet[Enterprise]:
        return queryset
