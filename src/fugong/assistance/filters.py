"""Filters of the help-request list and the labour ledger (shared by the pages and their Excel exports)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from fugong.assistance.choices import AWAITING_ANSWER, OPEN_STATUSES, Category, Channel, DueFilter, PositionStatus, RequestStatus
from fugong.assistance.models import HelpRequest, Position
from fugong.enterprises.choices import Sector
from fugong.enterprises.filters import _regions
from fugong.regions.choices import Level
from fugong.regions.models import Department


def _departments(request: Any) -> QuerySet[Department]:
    """The departments handling the requests the user sees."""
    seen = HelpRequest.objects.for_user(getattr(request, "user", None)).values("department_id")
    return Department.objects.filter(pk__in=seen).select_related("region").order_by("region__path", "name")


class HelpRequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices, label="状态")
    due = django_filters.ChoiceFilter(choices=DueFilter.choices, method="filter_due", label="办理情况")
    category = django_filters.ChoiceFilter(choices=Category.choices, label="类别")
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label="渠道")
    town = django_filters.ModelChoiceFilter(queryset=_regions(Level.TOWN), field_name="enterprise__town", label="镇街")
    department = django_filters.ModelChoiceFilter(queryset=_departments, label="承办部门")

    class Meta:
        model = HelpRequest
        fields = ["q", "status", "due", "category", "channel", "town", "department"]

    def search(self, queryset: QuerySet[HelpRequest], name: str, value: str) -> QuerySet[HelpRequest]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value) | Q(enterprise__name__icontains=value))

    def filter_due(self, queryset: QuerySet[HelpRequest], name: str, value: str) -> QuerySet[HelpRequest]:
        if value == DueFilter.OVERDUE:
            return queryset.filter(status__in=AWAITING_ANSWER, answer_due_at__lt=timezone.now())
        if value == DueFilter.OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset


class PositionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    status = django_filters.ChoiceFilter(choices=PositionStatus.choices, label="状态")
    sector = django_filters.ChoiceFilter(choices=Sector.choices, field_name="enterprise__sector", label="行业")
    town = django_filters.ModelChoiceFilter(queryset=_regions(Level.TOWN), field_name="enterprise__town", label="镇街")

    class Meta:
        model = Position
        fields = ["q", "status", "sector", "town"]

    def search(self, queryset: QuerySet[Position], name: str, value: str) -> QuerySet[Position]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(skills__icontains=value) | Q(enterprise__name__icontains=value))
