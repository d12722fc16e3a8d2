"""Filters of the check-in and alert lists — shared by the pages, their Excel exports and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet

from fugong.enterprises.filters import _regions
from fugong.enterprises.models import Enterprise
from fugong.health.choices import AlertKind, AlertStatus, CheckInSource
from fugong.health.models import Alert, CheckIn
from fugong.regions.choices import Level
from fugong.workforce.models import Person


def _enterprises(request: Any) -> QuerySet[Enterprise]:
    return Enterprise.objects.for_user(getattr(request, "user", None)).only("pk", "name").order_by("name")


def slot_label(slot: int, per_day: int) -> str:
    """第1次（上午） … in words an enterprise uses."""
    if per_day == 2:
        return {1: "上午", 2: "下午"}.get(slot, f"第{slot}次")
    return f"第{slot}次" + ("（上午）" if slot == 1 else "")


def _slot_choices() -> list[tuple[str, str]]:
    from fugong.health.services import cached_policy

    per_day = int(cached_policy(None).checkins_per_day)
    return [(str(slot), slot_label(slot, per_day)) for slot in range(1, per_day + 1)]


def fever_q() -> Q:
    """Check-ins that raised a fever alert: judged when recorded, by the threshold of their county."""
    return Q(Exists(Alert.objects.filter(checkin=OuterRef("pk"), kind=AlertKind.FEVER)))


class CheckInFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    date = django_filters.DateFilter(label="日期")
    slot = django_filters.ChoiceFilter(choices=_slot_choices, label="时段")
    enterprise = django_filters.ModelChoiceFilter(queryset=_enterprises, label="企业")
    source = django_filters.ChoiceFilter(choices=CheckInSource.choices, label="来源")
    town = django_filters.ModelChoiceFilter(queryset=_regions(Level.TOWN), field_name="enterprise__town", label="镇街")
    fever = django_filters.ChoiceFilter(choices=[("1", "仅看发热"), ("0", "不含发热")], method="filter_fever", label="发热", empty_label="全部")

    class Meta:
        model = CheckIn
        fields = ["q", "date", "slot", "enterprise", "source", "town", "fever"]

    def search(self, queryset: QuerySet[CheckIn], name: str, value: str) -> QuerySet[CheckIn]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(person__name__icontains=value) | Q(enterprise__name__icontains=value))

    def filter_fever(self, queryset: QuerySet[CheckIn], name: str, value: str) -> QuerySet[CheckIn]:
        if value not in ("0", "1"):
            return queryset
        return queryset.filter(fever_q()) if value == "1" else queryset.exclude(fever_q())


class MissingFilter(django_filters.FilterSet):
    """Who has not checked in yet (the list of persons): search and enterprise."""

    q = django_filters.CharFilter(method="search", label="搜索")
    enterprise = django_filters.ModelChoiceFilter(queryset=_enterprises, label="企业")

    class Meta:
        model = Person
        fields = ["q", "enterprise"]

    def search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(enterprise__name__icontains=value) | Q(phone=value))


class AlertFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    kind = django_filters.ChoiceFilter(choices=AlertKind.choices, label="类型")
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices, label="状态")
    date = django_filters.DateFilter(label="日期")
    enterprise = django_filters.ModelChoiceFilter(queryset=_enterprises, label="企业")
    town = django_filters.ModelChoiceFilter(queryset=_regions(Level.TOWN), field_name="enterprise__town", label="镇街")

    class Meta:
        model = Alert
        fields = ["q", "kind", "status", "date", "enterprise", "town"]

    def search(self, queryset: QuerySet[Alert], name: str, value: str) -> QuerySet[Alert]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(person__name__icontains=value) | Q(enterprise__name__icontains=value) | Q(detail__icontains=value))
