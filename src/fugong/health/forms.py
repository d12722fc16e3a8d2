"""Forms of the check-in pages and of closing an alert. Values are checked again by the services;
the forms keep what was typed and put the services' Chinese messages next to the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from fugong.health.choices import AlertOutcome
from fugong.health.services import MAX_SYMPTOMS, clean_temperature


class CheckInForm(forms.Form):
    """The phone form: a temperature typed on the numeric keypad, a cough, other symptoms."""

    temperature = forms.CharField(label="体温(℃)", max_length=8, widget=forms.TextInput(attrs={
        "inputmode": "decimal", "autocomplete": "off", "placeholder": "例如 36.5", "class": "form-control-lg", "pattern": r"[0-9]+([.,][0-9])?",
    }))
    cough = forms.BooleanField(label="咳嗽", required=False)
    symptoms = forms.CharField(label="其他症状", max_length=MAX_SYMPTOMS, required=False,
                               widget=forms.TextInput(attrs={"placeholder": "如乏力、咽痛、腹泻；没有请留空"}))

    def clean_temperature(self) -> Any:
        try:
            return clean_temperature(self.cleaned_data["temperature"].replace(",", "."))
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


class AlertCloseForm(forms.Form):
    outcome = forms.ChoiceField(label="处置结果", choices=[("", "请选择"), *AlertOutcome.choices],
                                error_messages={"required": "请选择处置结果。", "invalid_choice": "请选择处置结果。"})
    note = forms.CharField(label="处置说明", max_length=2000, error_messages={"required": "请填写处置说明。"},
                           widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如：已送市人民医院发热门诊，核酸检测结果待出"}))


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form when no field matches)."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
