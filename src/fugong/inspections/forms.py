"""Forms of the patrol and rectification pages: the coverage and summary choices (regions limited
to the user's), a finding filed by hand, and the officer's reopening."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from fugong.inspections.choices import RectificationSource
from fugong.inspections.patrols import parse_week, week_label, week_start
from fugong.regions.choices import Level
from fugong.regions.models import Region


class WeekInput(forms.TextInput):
    input_type = "week"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class _RegionChoices(forms.Form):
    """Town and grid choices limited to the regions the user covers."""

    town = forms.ModelChoiceField(queryset=Region.objects.none(), required=False, label="镇街", empty_label="全部")
    grid = forms.ModelChoiceField(queryset=Region.objects.none(), required=False, label="网格", empty_label="全部")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = Region.objects.for_user(user)
        self.fields["town"].queryset = regions.filter(level=Level.TOWN)  # type: ignore[attr-defined]
        self.fields["grid"].queryset = regions.filter(level=Level.GRID)  # type: ignore[attr-defined]

    def chosen_region(self) -> Region | None:
        """The narrowest region chosen (valid forms only)."""
        return self.cleaned_data.get("grid") or self.cleaned_data.get("town")


class CoverageForm(_RegionChoices):
    week = forms.CharField(required=False, label="周次", widget=WeekInput())
    field_order = ["week", "town", "grid"]

    def clean_week(self) -> date:
        value = self.cleaned_data.get("week", "")
        if not value:
            return week_start(timezone.localdate())
        monday = parse_week(value)
        if monday is None:
            raise forms.ValidationError("请选择周次，例如 2020-W08。")
        return monday

    def week_value(self) -> str:
        monday = self.cleaned_data.get("week") if self.is_valid() else None
        return week_label(monday or week_start(timezone.localdate()))


class SummaryForm(_RegionChoices):
    source = forms.ChoiceField(choices=[("", "全部"), *RectificationSource.choices], required=False, label="来源")
    since = forms.DateField(required=False, label="发现日期自", widget=DateInput())
    until = forms.DateField(required=False, label="至", widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("开始日期不能晚于结束日期。")
        return data


class FindingForm(forms.Form):
    """A finding an officer files by hand."""

    description = forms.CharField(label="发现的问题", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label="整改期限", required=False, widget=DateInput(),
                               help_text="不填则按政策参数“整改期限”自动计算。")


class ReopenForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label="新的整改期限", required=False, widget=DateInput(),
                               help_text="不填则按政策参数“整改期限”自动计算。")
