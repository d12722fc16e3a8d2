"""Filters of the person list (一人一档), shared by the page, its Excel export, the sheet and print
page of personal links, and the API."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from fugong.accounts.scope import scope_of
from fugong.core import idcard
from fugong.enterprises.filters import _regions
from fugong.enterprises.models import Enterprise
from fugong.regions.choices import Level
from fugong.workforce.choices import ClassificationCategory, PersonOrigin, Post
from fugong.workforce.models import Pass, Person
from fugong.workforce.services import id_number_index

ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
UNCLASSIFIED = "none"
_PHONE_SEPARATORS = dict.fromkeys(map(ord, " -"), None)


def _enterprises(request: Any) -> QuerySet[Enterprise]:
    return Enterprise.objects.for_user(getattr(request, "user", None)).only("pk", "name").order_by("name")


def valid_pass_exists(day: Any) -> Exists:
    """Whether the person holds a pass that opens the gate on ``day`` (not revoked, within its dates)."""
    return Exists(Pass.objects.filter(person=OuterRef("pk"), revoked_at__isnull=True, valid_from__lte=day, valid_to__gte=day))


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    enterprise = django_filters.ModelChoiceFilter(queryset=_enterprises, label="企业", empty_label="全部")
    town = django_filters.ModelChoiceFilter(queryset=_regions(Level.TOWN), field_name="enterprise__town", label="镇街", empty_label="全部")
    category = django_filters.ChoiceFilter(choices=[*ClassificationCategory.choices, (UNCLASSIFIED, "资料不全/未分类")],
                                           method="filter_category", label="分类", empty_label="全部")
    origin = django_filters.ChoiceFilter(choices=PersonOrigin.choices, label="来源地", empty_label="全部")
    post = django_filters.ChoiceFilter(choices=Post.choices, label="岗位", empty_label="全部")
    returned_from = django_filters.DateFilter(field_name="return_date", lookup_expr="gte", label="返岗日期从",
                                              widget=forms.DateInput(attrs={"type": "date"}))
    returned_to = django_filters.DateFilter(field_name="return_date", lookup_expr="lte", label="返岗日期至",
                                            widget=forms.DateInput(attrs={"type": "date"}))
    has_pass = django_filters.ChoiceFilter(choices=[("yes", "是"), ("no", "否")], method="filter_has_pass", label="持有效出入证",
                                           empty_label="全部")

    class Meta:
        model = Person
        fields = ["q", "enterprise", "town", "category", "origin", "post", "returned_from", "returned_to", "has_pass"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and not scope_of(user).is_official and len(scope_of(user).enterprise_ids) <= 1:
            # An enterprise admin sees one enterprise's staff: picking it would be a choice of one.
            self.filters.pop("enterprise", None)
            self.filters.pop("town", None)

    def search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        """A full ID number finds its holder through the blind index (the column is encrypted; a part
        of a number finds nothing, by design); digits find a phone number; anything else a name."""
        value = value.strip()
        if not value:
            return queryset
        number = idcard.normalise(value)
        if ID_NUMBER.match(number):
            return queryset.filter(id_number_index=id_number_index(number))
        digits = value.translate(_PHONE_SEPARATORS)
        if digits.isdigit() and len(digits) >= 4:
            return queryset.filter(phone__contains=digits)
        return queryset.filter(name__icontains=value)

    def filter_category(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        if not value:
            return queryset
        return queryset.filter(category="" if value == UNCLASSIFIED else value)

    def filter_has_pass(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        if not value:
            return queryset
        holds = valid_pass_exists(timezone.localdate())
        return queryset.filter(holds) if value == "yes" else queryset.exclude(holds)
