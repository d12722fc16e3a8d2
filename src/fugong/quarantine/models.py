"""Quarantine and isolation (SPEC.md, "Quarantine and isolation"): sites with rooms and beds,
placements of people with a planned end from policy, their twice-daily checks, and release
(解除隔离).

Heyuan's figures give the scale: a 42-room centralised site plus 120 hotel rooms in reserve, 315
enterprise observation areas with 1,003 rooms; at one time 10 in enterprise observation, 20 at
home, 12 centralised, 365 released in total.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from fugong.core.models import TimeStampedModel
from fugong.quarantine.choices import PlacementReason, PlacementStatus, QuarantineKind
from fugong.quarantine.querysets import PlacementQuerySet, QuarantineCheckQuerySet, SiteQuerySet


class Site(TimeStampedModel):
    """A place where people are isolated: an enterprise's observation area (企业观察区) or a
    centralised site (集中隔离点), possibly a hotel held in reserve. A home quarantine has no site.

    ``region`` places the site in the jurisdiction tree (an observation area sits where its
    enterprise sits; a centralised site under the town or county that runs it): officers see the
    sites of their jurisdiction by it.
    """

    kind = models.CharField("类型", max_length=16, choices=QuarantineKind.choices)
    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey("regions.Region", verbose_name="所在辖区", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="所属企业", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="quarantine_sites", help_text="企业观察区必填")
    address = models.CharField("地址", max_length=255, blank=True)
    reserve = models.BooleanField("备用（储备酒店）", default=False, help_text="储备的隔离酒店：需要时启用，平时不计入在用床位")
    note = models.TextField("说明", blank=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = "隔离点"
        verbose_name_plural = "隔离点"
        ordering = ["kind", "reserve", "name"]
        constraints = [
            # A home is not a site; an observation area belongs to an enterprise, a centralised site to none.
            models.CheckConstraint(
                condition=Q(kind=QuarantineKind.ENTERPRISE, enterprise__isnull=False) | Q(kind=QuarantineKind.CENTRAL, enterprise__isnull=True),
                name="quarantine_site_kind_and_enterprise",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("quarantine:site", args=[self.pk])


class Room(models.Model):
    """A room of a site; its beds are :class:`Bed` rows (one for a single room)."""

    site = models.ForeignKey(Site, verbose_name="隔离点", on_delete=models.CASCADE, related_name="rooms")
    number = models.CharField("房间号", max_length=20)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "房间"
        verbose_name_plural = "房间"
        ordering = ["site", "order", "number"]
        constraints = [models.UniqueConstraint(fields=["site", "number"], name="quarantine_room_unique_number")]

    def __str__(self) -> str:
        return f"{self.number} 室"


class Bed(models.Model):
    """A bed of a room: the unit a placement occupies (never two open placements on one bed)."""

    room = models.ForeignKey(Room, verbose_name="房间", on_delete=models.CASCADE, related_name="beds")
    label = models.CharField("床位", max_length=20)

    class Meta:
        verbose_name = "床位"
        verbose_name_plural = "床位"
        ordering = ["room", "label"]
        constraints = [models.UniqueConstraint(fields=["room", "label"], name="quarantine_bed_unique_label")]

    def __str__(self) -> str:
        return f"{self.room.number}-{self.label}"


class Placement(TimeStampedModel):
    """One person's isolation: where (home, an observation area, a centralised site with its room
    and bed), why, from when, until when (the policy's days for the reason), and its release.

    A personal record: its primary key is a UUID (it appears in URLs). ``enterprise`` is copied
    from the person so that scoping and the daily report need no join. At most one open
    placement per person and per bed (partial unique constraints, the last guard behind the
    services' checks).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey("workforce.Person", verbose_name="人员", on_delete=models.CASCADE, related_name="placements")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("隔离方式", max_length=16, choices=QuarantineKind.choices)
    reason = models.CharField("隔离原因", max_length=16, choices=PlacementReason.choices)
    site = models.ForeignKey(Site, verbose_name="隔离点", on_delete=models.PROTECT, null=True, blank=True, related_name="placements")
    room = models.ForeignKey(Room, verbose_name="房间", on_delete=models.PROTECT, null=True, blank=True, related_name="placements")
    bed = models.ForeignKey(Bed, verbose_name="床位", on_delete=models.PROTECT, null=True, blank=True, related_name="placements")
    start = models.DateField("开始日期")
    planned_end = models.DateField("计划解除日期")
    status = models.CharField("状态", max_length=12, choices=PlacementStatus.choices, default=PlacementStatus.ACTIVE)
    note = models.TextField("安排说明", blank=True)
    alert = models.ForeignKey("health.Alert", verbose_name="来源预警", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="placements")
    released_on = models.DateField("解除日期", null=True, blank=True)
    release_note = models.TextField("解除说明", blank=True)
    released_at = models.DateTimeField("解除操作时间", null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="解除人", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = "隔离安排"
        verbose_name_plural = "隔离安排"
        ordering = ["-start", "planned_end"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(status=PlacementStatus.ACTIVE), name="placement_one_open_per_person"),
            models.UniqueConstraint(fields=["bed"], condition=Q(status=PlacementStatus.ACTIVE), name="placement_one_open_per_bed"),
            models.CheckConstraint(condition=Q(planned_end__gte=models.F("start")), name="placement_end_not_before_start"),
            models.CheckConstraint(condition=Q(kind=QuarantineKind.HOME, site__isnull=True) | (~Q(kind=QuarantineKind.HOME) & Q(site__isnull=False)),
                                   name="placement_site_unless_home"),
        ]
        indexes = [
            models.Index(fields=["status", "planned_end"], name="placement_status_end"),
            models.Index(fields=["enterprise", "status"], name="placement_enterprise_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start}–{self.planned_end}"

    def get_absolute_url(self) -> str:
        return reverse("quarantine:detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == PlacementStatus.ACTIVE

    @property
    def where(self) -> str:
        """The place in words: 居家隔离, or the site with its room and bed."""
        if self.site_id is None:
            return self.get_kind_display()
        parts = [str(self.site)]
        if self.room_id:
            parts.append(f"{self.room.number} 室")  # type: ignore[union-attr]
        if self.bed_id and self.bed.label != "1":  # type: ignore[union-attr]
            parts.append(f"{self.bed.label} 床")  # type: ignore[union-attr]
        return " · ".join(parts)


class QuarantineCheck(models.Model):
    """One check of a person in isolation (temperature, symptoms), in one slot of one day: the
    policy's ``quarantine_check_per_day`` (twice a day). Unique per (placement, day, slot); a
    second one for the same slot corrects the first."""

    placement = models.ForeignKey(Placement, verbose_name="隔离安排", on_delete=models.CASCADE, related_name="checks")
    date = models.DateField("日期")
    slot = models.PositiveSmallIntegerField("时段")
    temperature = models.DecimalField("体温(℃)", max_digits=3, decimal_places=1)
    cough = models.BooleanField("咳嗽", default=False)
    symptoms = models.CharField("其他症状", max_length=200, blank=True)
    recorded_at = models.DateTimeField("记录时间")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    alert = models.ForeignKey("health.Alert", verbose_name="预警", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = QuarantineCheckQuerySet.as_manager()

    class Meta:
        verbose_name = "隔离检测"
        verbose_name_plural = "隔离检测"
        ordering = ["-date", "-slot"]
        constraints = [models.UniqueConstraint(fields=["placement", "date", "slot"], name="quarantine_check_unique_slot")]

    def __str__(self) -> str:
        return f"{self.date} 第{self.slot}次 {self.temperature}℃"

    @property
    def abnormal(self) -> bool:
        return self.alert_id is not None or self.cough or bool(self.symptoms)
