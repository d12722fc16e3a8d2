"""Forms of the quarantine pages. They read what was typed; the services decide (and refuse in
Chinese), and the views put a refusal back on the form next to the field it concerns."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from fugong.quarantine.choices import SITE_KINDS, PlacementReason, QuarantineKind
from fugong.quarantine.models import Room, Site
from fugong.quarantine.selectors import with_occupancy

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        used, total = getattr(obj, "used_beds", 0), getattr(obj, "bed_count", 0)
        reserve = "（储备）" if obj.reserve else ""
        return f"{obj.get_kind_display()} · {obj.name}{reserve} · 空床 {max(total - used, 0)}/{total}"


class PlacementForm(forms.Form):
    """Where, why and from when. The room may be left empty: a free bed is chosen."""

    kind = forms.ChoiceField(label="隔离方式", choices=QuarantineKind.choices, widget=forms.Select(attrs={"data-quarantine-kind": ""}))
    reason = forms.ChoiceField(label="隔离原因", choices=PlacementReason.choices)
    start = forms.DateField(label="开始日期", widget=DATE_INPUT)
    site = SiteChoiceField(label="隔离点", queryset=Site.objects.none(), required=False, help_text="居家隔离不选；企业观察区只能安排本企业员工")
    room = forms.CharField(label="房间号", max_length=20, required=False, help_text="留空则自动分配空床")
    note = forms.CharField(label="安排说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = with_occupancy(Site.objects.for_user(user).filter(kind__in=SITE_KINDS)).order_by("kind", "reserve", "name")
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]
        self.fields["start"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, site = data.get("kind"), data.get("site")
        if kind and kind != QuarantineKind.HOME and site is None:
            self.add_error("site", "请选择隔离点。")
        number = (data.get("room") or "").strip()
        data["room_obj"] = None
        if number and site is not None and kind != QuarantineKind.HOME:
            room = Room.objects.filter(site=site, number=number).first()
            if room is None:
                self.add_error("room", f"{site.name}没有 {number} 室。")
            data["room_obj"] = room
        return data


class CheckForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE_INPUT)
    slot = forms.TypedChoiceField(label="时段", coerce=int)
    temperature = forms.CharField(label="体温(℃)", max_length=5,
                                  widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "36.5", "autocomplete": "off"}))
    cough = forms.BooleanField(label="咳嗽", required=False)
    symptoms = forms.CharField(label="其他症状", max_length=200, required=False)

    def __init__(self, *args: Any, slots: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = slots  # type: ignore[attr-defined]
        self.fields["date"].initial = timezone.localdate()


class ReleaseForm(forms.Form):
    on = forms.DateField(label="解除日期", widget=DATE_INPUT)
    note = forms.CharField(label="解除说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="未到计划解除日期时必填")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


def apply_service_errors(form: forms.Form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the form: next to its field when the form has it, else on top."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for key, errors in error.error_dict.items():
        field = aliases.get(key, key)
        for item in errors:
            for message in item.messages:
                form.add_error(field if field in form.fields else None, message)
