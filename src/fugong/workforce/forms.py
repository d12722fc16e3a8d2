"""Forms of the people pages: a person's record, a roster upload, the health declaration.

The forms read what was typed; the services decide (the same rules for the page, the API and the
roster). A refused form is shown again with what was typed and the services' Chinese messages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from fugong.core import idcard
from fugong.core.uploads import check_upload, display_name
from fugong.enterprises.models import Enterprise
from fugong.regions.choices import Level
from fugong.regions.models import Region
from fugong.workforce.choices import HouseholdHealth, PersonOrigin, Post, Transport
from fugong.workforce.declarations import CONSENT_TEXT, MAX_TRIPS
from fugong.workforce.models import Person
from fugong.workforce.services import EDITABLE_FIELDS, id_number_fields
from fugong.workforce.validators import clean_name, clean_phone

DATE_INPUT = {"type": "date"}
CHECK = {"class": "form-check-input"}
ROSTER_TYPES = ("xlsx", "xls", "csv")
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the OLE2 container of Excel 97–2003 files


def _blank(choices: list[tuple[str, str]], label: str = "——") -> list[tuple[str, str]]:
    return [("", label), *choices]


class PersonForm(forms.Form):
    """A person's record. The ID number is required for a new person; on an existing one it is left
    empty (the full number is never put back into a page) unless it is being corrected."""

    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.none(), label="企业", empty_label="请选择企业")
    name = forms.CharField(label="姓名", max_length=60)
    id_number = forms.CharField(label="身份证号", max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}))
    phone = forms.CharField(label="手机号", max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    post = forms.ChoiceField(label="岗位", choices=Post.choices, initial=Post.OTHER)
    origin = forms.ChoiceField(label="来源地", choices=_blank(PersonOrigin.choices), required=False,
                               help_text="决定分类：本地未外出、本市其他区、省内其他城市或外省。")
    return_date = forms.DateField(label="返岗日期", required=False, widget=forms.DateInput(attrs=DATE_INPUT))
    transport = forms.ChoiceField(label="交通方式", choices=_blank(Transport.choices), required=False)
    household_region = forms.CharField(label="户籍地", max_length=100, required=False)
    holiday_location = forms.CharField(label="假期所在地", max_length=100, required=False)
    home_address = forms.CharField(label="现住址", max_length=255, required=False)
    dormitory_room = forms.CharField(label="宿舍", max_length=50, required=False)
    shuttle_bus = forms.BooleanField(label="乘坐通勤班车", required=False)
    hired_on = forms.DateField(label="入职日期", required=False, widget=forms.DateInput(attrs=DATE_INPUT),
                               help_text="新招用员工填写（稳岗补贴、介绍新员工奖励按此计算）。")
    referred_by = forms.ModelChoiceField(label="介绍人", queryset=Person.objects.none(), required=False, empty_label="无",
                                         help_text="介绍该员工入职的本企业员工。")

    def __init__(self, *args: Any, enterprises: QuerySet[Enterprise] | None = None, person: Person | None = None, **kwargs: Any) -> None:
        if person is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(person, name) for name in EDITABLE_FIELDS}
        super().__init__(*args, **kwargs)
        self.person = person
        self.id_warnings: tuple[str, ...] = ()
        if person is not None:
            del self.fields["enterprise"]
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = f"当前：{person.id_masked}。留空则不修改；如需更正，请填写完整的 18 位号码。"
            self._referrers(Person.objects.filter(enterprise_id=person.enterprise_id).exclude(pk=person.pk))
        else:
            field: forms.ModelChoiceField = self.fields["enterprise"]  # type: ignore[assignment]
            field.queryset = enterprises if enterprises is not None else Enterprise.objects.none()
            if field.queryset.count() == 1:
                field.initial = field.queryset.first()
                self._referrers(Person.objects.filter(enterprise=field.initial))
            else:
                # The referrer is chosen among the enterprise's staff: set on the record once it is registered.
                del self.fields["referred_by"]

    def _referrers(self, people: QuerySet[Person]) -> None:
        field: forms.ModelChoiceField = self.fields["referred_by"]  # type: ignore[assignment]
        field.queryset = people.order_by("name").only("pk", "name", "id_masked")

    def clean_name(self) -> str:
        clean_name(self.cleaned_data.get("name", ""))  # the service's own reading, for the message at the field
        return str(self.cleaned_data.get("name", ""))

    def clean_phone(self) -> str:
        clean_phone(self.cleaned_data.get("phone", ""))
        return str(self.cleaned_data.get("phone", ""))

    def clean_id_number(self) -> str:
        """Checked here for the message at the field (the service checks again); an unknown area code
        is kept as a warning to show after saving, never a refusal."""
        raw = self.cleaned_data.get("id_number", "")
        if not raw.strip():
            return ""
        try:
            self.id_warnings = id_number_fields(raw).warnings
        except idcard.IdCardError as exc:
            raise ValidationError(exc.message, code=exc.code) from None
        return raw

    def service_data(self) -> dict[str, Any]:
        """What the services take: the editable fields, and the ID number when one was typed."""
        data = {name: self.cleaned_data.get(name) for name in EDITABLE_FIELDS}
        data["return_date"] = self.cleaned_data.get("return_date")
        if self.cleaned_data.get("id_number"):
            data["id_number"] = self.cleaned_data["id_number"]
        return data

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service's refusal at the fields it names (the others above the form)."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc.messages)


class RosterUploadForm(forms.Form):
    """A roster file (花名册) for one enterprise the user keeps the roster of."""

    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.none(), label="企业", empty_label="请选择企业")
    file = forms.FileField(label="花名册文件（.xlsx、.xls 或 .csv）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}))

    def __init__(self, *args: Any, enterprises: QuerySet[Enterprise], max_mb: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_mb = max_mb
        field: forms.ModelChoiceField = self.fields["enterprise"]  # type: ignore[assignment]
        field.queryset = enterprises
        if enterprises.count() == 1:
            field.initial = enterprises.first()

    def clean_file(self) -> Any:
        """Type, size (policy ``upload_max_mb``) and content, as every upload is checked
        (:func:`fugong.core.uploads.check_upload`); .xls and .csv are checked here the same way."""
        upload = self.cleaned_data["file"]
        name = display_name(upload.name or "")
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension == "xlsx":
            check_upload(upload, max_mb=self.max_mb, allowed=frozenset({"xlsx"}))
            return upload
        if extension not in ROSTER_TYPES:
            raise ValidationError(f"“{name}”的类型不允许导入，只接受 XLSX、XLS、CSV 文件。请下载模板填写。", code="upload_type")
        size = upload.size or 0
        if size > self.max_mb * 1024 * 1024:
            raise ValidationError(f"“{name}”有 {size / 1024 / 1024:.1f} MB，超过单个文件 {self.max_mb} MB 的上限，请拆分后分批导入。",
                                  code="upload_size")
        if size == 0:
            raise ValidationError(f"“{name}”是空文件。", code="upload_empty")
        upload.seek(0)
        head = upload.read(4096)
        upload.seek(0)
        matches = head.startswith(_XLS_MAGIC) if extension == "xls" else (b"\x00" not in head and not head.startswith((b"PK\x03\x04", _XLS_MAGIC)))
        if not matches:
            raise ValidationError(f"“{name}”的内容与扩展名 .{extension} 不符（文件可能已损坏或被改了扩展名），请上传原始文件。", code="upload_content")
        return upload


# -- the health declaration -----------------------------------------------------------------------


def province_choices() -> list[tuple[str, str]]:
    """Every province of the region tree (public division names), for the first travel select."""
    return _blank(list(Region.objects.filter(level=Level.PROVINCE).order_by("code").values_list("code", "name")), "省/自治区/直辖市")


def division_choices(parent_code: str, placeholder: str) -> list[tuple[str, str]]:
    """The cities and counties right below a division (no towns, villages or grids: those are local)."""
    if not parent_code:
        return [("", placeholder)]
    below = Region.objects.filter(parent__code=parent_code, level__in=[Level.CITY, Level.COUNTY]).order_by("code").values_list("code", "name")
    return _blank(list(below), placeholder)


class TravelForm(forms.Form):
    """One place of the 14-day travel history: province → city (or county) → county, and the days."""

    province = forms.ChoiceField(label="省", required=False)
    city = forms.ChoiceField(label="市/区县", required=False)
    county = forms.ChoiceField(label="区县", required=False)
    start = forms.CharField(label="开始日期", required=False, widget=forms.DateInput(attrs=DATE_INPUT))
    end = forms.CharField(label="结束日期", required=False, widget=forms.DateInput(attrs=DATE_INPUT))

    def __init__(self, *args: Any, provinces: list[tuple[str, str]], window: tuple[date, date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The lower selects hold the children of what is chosen above, so a refused form shows the
        # places as they were picked (and a place not under its parent is refused as invalid).
        self.fields["province"].choices = provinces  # type: ignore[attr-defined]
        self.fields["city"].choices = division_choices(self._typed("province"), "市/区县")  # type: ignore[attr-defined]
        self.fields["county"].choices = division_choices(self._typed("city"), "区县")  # type: ignore[attr-defined]
        for name in ("start", "end"):
            self.fields[name].widget.attrs.update(min=window[0].isoformat(), max=window[1].isoformat())
        # app.js fills each lower select from the divisions endpoint when the one above changes.
        for level, name in enumerate(("province", "city", "county"), start=1):
            self.fields[name].widget.attrs["data-division-level"] = str(level)

    def _typed(self, name: str) -> str:
        value = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)
        return str(value or "")

    def entry(self) -> dict[str, Any] | None:
        """The trip as the service takes it, or None for a row left empty."""
        data = self.cleaned_data
        code = data.get("county") or data.get("city") or data.get("province") or ""
        if not (code or data.get("start") or data.get("end")):
            return None
        return {"region": code, "from": data.get("start") or None, "to": data.get("end") or None}


TravelFormSet = forms.formset_factory(TravelForm, extra=1, max_num=MAX_TRIPS, validate_max=True)


class DeclarationForm(forms.Form):
    """The declaration's answers as typed; :func:`fugong.workforce.declarations.clean_answers` decides."""

    contact_with_case = forms.ChoiceField(label="14 天内是否接触过确诊病例、疑似病例或来自重点疫区的人员", choices=[("no", "否"), ("yes", "是")],
                                          widget=forms.RadioSelect(attrs=CHECK), initial="no")
    contact_detail = forms.CharField(label="接触情况说明（时间、地点、对象）", required=False, max_length=500,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    temperature = forms.CharField(label="今日体温（℃，选填）", required=False, max_length=10,
                                  widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "如 36.5", "autocomplete": "off"}))
    fever = forms.BooleanField(label="发热", required=False, widget=forms.CheckboxInput(attrs=CHECK))
    cough = forms.BooleanField(label="咳嗽", required=False, widget=forms.CheckboxInput(attrs=CHECK))
    other_symptoms = forms.CharField(label="其他症状（如乏力、咽痛、腹泻，没有请留空）", required=False, max_length=400)
    household_health = forms.ChoiceField(label="共同居住的家庭成员健康状况", choices=HouseholdHealth.choices,
                                         widget=forms.RadioSelect(attrs=CHECK), required=False)
    household_note = forms.CharField(label="家庭成员情况说明", required=False, max_length=500)
    consent = forms.BooleanField(label=CONSENT_TEXT, required=False, widget=forms.CheckboxInput(attrs=CHECK))

    def answers(self, trips: list[dict[str, Any]]) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["contact_with_case"] = data.get("contact_with_case") == "yes"
        data["travel_history"] = trips
        return data

    def add_service_errors(self, exc: ValidationError) -> list[str]:
        """The service's refusal at the fields; the travel history's messages are returned for the
        travel table."""
        travel: list[str] = []
        for field, errors in exc.message_dict.items():
            if field == "travel_history":
                travel.extend(errors)
            else:
                self.add_error(field if field in self.fields else None, errors)
        return travel
