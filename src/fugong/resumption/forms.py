"""Forms for resumption applications: the long sectioned application form with its materials and
return plan, uploads, and the reviewers' decision and reason forms.

A draft may be incomplete, so nothing in the application form is required: what is missing is
told by the pre-submission checks (``services.checks_for``), not by form errors. Form errors are
kept for what cannot be stored at all (a date that is not a date, a negative count)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from fugong.resumption.choices import MATERIAL_UNITS, AttachmentKind, Decision, MaterialItem, Origin
from fugong.resumption.models import Application
from fugong.resumption.services import FORM_FIELDS

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
COUNT_FIELDS = ("dormitory_rooms", "dormitory_residents", "shuttle_bus_count")


@dataclass(frozen=True)
class Section:
    """One titled part of the application form; ``needs`` names the enterprise flag
    (has_canteen, has_dormitory, has_shuttle_bus) that makes it relevant, if any."""

    key: str
    title: str
    fields: tuple[str, ...]
    needs: str = ""
    wide: tuple[str, ...] = ()


SECTIONS: tuple[Section, ...] = (
    Section("plan", "计划与生产", ("planned_start", "special_reason", "production_plan", "raw_materials", "logistics",
                                   "orders_on_hand", "equipment_checked"),
            wide=("special_reason", "production_plan", "raw_materials", "logistics")),
    Section("organisation", "防控组织", ("leadership_head", "leadership_members", "risk_assessment", "disinfection_measures",
                                         "commuting_measures"),
            wide=("leadership_members", "risk_assessment", "disinfection_measures", "commuting_measures")),
    Section("canteen", "食堂", ("canteen_measures",), needs="has_canteen", wide=("canteen_measures",)),
    Section("dormitory", "宿舍", ("dormitory_rooms", "dormitory_residents", "dormitory_measures"), needs="has_dormitory",
            wide=("dormitory_measures",)),
    Section("shuttle_bus", "通勤班车", ("shuttle_bus_count", "shuttle_bus_measures"), needs="has_shuttle_bus",
            wide=("shuttle_bus_measures",)),
    Section("observation", "隔离观察室", ("observation_room", "observation_room_location", "observation_single_room",
                                         "observation_suits", "observation_goggles", "observation_medical_kit")),
    Section("commitment", "承诺", ("commitment_signed",), wide=("commitment_signed",)),
)
assert {f for s in SECTIONS for f in s.fields} == set(FORM_FIELDS), "every form field belongs to one section"


def _has_data(application: Application, field: str) -> bool:
    value = getattr(application, field)
    return bool(value) and value != 0


def relevant_sections(application: Application) -> list[Section]:
    """The sections the enterprise needs: canteen, dormitory and bus parts only when the
    enterprise has one, or when the application already holds data for them (never hide data)."""
    enterprise = application.enterprise
    return [s for s in SECTIONS
            if not s.needs or getattr(enterprise, s.needs) or any(_has_data(application, f) for f in s.fields)]


class ApplicationForm(forms.ModelForm):
    """The application's own fields, limited to the sections relevant to the enterprise (a
    field not on the form is not touched by the save)."""

    class Meta:
        model = Application
        fields = FORM_FIELDS
        widgets = {
            "planned_start": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
            **{name: forms.Textarea(attrs={"rows": 3}) for name in (
                "special_reason", "production_plan", "raw_materials", "logistics", "risk_assessment", "disinfection_measures",
                "commuting_measures", "leadership_members", "canteen_measures", "dormitory_measures", "shuttle_bus_measures")},
        }

    def __init__(self, *args: Any, commitment_days: int = 14, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = {f for s in relevant_sections(self.instance) for f in s.fields} if self.instance.enterprise_id else set(FORM_FIELDS)
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        planned: forms.DateTimeField = self.fields["planned_start"]  # type: ignore[assignment]
        planned.input_formats = [DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]
        planned.error_messages["invalid"] = "请按“年-月-日 时:分”填写计划复工时间。"
        for name in COUNT_FIELDS:
            if name in self.fields:
                field = self.fields[name]
                field.required = False
                field.error_messages["invalid"] = "请填写整数。"
                field.widget.attrs.update({"min": 0, "inputmode": "numeric"})
        self.fields["commitment_signed"].label = (
            f"我单位承诺：全体返岗人员 {commitment_days} 天内未到过重点疫区、未接触重点疫区人员，"
            "如有隐瞒，承担相应责任（须同时上传签章的承诺书）"
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in COUNT_FIELDS:
            if name in self.fields and cleaned.get(name) is None:
                cleaned[name] = 0
        return cleaned

    def sections(self) -> list[dict[str, Any]]:
        """The form's fields grouped for the template, in section order."""
        result = []
        for section in SECTIONS:
            fields = [self[name] for name in section.fields if name in self.fields]
            if fields:
                result.append({"key": section.key, "title": section.title,
                               "fields": [(f, f.name in section.wide) for f in fields]})
        return result


