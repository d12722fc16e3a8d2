"""Checklist templates (as data), inspections with per-item results and photos, and the
rectification items that failed items become."""

from __future__ import annotations

import uuid
from datetime import date

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone

from fugong.core.models import ScopedQuerySet, TimeStampedModel
from fugong.enterprises.querysets import region_q
from fugong.inspections.choices import (
    Condition,
    InspectionStatus,
    PlanKind,
    RectificationAction,
    RectificationSource,
    RectificationStatus,
    Result,
    TemplateKind,
)

# Not yet verified: an item in any of these past its deadline is overdue.
UNVERIFIED_STATUSES = (RectificationStatus.OPEN, RectificationStatus.ANSWERED, RectificationStatus.REOPENED)
# Which checklists each source of a finding covers (a finding without an inspection was filed by hand).
SOURCE_KINDS = {
    RectificationSource.ACCEPTANCE: (TemplateKind.ACCEPTANCE,),
    RectificationSource.CHECK: (TemplateKind.POST_RESUMPTION, TemplateKind.CANTEEN, TemplateKind.DORMITORY, TemplateKind.SHUTTLE_BUS),
    RectificationSource.PATROL: (TemplateKind.PATROL,),
}


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

    def overdue(self, today: date) -> RectificationQuerySet:
        """Past the deadline and not verified (an answer waiting for the officer is still overdue)."""
        return self.filter(status__in=UNVERIFIED_STATUSES, deadline__lt=today)

    def not_overdue(self, today: date) -> RectificationQuerySet:
        return self.exclude(status__in=UNVERIFIED_STATUSES, deadline__lt=today)

    def from_source(self, source: str) -> RectificationQuerySet:
        if source == RectificationSource.MANUAL:
            return self.filter(inspection__isnull=True)
        return self.filter(inspection__template__kind__in=SOURCE_KINDS[RectificationSource(source)])


class RegionPlanQuerySet(ScopedQuerySet):
    """Patrol teams and plans: the officials over the place they cover, and those below it (a grid
    officer sees the town's teams and plans that take in their grid). Enterprises have none."""

    def for_scope(self, scope: object) -> RegionPlanQuerySet:
        from django.db.models import Q

        paths = scope.command_paths + scope.grid_paths + scope.reviewer_paths  # type: ignore[attr-defined]
        above = {path[: i + 1] for path in paths for i, c in enumerate(path) if c == "/" and i > 0}
        return self.filter(region_q(paths, "region") | Q(region__path__in=sorted(above)))  # type: ignore[return-value]


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
    completed_at = models.DateTimeField("完成时间", null=True, blank=True, db_index=True)
    # A patrol visit (template kind patrol): the plan and team it was made under.
    patrol_plan = models.ForeignKey("PatrolPlan", verbose_name="巡查计划", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="visits")
    patrol_team = models.ForeignKey("PatrolTeam", verbose_name="巡查组", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="visits")

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

    @property
    def source(self) -> str:
        """Where the finding came from (reads ``inspection.template``: select it with the item)."""
        if self.inspection_id is None:
            return RectificationSource.MANUAL
        kind = self.inspection.template.kind  # type: ignore[union-attr]
        return next((source for source, kinds in SOURCE_KINDS.items() if kind in kinds), RectificationSource.CHECK)

    def get_source_display(self) -> str:
        return str(RectificationSource(self.source).label)

    def is_overdue_on(self, today: date) -> bool:
        return self.status in UNVERIFIED_STATUSES and self.deadline < today


@pghistory.track()
class PatrolTeam(TimeStampedModel):
    """A patrol team (巡查组) of grid officers with a leader, over a town or area. Heyuan sent 80
    officers out in 14 teams."""

    region = models.ForeignKey("regions.Region", verbose_name="巡查区域", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=100)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="组长", on_delete=models.PROTECT, related_name="+")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="组员", related_name="patrol_teams", blank=True)
    active = models.BooleanField("在岗", default=True)

    objects = RegionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = "巡查组"
        verbose_name_plural = "巡查组"
        ordering = ["region__path", "name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class PatrolPlan(TimeStampedModel):
    """Who patrols where and how often. An enterprise plan: every enterprise under ``region`` is
    visited ``patrol_visits_per_week`` times a week (policy) by ``team``. A key-area plan: the zone
    leader (片长) patrols the key areas of ``region`` every ``zone_leader_patrol_every_days`` days
    (policy). The numbers are the policy's of the place, never stored here."""

    kind = models.CharField("类型", max_length=16, choices=PlanKind.choices, default=PlanKind.ENTERPRISES)
    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey("regions.Region", verbose_name="巡查区域", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(PatrolTeam, verbose_name="巡查组", on_delete=models.PROTECT, null=True, blank=True, related_name="plans")
    zone_leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="片长", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    key_areas = models.CharField("重点区域", max_length=300, blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)

    objects = RegionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = "巡查计划"
        verbose_name_plural = "巡查计划"
        ordering = ["region__path", "kind", "name"]

    def __str__(self) -> str:
        return self.name

    def in_force(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class RectificationEvent(models.Model):
    """One step in the life of a rectification item, who took it and when: found, answered (with
    the answer's text), verified, reopened (with the reason and the new deadline)."""

    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="history")
    action = models.CharField("操作", max_length=16, choices=RectificationAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    at = models.DateTimeField("时间", default=timezone.now)
    note = models.TextField("说明", blank=True)
    deadline = models.DateField("整改期限", null=True, blank=True)

    class Meta:
        verbose_name = "整改记录"
        verbose_name_plural = "整改记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"


def evidence_path(instance: RectificationEvidence, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"rectifications/{instance.item_id}/{uuid.uuid4().hex}.{extension}"


class RectificationEvidence(models.Model):
    """A photo the enterprise sends with its answer (整改佐证), kept with the answer it came with."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="evidence")
    event = models.ForeignKey(RectificationEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence")
    image = models.FileField("照片", upload_to=evidence_path)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "整改佐证照片"
        verbose_name_plural = "整改佐证照片"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.image.name
