"""Resumption applications, their routed review, notices and suspensions."""

from __future__ import annotations

import secrets
import uuid

import pghistory
from django.conf import settings
from django.db import models
from django.urls import reverse
from django_fsm import RETURN_VALUE, FSMField, transition

from fugong.core.models import TimeStampedModel
from fugong.enterprises.choices import Sector, Size
from fugong.regions.choices import DepartmentKind
from fugong.resumption.choices import (
    AttachmentKind,
    MaterialItem,
    Origin,
    Stage,
    Status,
    StepStatus,
)
from fugong.resumption.querysets import ApplicationChildQuerySet, ApplicationQuerySet


class RoutingRule(TimeStampedModel):
    """Which departments review an application, as data.

    A rule applies to enterprises inside ``region`` (everywhere when empty) whose sector, size
    and park tenancy match (blank / null = any). The most local rule wins, then the most
    specific, then the highest priority. ``chain`` lists department kinds reviewed in order;
    each is resolved to the nearest department of that kind above the enterprise.
    """

    region = models.ForeignKey("regions.Region", verbose_name="适用辖区", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    variant = models.CharField("规则版本", max_length=50, help_text="如：街道版、县区版")
    sector = models.CharField("行业", max_length=32, choices=Sector.choices, blank=True)
    size = models.CharField("规模", max_length=8, choices=Size.choices, blank=True)
    in_park = models.BooleanField("园区/写字楼入驻", null=True, blank=True)
    chain = models.JSONField("审核部门（按顺序）", help_text=f"部门类别列表，可选：{', '.join(DepartmentKind.values)}")
    priority = models.SmallIntegerField("优先级", default=0)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "审核路由规则"
        verbose_name_plural = "审核路由规则"
        ordering = ["region__path", "-priority"]

    def __str__(self) -> str:
        chain = " → ".join(DepartmentKind(k).label for k in self.chain if k in DepartmentKind.values)
        return f"{self.variant}：{self.get_sector_display() or '任意行业'}/{self.get_size_display() or '任意规模'} → {chain}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        unknown = [k for k in (self.chain or []) if k not in DepartmentKind.values]
        if not isinstance(self.chain, list) or not self.chain or unknown:
            raise ValidationError({"chain": f"请填写部门类别列表，如 [\"park\", \"economy\"]；无效的类别：{'、'.join(map(str, unknown)) or '（空）'}"})

    @property
    def specificity(self) -> int:
        return bool(self.sector) + bool(self.size) + (self.in_park is not None)


@pghistory.track()
class Application(TimeStampedModel):
    """An enterprise's application to resume work, built over several sittings.

    The status is a django-fsm state machine: the transitions below are the only way it
    changes, each is called by a service in ``resumption/services.py`` that audits it and
    notifies the next actor. An illegal transition raises ``TransitionNotAllowed``.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT, related_name="applications")
    number = models.CharField("申请编号", max_length=40, unique=True, null=True, blank=True)
    status = FSMField("状态", max_length=24, choices=Status.choices, default=Status.DRAFT, protected=True, db_index=True)
    planned_start = models.DateTimeField("计划复工时间", null=True, blank=True)
    special_reason = models.TextField("特殊情况说明", blank=True, help_text="需要县区批准的特殊情况（如提前复工）在此说明")
    production_plan = models.TextField("生产计划", blank=True)
    raw_materials = models.TextField("原材料保障", blank=True)
    logistics = models.TextField("物流安排", blank=True)
    orders_on_hand = models.BooleanField("有在手订单", default=False)
    equipment_checked = models.BooleanField("设备已检修", default=False)
    risk_assessment = models.TextField("风险评估", blank=True)
    disinfection_measures = models.TextField("场所消毒措施", blank=True)
    commuting_measures = models.TextField("通勤安排", blank=True, help_text="提倡自驾，点对点不超过 6 小时")
    leadership_head = models.CharField("防控领导小组组长（企业主要负责人）", max_length=50, blank=True)
    leadership_members = models.TextField("领导小组成员及分工", blank=True)
    canteen_measures = models.TextField("食堂措施", blank=True, help_text="错峰就餐、间隔 1 米以上、每餐消毒")
    dormitory_rooms = models.PositiveIntegerField("宿舍间数", default=0)
    dormitory_residents = models.PositiveIntegerField("宿舍入住人数", default=0)
    dormitory_measures = models.TextField("宿舍措施", blank=True)
    shuttle_bus_count = models.PositiveIntegerField("通勤班车数", default=0)
    shuttle_bus_measures = models.TextField("班车措施", blank=True, help_text="测温登记、备用口罩、每趟消毒")
    observation_room = models.BooleanField("已设隔离观察室", default=False)
    observation_room_location = models.CharField("观察室位置", max_length=100, blank=True)
    observation_single_room = models.BooleanField("单人单间", default=False)
    observation_suits = models.BooleanField("配防护服", default=False)
    observation_goggles = models.BooleanField("配护目镜", default=False)
    observation_medical_kit = models.BooleanField("配医药箱", default=False)
    commitment_signed = models.BooleanField("已签署承诺书", default=False)
    needs_county = models.BooleanField("需县区审批", default=False, editable=False)
    submission_count = models.PositiveSmallIntegerField("提交次数", default=0, editable=False)
    submitted_at = models.DateTimeField("最近提交时间", null=True, blank=True, editable=False)
    decided_at = models.DateTimeField("批准/否决时间", null=True, blank=True, editable=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "复工申请"
        verbose_name_plural = "复工申请"
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.enterprise.name} 复工申请{f'（{self.number}）' if self.number else ''}"

    def get_absolute_url(self) -> str:
        return reverse("resumption:detail", args=[self.uuid])

    @property
    def returning_headcount(self) -> int:
        return sum(entry.count for entry in self.return_plan.all())

    @property
    def current_steps(self) -> list[ReviewStep]:
        return [s for s in self.steps.all() if s.status == StepStatus.PENDING]

    # -- the state machine ---------------------------------------------------------------------
    @transition(field=status, source=[Status.DRAFT, Status.RETURNED], target=Status.DEPARTMENT_REVIEW)
    def submit(self) -> None:
        """Filed (again): the routed departments review it."""

    @transition(field=status, source=Status.DEPARTMENT_REVIEW, target=RETURN_VALUE(Status.DEPARTMENT_REVIEW, Status.TOWN_REVIEW))  # type: ignore[arg-type]
    def approve_department(self, *, more_departments: bool) -> str:
        """One department approved: the next department, or the town command when it was the last."""
        return Status.DEPARTMENT_REVIEW if more_departments else Status.TOWN_REVIEW

    @transition(field=status, source=Status.TOWN_REVIEW, target=RETURN_VALUE(Status.COUNTY_REVIEW, Status.INSPECTION))  # type: ignore[arg-type]
    def approve_town(self) -> str:
        """The town command approved: the county for early or special cases, else on-site acceptance."""
        return Status.COUNTY_REVIEW if self.needs_county else Status.INSPECTION

    @transition(field=status, source=Status.COUNTY_REVIEW, target=Status.INSPECTION)
    def approve_county(self) -> None:
        """The county command approved the early or special case."""

    @transition(field=status, source=[Status.DEPARTMENT_REVIEW, Status.TOWN_REVIEW, Status.COUNTY_REVIEW], target=Status.RETURNED)
    def return_for_revision(self) -> None:
        """Sent back to the enterprise with comments; it revises and resubmits."""

    @transition(field=status, source=[Status.DEPARTMENT_REVIEW, Status.TOWN_REVIEW, Status.COUNTY_REVIEW, Status.INSPECTION],
                target=Status.REJECTED)
    def reject(self) -> None:
        """Refused; the enterprise may start a new application."""

    @transition(field=status, source=Status.INSPECTION, target=Status.APPROVED)
    def pass_acceptance(self) -> None:
        """On-site acceptance passed: approved, a notice is issued (验收通过一户、批准生产一户)."""

    @transition(field=status, source=Status.APPROVED, target=Status.SUSPENDED)
    def suspend(self) -> None:
        """Production stopped after an incident or a failed inspection."""

    @transition(field=status, source=Status.SUSPENDED, target=Status.APPROVED)
    def reinstate(self) -> None:
        """Production may restart."""


class MaterialReserve(models.Model):
    """Protective material in stock for the return, by item."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reserves")
    item = models.CharField("物资", max_length=16, choices=MaterialItem.choices)
    quantity = models.PositiveIntegerField("数量", default=0)

    class Meta:
        verbose_name = "物资储备"
        verbose_name_plural = "物资储备"
        constraints = [models.UniqueConstraint(fields=["application", "item"], name="reserve_unique_item")]

    def __str__(self) -> str:
        return f"{self.get_item_display()} {self.quantity}"


