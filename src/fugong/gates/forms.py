"""The three forms of the gate page. They only carry what was typed (and the phone keyboards to
type it with): the services check it, so the page, the API and a device refuse the same things
with the same Chinese messages, which the views put back on these forms' fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

TEMPERATURE_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "placeholder": "如 36.5",
                     "class": "form-control-lg"}


def _temperature(label: str) -> forms.CharField:
    # A text field with the decimal keypad, not a number field: a browser would drop "36,5" silently.
    return forms.CharField(label=label, required=False, max_length=6, widget=forms.TextInput(attrs=TEMPERATURE_ATTRS))


class GateForm(forms.Form):
    """Shared by the three. The direction is not a field: it is the 进/出 button that was pressed,
    read by the view and checked by the service."""

    id_pattern = "id_%s"
    entry_required: tuple[str, ...] = ()  # starred on the page: the service requires them on the way in

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The three forms share one page: each has its own element ids (scan_temperature, …).
        kwargs.setdefault("auto_id", self.id_pattern)
        super().__init__(*args, **kwargs)
        for name in self.entry_required:
            self.fields[name].entry_required = True  # type: ignore[attr-defined]

    def apply_errors(self, error: ValidationError) -> None:
        """Put a service's refusal on the fields it names (the rest on the form)."""
        for field, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)


class ScanForm(GateForm):
    id_pattern = "scan_%s"

    token = forms.CharField(label="出入证二维码", required=False, max_length=2048,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false",
                                                          "placeholder": "扫码自动填入，或粘贴/输入编码"}))
    temperature = _temperature("体温(℃)")


class VisitorForm(GateForm):
    id_pattern = "visitor_%s"
    entry_required = ("name", "phone", "purpose", "temperature")

    name = forms.CharField(label="访客姓名", required=False, max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(label="手机号", required=False, max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    company = forms.CharField(label="来访单位", required=False, max_length=100)
    purpose = forms.CharField(label="来访事由", required=False, max_length=100, widget=forms.TextInput(attrs={"placeholder": "送货、维修、洽谈…"}))
    host = forms.CharField(label="被访人/接待部门", required=False, max_length=50)
    temperature = _temperature("体温(℃)")


class VehicleForm(GateForm):
    id_pattern = "vehicle_%s"
    entry_required = ("plate", "driver_name", "temperature")

    plate = forms.CharField(label="车牌号", required=False, max_length=16,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "placeholder": "粤P12345"}))
    driver_name = forms.CharField(label="驾驶员姓名", required=False, max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    driver_phone = forms.CharField(label="驾驶员手机号", required=False, max_length=20,
                                   widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    cargo = forms.CharField(label="货物", required=False, max_length=100, widget=forms.TextInput(attrs={"placeholder": "原材料、成品、生活物资…"}))
    passengers = forms.CharField(label="随车人数（不含驾驶员）", required=False, max_length=3,
                                 widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "0"}))
    temperature = _temperature("驾驶员体温(℃)")
