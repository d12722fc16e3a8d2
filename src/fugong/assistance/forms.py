"""Forms of the help pages. They read what was typed; the services decide (and refuse in Chinese),
and the views put a refusal back on the form next to the field it concerns."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from fugong.accounts.scope import scope_of
from fugong.assistance.choices import Category, PositionStatus
from fugong.enterprises.models import Enterprise
from fugong.regions.models import Department, Region

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SOLVED_CHOICES = [("yes", "已解决，确认办结"), ("no", "未解决，退回承办部门")]


class EnterpriseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.town.name}）" if obj.town_id else obj.name


def own_enterprises(user: Any) -> QuerySet[Enterprise]:
    """The enterprises the user files for online: their own (every one, for the platform admin)."""
    scope = scope_of(user)
    queryset = Enterprise.objects.select_related("town").order_by("name")
    return queryset if scope.is_admin else queryset.filter(pk__in=scope.enterprise_ids)


def commanded_enterprises(user: Any) -> QuerySet[Enterprise]:
    """The enterprises a command officer takes hotline calls for: those of their jurisdictions."""
    scope = scope_of(user)
    queryset = Enterprise.objects.select_related("town").order_by("town__name", "name")
    if scope.is_admin:
        return queryset
    query = Q(pk__in=[])
    for path in scope.command_paths:
        query |= Q(region__path__startswith=path)
    return queryset.filter(query)


class HelpRequestForm(forms.Form):
    enterprise = EnterpriseChoiceField(label="企业", queryset=Enterprise.objects.none())
    category = forms.ChoiceField(label="诉求类别", choices=[("", "请选择"), *Category.choices])
    title = forms.CharField(label="诉求摘要", max_length=100, widget=forms.TextInput(attrs={"placeholder": "如：急需口罩5000只"}))
    description = forms.CharField(label="诉求内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text="写明遇到的困难、需要的数量和时间，便于承办部门对接")

    def __init__(self, *args: Any, enterprises: QuerySet[Enterprise], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        field.queryset = enterprises  # type: ignore[attr-defined]
        only = list(enterprises[:2])
        if len(only) == 1:
            field.initial = only[0].pk
            field.widget = forms.HiddenInput()


class HotlineForm(HelpRequestForm):
    caller_name = forms.CharField(label="来电人", max_length=50)
    caller_phone = forms.CharField(label="来电号码", max_length=20, required=False)

    field_order = ["enterprise", "caller_name", "caller_phone", "category", "title", "description"]


class AnswerForm(forms.Form):
    answer = forms.CharField(label="答复内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="写明解决措施、对接人和联系方式或办理结果；企业确认后办结")


class ConfirmForm(forms.Form):
    solved = forms.ChoiceField(label="问题是否已解决", choices=SOLVED_CHOICES, widget=forms.RadioSelect)
    note = forms.CharField(label="说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="未解决时必填：还有哪些问题没有解决")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * max(obj.depth - 3, 0)}{obj.name}（{obj.get_level_display()}）"


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.region.name}{obj.name}"


def rule_regions(user: Any) -> QuerySet[Region]:
    scope = scope_of(user)
    queryset = Region.objects.exclude(level="grid").order_by("path")
    if scope.is_admin:
        return queryset.filter(level__in=["county", "town", "village"])
    query = Q(pk__in=[])
    for path in scope.command_paths:
        query |= Q(path__startswith=path)
    return queryset.filter(query)


def rule_departments(user: Any) -> QuerySet[Department]:
    """Departments serving the user's jurisdictions: above them (a county's bureau) or inside them."""
    scope = scope_of(user)
    queryset = Department.objects.select_related("region").order_by("region__path", "name")
    if scope.is_admin:
        return queryset
    query = Q(pk__in=[])
    for path in scope.command_paths:
        codes = [c for c in path.strip("/").split("/") if c]
        query |= Q(region__path__startswith=path) | Q(region__code__in=codes)
    return queryset.filter(query)


class RoutingRuleForm(forms.Form):
    region = RegionChoiceField(label="适用辖区", queryset=Region.objects.none(), help_text="规则适用于该辖区及其下级；下级辖区的规则优先")
    category = forms.ChoiceField(label="诉求类别", choices=[("", "任意类别"), *Category.choices], required=False)
    department = DepartmentChoiceField(label="承办部门", queryset=Department.objects.none())
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = rule_regions(user)  # type: ignore[attr-defined]
        self.fields["department"].queryset = rule_departments(user)  # type: ignore[attr-defined]


class PositionForm(forms.Form):
    enterprise = EnterpriseChoiceField(label="企业", queryset=Enterprise.objects.none())
    title = forms.CharField(label="岗位名称", max_length=100)
    count = forms.IntegerField(label="需求人数", min_value=1, max_value=100000)
    skills = forms.CharField(label="技能要求", max_length=300, required=False)
    start_date = forms.DateField(label="到岗日期", widget=DATE_INPUT)
    end_date = forms.DateField(label="招聘截止", widget=DATE_INPUT, required=False, help_text="留空表示长期招聘")
    wage_min = forms.IntegerField(label="月薪下限(元)", min_value=0, required=False)
    wage_max = forms.IntegerField(label="月薪上限(元)", min_value=0, required=False)
    contact_name = forms.CharField(label="联系人", max_length=50)
    contact_phone = forms.CharField(label="联系电话", max_length=20, help_text="列表和导出中只显示部分号码")
    status = forms.ChoiceField(label="状态", choices=PositionStatus.choices, initial=PositionStatus.OPEN)
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args: Any, enterprises: QuerySet[Enterprise] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        if enterprises is None:  # editing: the enterprise does not change
            del self.fields["enterprise"]
        else:
            field.queryset = enterprises  # type: ignore[attr-defined]
            only = list(enterprises[:2])
            if len(only) == 1:
                field.initial = only[0].pk
                field.widget = forms.HiddenInput()
        if not self.is_bound and "start_date" not in self.initial:
            self.fields["start_date"].initial = timezone.localdate()


class TrackForm(forms.Form):
    matched_count = forms.IntegerField(label="已推荐人数", min_value=0, max_value=100000)
    filled_count = forms.IntegerField(label="已到岗人数", min_value=0, max_value=100000)


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