class ReturnPlanEntry(models.Model):
    """One batch of the staggered return plan: how many come back on a date, and from where."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="return_plan")
    return_date = models.DateField("返岗日期")
    origin = models.CharField("来源地", max_length=16, choices=Origin.choices)
    count = models.PositiveIntegerField("人数")

    class Meta:
        verbose_name = "返岗计划"
        verbose_name_plural = "返岗计划"
        ordering = ["return_date", "origin"]

    def __str__(self) -> str:
        return f"{self.return_date} {self.get_origin_display()} {self.count}人"


def attachment_path(instance: Attachment, filename: str) -> str:
    """A generated name: the user's file name never reaches the file system."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"applications/{instance.application.uuid}/{uuid.uuid4().hex}.{extension}"


class Attachment(models.Model):
    """An uploaded document. Served only through a scoped view, as an attachment."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("材料类型", max_length=24, choices=AttachmentKind.choices)
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("大小")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ApplicationChildQuerySet.as_manager()

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["kind", "uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.original_name}"


class Submission(models.Model):
    """What was filed each time: a snapshot, so a reviewer sees what changed after a return."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveSmallIntegerField("第几次提交")
    data = models.JSONField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="submission_unique_number")]

    def __str__(self) -> str:
        return f"{self.application_id} #{self.number}"


