"""Forms of the materials pages. They read what was typed; the services decide (and refuse in
Chinese), and the views put a refusal back on the form next to the field it concerns."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from fugong.materials.choices import MANUAL_KINDS, STOCKPILE_MANUAL_KINDS
from fugong.materials.models import Material, Stockpile

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
QUANTITY_INPUT = {"inputmode": "decimal", "autocomplete": "off"}


class MaterialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.unit}）"


def _materials() -> Any:
    return Material.objects.filter(active=True).order_by("order", "code")


class MovementForm(forms.Form):
    """Goods received or used at the enterprise."""

    kind = forms.ChoiceField(label="类型", choices=[(k.value, k.label) for k in MANUAL_KINDS])
    material = MaterialChoiceField(label="物资", queryset=Material.objects.none(), empty_label="请选择物资")
    quantity = forms.CharField(label="数量", max_length=20, widget=forms.TextInput(attrs=QUANTITY_INPUT))
    date = forms.DateField(label="日期", widget=DATE_INPUT)
    note = forms.CharField(label="说明", max_length=200, required=False, help_text="如供应商、领用部门")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = _materials()  # type: ignore[attr-defined]
        self.fields["date"].initial = timezone.localdate()


class CountForm(forms.Form):
    """The daily count: one field per item (``count-<code>``), the quantity counted; empty = not counted."""

    def __init__(self, *args: Any, materials: list[Material], initial_counts: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.materials = materials
        for material in materials:
            self.fields[f"count-{material.code}"] = forms.CharField(
                label=f"{material.name}（{material.unit}）", required=False, max_length=20,
                initial=(initial_counts or {}).get(material.code), widget=forms.TextInput(attrs={**QUANTITY_INPUT, "class": "form-control form-control-sm"}))

    def counts(self) -> dict[Material, Any]:
        return {m: self.cleaned_data.get(f"count-{m.code}") for m in self.materials}

    def rows(self) -> list[tuple[Material, Any]]:
        return [(m, self[f"count-{m.code}"]) for m in self.materials]


class StockpileMovementForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=[(k.value, k.label) for k in STOCKPILE_MANUAL_KINDS])
    material = MaterialChoiceField(label="物资", queryset=Material.objects.none(), empty_label="请选择物资")
    quantity = forms.CharField(label="数量", max_length=20, widget=forms.TextInput(attrs=QUANTITY_INPUT), help_text="盘点调整：盘亏填负数")
    note = forms.CharField(label="说明", max_length=200, required=False, help_text="如来源：上级调拨、社会捐赠、采购")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = _materials()  # type: ignore[attr-defined]


class ProposeForm(forms.Form):
    """Which stockpile and which item to propose allocations of."""

    stockpile = forms.ModelChoiceField(label="储备库", queryset=Stockpile.objects.none(), empty_label="请选择储备库")
    material = MaterialChoiceField(label="物资", queryset=Material.objects.none(), empty_label="请选择物资")

    def __init__(self, *args: Any, stockpiles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stockpile"].queryset = stockpiles  # type: ignore[attr-defined]
        self.fields["material"].queryset = _materials()  # type: ignore[attr-defined]


def apply_service_errors(form: forms.Form, error: Any, aliases: dict[str, str] | None = None) -> None:
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
