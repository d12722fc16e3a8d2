"""Checklist templates (as data), inspections with per-item results and photos, and the
rectification items that failed items become."""

from __future__ import annotations

import uuid

import pghistory
from django.conf import settings
from django.db import models

from fugong.core.models import ScopedQuerySet, TimeStampedModel
from fugong.enterprises.querysets import region_q
from fugong.inspections.choices import Condition, InspectionStatus, RectificationStatus, Result, TemplateKind


class EnterpriseChildQuerySet(ScopedQuerySet):
    """Rows about one enterprise: officials by its place, its admin by membership.

    A row that belongs to a resumption application (an acceptance inspection, the findings of one)
    is seen only by those who see the application: a reviewer sees the applications routed to its
    department, not the acceptance of one routed elsewhere — completing that would approve it."""

    application_field = ""  # the path to the row's application, for rows that may have one

    def for_scope(self, scope: object) -> EnterpriseChildQuerySet:
        from django.db.models import Q

        from fugong.resumption.models import Application

        paths = scope.command_paths + scope.grid_paths + scope.reviewer_paths  # type: ignore[attr-defined]
        query = region_q(paths, "enterprise__region") | Q(enterprise_id__in=scope.enterprise_ids)  # type: ignore[attr-defined]
        if self.application_field:
            field = self.application_field
            query &= Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__in": Application.objects.for_scope(scope).values("pk")})
        return self.filter(query)  # type: ignore[return-value]


class InspectionQuerySet(EnterpriseChildQuerySet):
    application_field = "application"


class RectificationQuerySet(EnterpriseChildQuerySet):
    application_field = "inspection__application"


class ChecklistTemplate(models.Model):
    """A checklist as data: SPEC.md's 11-item acceptance list, the post-resumption list and the
    canteen, dormitory and shuttle-bus lists are seeded; the admin may add versions."""

    kind = models.CharField("类型", max_length=20, choices=TemplateKind.choices)
    name = models.CharField("名称", max_length=100)
    version = models.PositiveSmallIntegerField("版本", default=1)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "检查表模板"
        verbose_name_plural = "检查表模板"
        ordering = ["kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="checklist_kind_version")]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("序号")
    text = models.CharField("检查内容", max_length=300)
    hint = models.CharField("检查要点", max_length=300, blank=True)
    condition = models.CharField("适用", max_length=16, choices=Condition.choices, blank=True, default="")

    class Meta:
        verbose_name = "检查项"
        verbose_name_plural = "检查项"
        ordering = ["template", "order"]

    def __str__(self) -> str:
        return f"{self.order}. {self.text}"


@pghistory.track()
class Inspection(TimeStampedModel):
    """One on-site inspection of an enterprise with a template: the acceptance before approval,
    or a later check. The inspector records every item, gives an opinion and confirms."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT, related_name="inspections")
    application = models.ForeignKey("resumption.Application", verbose_name="复工申请", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="inspections")
    template = models.ForeignKey(ChecklistTemplate, verbose_name="检查表", on_delete=models.PROTECT, related_name="+")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="检查人", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("结果", max_length=16, choices=InspectionStatus.choices, default=InspectionStatus.IN_PROGRESS, db_index=True)
    opinion = models.TextField("检查意见", blank=True)
    signed_name = models.CharField("检查人签名", max_length=50, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = "检查记录"
        verbose_name_plural = "检查记录"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.template.name} · {self.created_at:%Y-%m-%d}"


class InspectionResult(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField("结果", max_length=4, choices=Result.choices)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="result_unique_item")]
        ordering = ["item__order"]

    def __str__(self) -> str:
        return f"{self.item} · {self.get_result_display()}"


def photo_path(instance: InspectionPhoto, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"inspections/{instance.result.inspection.uuid}/{uuid.uuid4().hex}.{extension}"


class InspectionPhoto(models.Model):
    """影像资料存档: photos taken on site for one item."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    result = models.ForeignKey(InspectionResult, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("照片", upload_to=photo_path)
    taken_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "现场照片"
        verbose_name_plural = "现场照片"

    def __str__(self) -> str:
        return self.image.name


@pghistory.track()
class RectificationItem(TimeStampedModel):
    """A finding to put right by a deadline; the enterprise answers, the officer verifies or reopens."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT, related_name="rectifications")
    inspection = models.ForeignKey(Inspection, verbose_name="来源检查", on_delete=models.PROTECT, null=True, blank=True, related_name="rectifications")
    description = models.TextField("问题")
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=16, choices=RectificationStatus.choices, default=RectificationStatus.OPEN, db_index=True)
    answer = models.TextField("整改情况", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        ordering = ["deadline"]

    def __str__(self) -> str:
        return f"{self.enterprise.name}：{self.description[:30]}"
