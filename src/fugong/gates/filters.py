"""Filters of a gate's log (the page, its Excel export)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from fugong.gates.choices import Direction, Outcome, PassageKind
from fugong.gates.models import Passage


class PassageFilter(django_filters.FilterSet):
    """``date`` is one day (the view fills in today when the address names none; an empty value
    lists every day). The search looks in plates, units, purposes, hosts and reasons, and in names
    only for those who see names in full (searching by name would otherwise unmask them)."""

    q = django_filters.CharFilter(method="search", label="搜索")
    date = django_filters.DateFilter(field_name="date", label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = django_filters.ChoiceFilter(choices=PassageKind.choices, label="类型", empty_label="全部")
    direction = django_filters.ChoiceFilter(choices=Direction.choices, label="方向", empty_label="全部")
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices, label="结果", empty_label="全部")
    fever = django_filters.BooleanFilter(field_name="fever", label="发热", widget=forms.Select(choices=[("", "全部"), ("true", "发热"),
                                                                                                       ("false", "正常")]))

    class Meta:
        model = Passage
        fields = ["q", "date", "kind", "direction", "outcome", "fever"]

    def __init__(self, *args: Any, names_visible: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.names_visible = names_visible

    def search(self, queryset: QuerySet[Passage], name: str, value: str) -> QuerySet[Passage]:
        value = value.strip()
        if not value:
            return queryset
        query = (Q(plate__icontains=value.upper().replace(" ", "")) | Q(company__icontains=value) | Q(purpose__icontains=value)
                 | Q(host__icontains=value) | Q(reason__icontains=value) | Q(cargo__icontains=value) | Q(enterprise__name__icontains=value))
        if self.names_visible:
            query |= Q(name__icontains=value) | Q(person__name__icontains=value) | Q(phone__contains=value)
        return queryset.filter(query)
