"""The policy page's form, generated from the parameter registry."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from fugong.policy.parameters import PARAMETERS
from fugong.policy.services import Policy


class PolicyForm(forms.Form):
    effective_from = forms.DateTimeField(label="生效时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    note = forms.CharField(label="调整说明", max_length=255, help_text="如：根据县指挥部第5号通告调整")

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        for p in PARAMETERS:
            initial = policy.values[p.key]
            field: forms.Field
            if p.kind is int:
                field = forms.IntegerField(min_value=p.minimum, max_value=p.maximum)
            elif p.kind is Decimal:
                field = forms.DecimalField(min_value=p.minimum, max_value=p.maximum, decimal_places=2)
            elif p.kind is datetime:
                field = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
                initial = timezone.localtime(initial).strftime("%Y-%m-%dT%H:%M")
            else:
                field = forms.CharField()
            field.label = p.label
            field.help_text = "；".join(x for x in (p.unit and f"单位：{p.unit}", p.source and f"依据：{p.source}") if x)
            field.initial = initial
            self.fields[f"p_{p.key}"] = field
            # The template groups the fields and shows which version each value came from.
            setattr(field, "group", p.group)  # noqa: B010
            setattr(field, "source", policy.sources[p.key])  # noqa: B010

    def values(self) -> dict[str, Any]:
        return {p.key: self.cleaned_data[f"p_{p.key}"] for p in PARAMETERS}
