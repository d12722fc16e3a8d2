"""Forms of the subsidy pages. They read what was typed; the services decide (and refuse in
Chinese), and the views put a refusal back on the form next to its field."""

from __future__ import annotations

from typing import Any

from django import forms

from fugong.subsidies.services import DECLARATION


class ApplyForm(forms.Form):
    """An enterprise's application for one scheme: the monthly rent where a rent rule needs it,
    and the declaration."""

    scheme = forms.IntegerField(widget=forms.HiddenInput)
    monthly_rent = forms.CharField(label="每月租金（元）", max_length=20, required=False,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "如 12000", "autocomplete": "off"}),
                                   help_text="按租赁合同填写减免前的月租金，平台按减免比例计算。")
    declared = forms.BooleanField(label=DECLARATION, required=False)

    def __init__(self, *args: Any, needs_rent: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not needs_rent:
            del self.fields["monthly_rent"]


class RejectForm(forms.Form):
    reason = forms.CharField(label="驳回理由", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="企业将看到理由，修改花名册后可重新申请。")


class ApproveForm(forms.Form):
    note = forms.CharField(label="审核意见", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
