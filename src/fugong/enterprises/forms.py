"""Enterprise forms. Region choices are limited to the user's jurisdictions."""

from __future__ import annotations

from typing import Any

from django import forms

from fugong.enterprises.models import Enterprise
from fugong.enterprises.services import EDITABLE_FIELDS
from fugong.enterprises.validators import validate_uscc
from fugong.regions.choices import Level
from fugong.regions.models import Region


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:  # type: ignore[override]
        return f"{'　' * max(obj.depth - 4, 0)}{obj.name}（{obj.get_level_display()}）"


class EnterpriseForm(forms.ModelForm):
    region = RegionChoiceField(queryset=Region.objects.none(), label="所在镇街/村社区/网格")
    # Room for the spaces and dashes people type inside a code: clean_uscc removes them and checks
    # the 18 characters, instead of a bare "at most 18 characters" for a correct code.
    uscc = forms.CharField(label="统一社会信用代码", max_length=40)

    class Meta:
        model = Enterprise
        fields = EDITABLE_FIELDS
        widgets = {"address": forms.TextInput(attrs={"placeholder": "如：河源市高新区科技大道1号"})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_field: forms.ModelChoiceField = self.fields["region"]  # type: ignore[assignment]
        region_field.queryset = Region.objects.for_user(user).filter(level__in=[Level.TOWN, Level.VILLAGE, Level.GRID])
        if self.instance.pk and not user.has_perm("enterprises.add_enterprise"):
            # An enterprise admin corrects its details but does not move itself between grids.
            region_field.disabled = True
            region_field.queryset = Region.objects.filter(pk=self.instance.region_id)

    def clean_uscc(self) -> str:
        return validate_uscc(self.cleaned_data["uscc"])
