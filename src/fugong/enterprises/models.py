"""The enterprise registry and the gates that people pass through."""

from __future__ import annotations

import pghistory
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from fugong.core.models import TimeStampedModel
from fugong.enterprises.choices import ClosedManagement, EssentialCategory, GateKind, Sector, Size, Status
from fugong.enterprises.querysets import EnterpriseQuerySet, GateQuerySet
from fugong.enterprises.validators import validate_uscc


@pghistory.track()
class Enterprise(TimeStampedModel):
    """An enterprise that may apply to resume work (SPEC.md, "Enterprises").

    ``region`` is the deepest place known (grid, village or town); ``town`` is kept alongside
    because every list filters and counts by town.
    """

    name = models.CharField("企业名称", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_uscc])  # type: ignore[list-item]
    sector = models.CharField("行业", max_length=32, choices=Sector.choices)
    size = models.CharField("规模", max_length=8, choices=Size.choices)
    essential_category = models.CharField("保障类别", max_length=32, choices=EssentialCategory.choices, blank=True, default="")
    in_park = models.BooleanField("园区/写字楼入驻", default=False)
    key_cultivated = models.BooleanField("重点培育企业", default=False)
    address = models.CharField("地址", max_length=255)
    region = models.ForeignKey("regions.Region", verbose_name="所在网格/村社区", on_delete=models.PROTECT, related_name="enterprises")
    town = models.ForeignKey("regions.Region", verbose_name="所在镇街", on_delete=models.PROTECT, related_name="+", editable=False)
    legal_representative = models.CharField("法定代表人", max_length=50)
    contact_name = models.CharField("防疫联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=20)
    headcount = models.PositiveIntegerField("员工总数", default=0)
    has_canteen = models.BooleanField("有食堂", default=False)
    has_dormitory = models.BooleanField("有宿舍", default=False)
    has_shuttle_bus = models.BooleanField("有通勤班车", default=False)
    closed_management = models.CharField("封闭管理", max_length=8, choices=ClosedManagement.choices, default=ClosedManagement.NONE)
    local_staff_percent = models.PositiveSmallIntegerField(
        "本地员工占比(%)", default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    status = models.CharField("复工状态", max_length=16, choices=Status.choices, default=Status.NOT_APPLIED, db_index=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["name"]
        indexes = [models.Index(fields=["town", "sector", "size"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enterprises:detail", args=[self.pk])

    @property
    def is_essential(self) -> bool:
        return bool(self.essential_category)

    @property
    def grid(self) -> object | None:
        return self.region if self.region.level == "grid" else None


class Gate(TimeStampedModel):
    """An enterprise's gate, or a road checkpoint (检查站) of a region. Gate guards and gate
    devices are bound to one."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=GateKind.choices, default=GateKind.ENTERPRISE)
    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.CASCADE, null=True, blank=True, related_name="gates")
    region = models.ForeignKey("regions.Region", verbose_name="辖区", on_delete=models.PROTECT, null=True, blank=True, related_name="gates")

    objects = GateQuerySet.as_manager()

    class Meta:
        verbose_name = "门岗/检查站"
        verbose_name_plural = "门岗/检查站"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enterprise__isnull=False) | models.Q(region__isnull=False), name="gate_has_enterprise_or_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise or self.region} · {self.name}"
