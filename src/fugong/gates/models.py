"""The gate log (出入登记): every passage through an enterprise's gate or a road checkpoint
(检查站) — workers showing their pass, visitors, vehicles — with the temperature taken there and
whether the gate let them through (SPEC.md, "People (roles)", "Inspections": "entry/exit log of
people and vehicles with temperatures").

A row is written once by :mod:`fugong.gates.services` and never edited: it is a ledger. ``date``
is the day in Asia/Shanghai (at 06:40 Beijing time UTC is still yesterday), kept beside ``at`` so
that "today at this gate" is one indexed equality.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from fugong.core.masking import mask_name
from fugong.gates.choices import Direction, Outcome, PassageKind, Refusal
from fugong.gates.querysets import PassageQuerySet


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; anything shorter keeps only its last two digits."""
    if len(phone) >= 7:
        return f"{phone[:3]}****{phone[-4:]}"
    return f"****{phone[-2:]}" if phone else ""


class Passage(models.Model):
    """One passage through a gate: who (a worker and their pass, a visitor, a vehicle and its
    driver), which way, when, the temperature, and the gate's answer with its reason.

    ``enterprise`` is the worker's enterprise (copied from the pass) or, for visitors and
    vehicles at an enterprise's gate, the gate's enterprise; at a checkpoint a visitor or vehicle
    has none. The primary key is a UUID: a worker's passages are a record of their movements.
    Visitors' and drivers' names and phones are personal: lists mask them for everyone but the
    enterprise and the officers (``gates.see_visitor_details``).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    gate = models.ForeignKey("enterprises.Gate", verbose_name="门岗/检查站", on_delete=models.CASCADE, related_name="passages")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="+")
    kind = models.CharField("类型", max_length=8, choices=PassageKind.choices)
    direction = models.CharField("方向", max_length=4, choices=Direction.choices)
    at = models.DateTimeField("时间")
    date = models.DateField("日期")
    temperature = models.DecimalField("体温(℃)", max_digits=3, decimal_places=1, null=True, blank=True)
    fever = models.BooleanField("发热", default=False)
    outcome = models.CharField("结果", max_length=8, choices=Outcome.choices)
    refusal = models.CharField("拒绝原因类别", max_length=16, choices=Refusal.choices, blank=True)
    reason = models.CharField("说明", max_length=255, blank=True)
    # A worker: the pass shown, what verifying it said, and the fever alert the gate raised.
    person = models.ForeignKey("workforce.Person", verbose_name="人员", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="gate_passages")
    pass_record = models.ForeignKey("workforce.Pass", verbose_name="出入证", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    verification = models.CharField("出入证核验", max_length=8, blank=True)
    alert = models.ForeignKey("health.Alert", verbose_name="预警", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # A visitor, or a vehicle's driver.
    name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=11, blank=True)
    company = models.CharField("单位", max_length=100, blank=True)
    purpose = models.CharField("事由", max_length=100, blank=True)
    host = models.CharField("被访人/接待部门", max_length=50, blank=True)
    # A vehicle.
    plate = models.CharField("车牌号", max_length=10, blank=True, db_index=True)
    cargo = models.CharField("货物", max_length=100, blank=True)
    passengers = models.PositiveSmallIntegerField("随车人数", default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField("写入时间", auto_now_add=True)

    objects = PassageQuerySet.as_manager()

    class Meta:
        verbose_name = "通行记录"
        verbose_name_plural = "通行记录"
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["gate", "date"], name="passage_gate_date"),
            models.Index(fields=["enterprise", "date"], name="passage_enterprise_date"),
        ]
        constraints = [
            # A refusal always says why; a passage let through has no refusal.
            models.CheckConstraint(
                condition=(Q(outcome=Outcome.ALLOWED) & Q(refusal="")) | (Q(outcome=Outcome.REFUSED) & ~Q(refusal="")),
                name="passage_refusal_iff_refused",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_direction_display()} · {self.at:%Y-%m-%d %H:%M}"

    @property
    def allowed(self) -> bool:
        return self.outcome == Outcome.ALLOWED

    @property
    def full_name(self) -> str:
        """The name as recorded (the worker's from their record): only for those who may see it."""
        if self.kind == PassageKind.WORKER:
            return self.person.name if self.person_id and self.person else ""
        return self.name

    @property
    def masked_name(self) -> str:
        return mask_name(self.full_name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