class MaterialsForm(forms.Form):
    """One quantity per protective material, labelled with its unit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in MaterialItem:
            self.fields[item.value] = forms.IntegerField(
                label=f"{item.label}（{MATERIAL_UNITS[item]}）", required=False, min_value=0, max_value=100_000_000,
                error_messages={"invalid": "请填写整数。", "min_value": "数量不能为负数。", "max_value": "数量过大，请核对。"},
                widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            )

    @classmethod
    def initial_for(cls, application: Application) -> dict[str, int]:
        return {r.item: r.quantity for r in application.reserves.all()}

    def reserves(self) -> dict[str, int]:
        return {item: self.cleaned_data.get(item) or 0 for item in MaterialItem.values}


class ReturnPlanForm(forms.Form):
    """One batch of returning staff. A row left empty is ignored; a half-filled one is refused."""

    return_date = forms.DateField(label="返岗日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                  error_messages={"invalid": "请填写日期（年-月-日）。"})
    origin = forms.ChoiceField(label="来源地", required=False, choices=[("", "—"), *Origin.choices],
                               error_messages={"invalid_choice": "请选择来源地。"})
    count = forms.IntegerField(label="人数", required=False, min_value=0, max_value=1_000_000,
                               widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
                               error_messages={"invalid": "请填写整数。", "min_value": "人数不能为负数。", "max_value": "人数过大，请核对。"})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        filled = [cleaned.get("return_date"), cleaned.get("origin"), cleaned.get("count")]
        if any(v not in (None, "", 0) for v in filled) and not all(v not in (None, "") for v in filled):
            if not cleaned.get("return_date") and "return_date" not in self.errors:
                self.add_error("return_date", "请填写返岗日期。")
            if not cleaned.get("origin") and "origin" not in self.errors:
                self.add_error("origin", "请选择来源地。")
            if cleaned.get("count") in (None, "") and "count" not in self.errors:
                self.add_error("count", "请填写人数。")
        return cleaned


class BaseReturnPlanFormSet(forms.BaseFormSet):
    def rows(self) -> list[tuple[Any, str, int]]:
        """The filled rows as (date, origin, count), as ``application_save`` takes them."""
        return [(f.cleaned_data["return_date"], f.cleaned_data["origin"], f.cleaned_data["count"])
                for f in self.forms
                if f.cleaned_data.get("return_date") and f.cleaned_data.get("origin") and f.cleaned_data.get("count")]


ReturnPlanFormSet = forms.formset_factory(ReturnPlanForm, formset=BaseReturnPlanFormSet, extra=3, max_num=200, absolute_max=200)


def return_plan_initial(application: Application) -> list[dict[str, Any]]:
    return [{"return_date": e.return_date, "origin": e.origin, "count": e.count} for e in application.return_plan.all()]


class AttachmentForm(forms.Form):
    """A document to attach. Type, content and size are checked by the service (core.uploads)."""

    kind = forms.ChoiceField(label="材料类型", choices=AttachmentKind.choices, error_messages={"required": "请选择材料类型。",
                                                                                              "invalid_choice": "请选择材料类型。"})
    file = forms.FileField(label="文件", error_messages={"required": "请选择要上传的文件。", "empty": "文件是空的。",
                                                          "invalid": "请选择要上传的文件。"},
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"}))


class DecisionForm(forms.Form):
    """A reviewer's decision on the step now open, always with a comment."""

    decision = forms.ChoiceField(label="审核结论", choices=Decision.choices, widget=forms.RadioSelect,
                                 error_messages={"required": "请选择审核结论。", "invalid_choice": "请选择审核结论。"})
    comment = forms.CharField(label="审核意见", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                              error_messages={"required": "请填写审核意见。", "max_length": "审核意见请控制在 %(limit_value)d 字以内。"})


class ReasonForm(forms.Form):
    """The reason of a suspension (停工) or reinstatement (复产)."""

    reason = forms.CharField(label="原因/说明", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             error_messages={"required": "请填写原因。", "max_length": "请控制在 %(limit_value)d 字以内。"})
