"""Versioned policy parameter sets."""

from __future__ import annotations

import pghistory
from django.db import models

from fugong.core.models import TimeStampedModel


@pghistory.track()
class PolicyVersion(TimeStampedModel):
    """A set of parameter values in force from ``effective_from``.

    With no region it is the base policy; with a county it overrides only the parameters it
    lists for that county and everything below it. Versions are never edited in place: a
    change is a new version, so any past decision can be replayed with the policy of its day.
    """

    region = models.ForeignKey(
        "regions.Region", verbose_name="适用辖区", on_delete=models.PROTECT, null=True, blank=True, related_name="policy_versions",
        help_text="留空表示全域基础政策；选择县区表示该县区的覆盖值。",
    )
    version = models.PositiveIntegerField("版本号")
    effective_from = models.DateTimeField("生效时间", db_index=True)
    values = models.JSONField("参数值", default=dict)
    note = models.CharField("调整说明", max_length=255)

    class Meta:
        verbose_name = "政策版本"
        verbose_name_plural = "政策版本"
        ordering = ["-effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "version"], name="policy_version_unique_in_county"),
            models.UniqueConstraint(fields=["version"], condition=models.Q(region__isnull=True), name="policy_version_unique_base"),
        ]

    def __str__(self) -> str:
        where = self.region.name if self.region else "全域"
        return f"{where} 第{self.version}版（{self.effective_from:%Y-%m-%d %H:%M} 起）"