class ReviewStep(models.Model):
    """One step of the chain fixed at submission: a department's review, the town command's
    approval or the county's. Steps of an earlier submission are superseded on resubmission."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    round = models.PositiveSmallIntegerField("提交轮次")
    order = models.PositiveSmallIntegerField("顺序")
    stage = models.CharField("环节", max_length=16, choices=Stage.choices)
    department = models.ForeignKey("regions.Department", verbose_name="审核部门", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="审批辖区", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField("结果", max_length=16, choices=StepStatus.choices, default=StepStatus.PENDING, db_index=True)
    opened_at = models.DateTimeField("到达时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    comment = models.TextField("意见", blank=True)

    objects = ApplicationChildQuerySet.as_manager()

    class Meta:
        verbose_name = "审核环节"
        verbose_name_plural = "审核环节"
        ordering = ["application", "round", "order"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} · {self.department or self.region}"

    @property
    def actor_label(self) -> str:
        return str(self.department) if self.department else f"{self.region.name if self.region else ''}指挥部"


def verification_token() -> str:
    return secrets.token_urlsafe(18)


class Notice(models.Model):
    """The numbered resumption notice (复工复产通知书). Its QR code points to a public page that
    confirms it by an unguessable token, showing no personal data."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="notice")
    number = models.CharField("通知书编号", max_length=40, unique=True)
    token = models.CharField(max_length=32, unique=True, default=verification_token, editable=False)
    issued_at = models.DateTimeField("签发时间", auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    objects = ApplicationChildQuerySet.as_manager()

    class Meta:
        verbose_name = "复工通知书"
        verbose_name_plural = "复工通知书"

    def __str__(self) -> str:
        return self.number


class Suspension(models.Model):
    """A stop (停工) of an approved enterprise, with its reason, and its lifting."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="suspensions")
    reason = models.TextField("停工原因")
    suspended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    suspended_at = models.DateTimeField(auto_now_add=True)
    lifted_reason = models.TextField("复产说明", blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)

    objects = ApplicationChildQuerySet.as_manager()

    class Meta:
        verbose_name = "停工记录"
        verbose_name_plural = "停工记录"
        ordering = ["-suspended_at"]

    def __str__(self) -> str:
        return f"{self.application_id} 停工 {self.suspended_at:%Y-%m-%d}"
