"""Protective materials (SPEC.md, "Protective materials (防控物资)"): the item catalogue, each
enterprise's stock kept as movements (every figure traceable to the rows behind it), the daily
stock count, government stockpiles of a town or county with their own movements, and the
allocations from a stockpile to enterprises (proposed by need, confirmed by the command officer,
received by the enterprise).

Heyuan gave out 386 thermometers and about 275,000 masks; Heshan allocated 7,500 masks a day;
Jinkouhe supplied 40,000 masks, 50 sprayers, 1 t of alcohol, 120 disinfectant units and 50
infrared thermometers.
"""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from fugong.core.models import TimeStampedModel
from fugong.materials.choices import AllocationStatus, MovementKind, StockpileMovementKind
from fugong.materials.querysets import (
    AllocationQuerySet,
    StockCountQuerySet,
    StockMovementQuerySet,
    StockpileMovementQuerySet,
    StockpileQuerySet,
)


class Material(models.Model):
    """An item of the catalogue (口罩, 一次性手套 …) with its unit. Data, seeded by a data
    migration: the admin may add an item without a release.

    ``usage_parameter`` names the policy parameter giving the daily use per on-site person
    (``masks_per_person_per_day`` …); a durable item (thermometers, sprayers) has a parameter whose
    default is 0, and then no days of supply. ``code`` matches the resumption application's
    :class:`~fugong.resumption.choices.MaterialItem` where the item is one of those.
    """

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=50)
    unit = models.CharField("单位", max_length=10)
    usage_parameter = models.CharField("日用量政策参数", max_length=64, blank=True,
                                       help_text="政策参数名：每名在岗人员每日用量；留空或为 0 表示耐用品，不计算可用天数")
    whole_units = models.BooleanField("按整数计", default=True, help_text="口罩、手套等按整数计；酒精、消毒液可有小数")
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "物资品类"
        verbose_name_plural = "物资品类"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class StockMovement(TimeStampedModel):
    """One movement of an enterprise's stock of one item. The stock is the sum of the movements;
    nothing else holds it. ``quantity`` is signed (received and allocated are positive, used is
    negative, an adjustment either). An allocation's receipt writes exactly one (``allocation`` is
    unique: a retried receipt cannot add the goods twice)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE, related_name="material_movements")
    material = models.ForeignKey(Material, verbose_name="物资", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=12, choices=MovementKind.choices)
    quantity = models.DecimalField("数量", max_digits=12, decimal_places=2)
    date = models.DateField("日期")
    note = models.CharField("说明", max_length=200, blank=True)
    allocation = models.OneToOneField("materials.Allocation", verbose_name="来源调拨", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="enterprise_movement")

    objects = StockMovementQuerySet.as_manager()

    class Meta:
        verbose_name = "企业物资出入库"
        verbose_name_plural = "企业物资出入库"
        ordering = ["-date", "-created_at", "-pk"]
        indexes = [models.Index(fields=["enterprise", "material", "date"], name="stockmove_ent_material_date")]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="stockmove_quantity_not_zero"),
            models.CheckConstraint(condition=~Q(kind__in=[MovementKind.RECEIVED, MovementKind.ALLOCATED]) | Q(quantity__gt=0),
                                   name="stockmove_inflow_positive"),
            models.CheckConstraint(condition=~Q(kind=MovementKind.USED) | Q(quantity__lt=0), name="stockmove_used_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.material} {self.quantity}"


class StockCount(models.Model):
    """The daily stock count (每日盘点) of one item at one enterprise: what was counted on the day.
    One per (enterprise, item, day); counting again the same day corrects it, and the difference
    from the movements' stock is written as an "adjusted" movement."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE, related_name="+")
    material = models.ForeignKey(Material, verbose_name="物资", on_delete=models.PROTECT, related_name="+")
    date = models.DateField("盘点日期")
    counted = models.DecimalField("盘点数量", max_digits=12, decimal_places=2)
    counted_at = models.DateTimeField("盘点时间")
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="盘点人", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    objects = StockCountQuerySet.as_manager()

    class Meta:
        verbose_name = "每日盘点"
        verbose_name_plural = "每日盘点"
        ordering = ["-date", "material"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "material", "date"], name="stockcount_one_per_day"),
            models.CheckConstraint(condition=Q(counted__gte=0), name="stockcount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.material} {self.counted}"


@pghistory.track()
class Stockpile(TimeStampedModel):
    """A government stockpile (政府储备库) of a town or county: it receives goods and allocates
    them to the enterprises of its region. Its stock is the sum of its own movements."""

    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey("regions.Region", verbose_name="所属辖区", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("地址", max_length=255, blank=True)
    keeper = models.CharField("保管人", max_length=50, blank=True)
    note = models.TextField("说明", blank=True)

    objects = StockpileQuerySet.as_manager()

    class Meta:
        verbose_name = "政府物资储备库"
        verbose_name_plural = "政府物资储备库"
        ordering = ["region__path", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("materials:stockpile", args=[self.pk])


class StockpileMovement(TimeStampedModel):
    """One movement of a stockpile's stock of one item (signed like :class:`StockMovement`). An
    allocation's receipt writes its "allocated out" movement (one per allocation)."""

    stockpile = models.ForeignKey(Stockpile, verbose_name="储备库", on_delete=models.CASCADE, related_name="movements")
    material = models.ForeignKey(Material, verbose_name="物资", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=16, choices=StockpileMovementKind.choices)
    quantity = models.DecimalField("数量", max_digits=12, decimal_places=2)
    date = models.DateField("日期")
    note = models.CharField("说明", max_length=200, blank=True)
    allocation = models.OneToOneField("materials.Allocation", verbose_name="调拨", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="stockpile_movement")

    objects = StockpileMovementQuerySet.as_manager()

    class Meta:
        verbose_name = "储备库出入库"
        verbose_name_plural = "储备库出入库"
        ordering = ["-date", "-created_at", "-pk"]
        indexes = [models.Index(fields=["stockpile", "material"], name="pilemove_pile_material")]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="pilemove_quantity_not_zero"),
            models.CheckConstraint(condition=~Q(kind=StockpileMovementKind.RECEIVED) | Q(quantity__gt=0), name="pilemove_received_positive"),
            models.CheckConstraint(condition=~Q(kind=StockpileMovementKind.ALLOCATED_OUT) | Q(quantity__lt=0), name="pilemove_out_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.material} {self.quantity}"


@pghistory.track()
class Allocation(TimeStampedModel):
    """An allocation (调拨) of one item from a stockpile to an enterprise of its region: proposed
    by need (with the days of supply it was proposed at), confirmed by a command officer over the
    stockpile, received by the enterprise's admin — which writes the enterprise's "allocated"
    movement and the stockpile's "allocated out" movement. Cancelled at any time before receipt.
    The ledger (调拨台账) lists these rows."""

    stockpile = models.ForeignKey(Stockpile, verbose_name="储备库", on_delete=models.PROTECT, related_name="allocations")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT, related_name="material_allocations")
    material = models.ForeignKey(Material, verbose_name="物资", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField("数量", max_digits=12, decimal_places=2)
    status = models.CharField("状态", max_length=12, choices=AllocationStatus.choices, default=AllocationStatus.PROPOSED, db_index=True)
    days_before = models.DecimalField("建议时可用天数", max_digits=8, decimal_places=1, null=True, blank=True)
    daily_need = models.DecimalField("建议时日需求", max_digits=12, decimal_places=2, default=Decimal(0))
    note = models.CharField("说明", max_length=200, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    received_at = models.DateTimeField("接收时间", null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="取消人", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        verbose_name = "物资调拨"
        verbose_name_plural = "物资调拨"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["enterprise", "status"], name="allocation_enterprise_status"),
                   models.Index(fields=["stockpile", "material", "status"], name="allocation_pile_material")]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="allocation_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.stockpile} → {self.enterprise} {self.material} {self.quantity}"

    @property
    def is_pending(self) -> bool:
        return self.status in (AllocationStatus.PROPOSED, AllocationStatus.CONFIRMED)
