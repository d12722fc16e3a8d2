"""Help for enterprises (SPEC.md, "Help for enterprises (帮扶)"): help requests (诉求) routed by
category to a department and closed with the enterprise's confirmation, the routing rules that
send them (data, kept by the admin and the command officers), and the labour-demand ledger
(用工需求) of positions the enterprises post.

The seeds' scale: Wutongqiao collected 12 requests and Shawan 20+, most solved; Shawan counted
980 open positions.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from fugong.assistance.choices import AWAITING_ANSWER, Category, Channel, EventKind, PositionStatus, RequestStatus
from fugong.assistance.querysets import HelpRequestQuerySet, PositionQuerySet, RoutingRuleQuerySet
from fugong.core.models import TimeStampedModel


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; shorter numbers keep their last four digits only."""
    phone = (phone or "").strip()
    if len(phone) >= 11:
        return f"{phone[:3]}****{phone[-4:]}"
    return f"****{phone[-4:]}" if phone else ""


@pghistory.track()
class RoutingRule(TimeStampedModel):
    """Where help requests of a category go, as data: requests of enterprises inside ``region``
    (its subtree) of ``category`` (blank: any category) go to ``department``.

    The rule of the most specific region wins (a town's rule over its county's), then a rule
    naming the category over one for any category. Without any rule a request goes to the command
    of the enterprise's town. The department must serve the rule's region (its own region is the
    rule's region or above it), or its reviewers could never see what is sent to them.
    """

    region = models.ForeignKey("regions.Region", verbose_name="适用辖区", on_delete=models.CASCADE, related_name="+")
    category = models.CharField("诉求类别", max_length=24, choices=Category.choices, blank=True, help_text="留空表示任意类别")
    department = models.ForeignKey("regions.Department", verbose_name="承办部门", on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=200, blank=True)

    objects = RoutingRuleQuerySet.as_manager()

    class Meta:
        verbose_name = "诉求分派规则"
        verbose_name_plural = "诉求分派规则"
        ordering = ["region__path", "category"]
        constraints = [models.UniqueConstraint(fields=["region", "category"], name="assistance_rule_unique_region_category")]

    def __str__(self) -> str:
        return f"{self.region.name} · {self.get_category_display() or '任意类别'} → {self.department}"


@pghistory.track()
class HelpRequest(TimeStampedModel):
    """An enterprise's request for help (诉求): filed online by its admin or taken by the 12345
    hotline for it, routed to a department by :class:`RoutingRule`, answered there, and closed
    only when the enterprise confirms it is solved (or sent back to the department when not).

    Times are kept to measure the response: filed → first answer (``response_seconds``) and
    filed → closed (``resolution_seconds``), stored when they happen so averages are one query.
    ``answer_due_at`` is filed (or sent back) + the policy's ``help_request_answer_hours``.
    """

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT, related_name="help_requests")
    category = models.CharField("诉求类别", max_length=24, choices=Category.choices)
    title = models.CharField("诉求摘要", max_length=100)
    description = models.TextField("诉求内容")
    channel = models.CharField("来源渠道", max_length=12, choices=Channel.choices, default=Channel.ONLINE)
    caller_name = models.CharField("来电人", max_length=50, blank=True)
    caller_phone = models.CharField("来电号码", max_length=20, blank=True)
    department = models.ForeignKey("regions.Department", verbose_name="承办部门", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", help_text="为空时由企业所在镇街指挥部承办")
    routing_rule = models.ForeignKey(RoutingRule, verbose_name="分派依据", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    route_note = models.CharField("分派说明", max_length=200, blank=True)
    status = models.CharField("状态", max_length=12, choices=RequestStatus.choices, default=RequestStatus.FILED, db_index=True)
    filed_at = models.DateTimeField("提交时间")
    answer_due_at = models.DateTimeField("答复期限")
    first_answered_at = models.DateTimeField("首次答复时间", null=True, blank=True)
    answered_at = models.DateTimeField("最近答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="答复人", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    answer = models.TextField("最近答复", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    response_seconds = models.PositiveIntegerField("首次答复用时(秒)", null=True, blank=True)
    resolution_seconds = models.PositiveIntegerField("办结用时(秒)", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("退回次数", default=0)

    objects = HelpRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "企业诉求"
        verbose_name_plural = "企业诉求"
        ordering = ["-filed_at"]
        constraints = [
            models.CheckConstraint(condition=Q(channel=Channel.ONLINE) | ~Q(caller_name=""), name="help_request_hotline_has_caller"),
        ]
        indexes = [
            models.Index(fields=["status", "answer_due_at"], name="help_request_status_due"),
            models.Index(fields=["department", "status"], name="help_request_department"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("assistance:request", args=[self.pk])

    @property
    def number(self) -> str:
        return f"SQ{timezone.localtime(self.filed_at):%Y%m%d}-{self.pk:05d}" if self.pk and self.filed_at else ""

    @property
    def handler(self) -> str:
        """Who answers it: the department, or the town's command."""
        if self.department_id is not None:
            return str(self.department)
        return f"{self.enterprise.town.name}指挥部"

    @property
    def awaiting_answer(self) -> bool:
        return self.status in AWAITING_ANSWER

    def is_overdue(self, now: object) -> bool:
        return self.awaiting_answer and self.answer_due_at < now  # type: ignore[operator]

    @property
    def caller_phone_masked(self) -> str:
        return mask_phone(self.caller_phone)


class HandlingRecord(models.Model):
    """One step of a request's history: filed, routed, answered, confirmed, sent back (with the
    answer or the enterprise's note). The request's timeline on its page."""

    request = models.ForeignKey(HelpRequest, verbose_name="诉求", on_delete=models.CASCADE, related_name="records")
    kind = models.CharField("事项", max_length=12, choices=EventKind.choices)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField("内容", blank=True)

    class Meta:
        verbose_name = "诉求办理记录"
        verbose_name_plural = "诉求办理记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


@pghistory.track()
class Position(TimeStampedModel):
    """A position an enterprise posts in the labour-demand ledger (用工需求): how many people,
    which skills, from when until when, the wage range, whom to call. ``matched_count`` (candidates
    recommended) and ``filled_count`` (hired) are kept by the enterprise or the 人社/command
    officer; never more filled than wanted. Open positions = wanted − filled while it is open."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE, related_name="positions")
    title = models.CharField("岗位名称", max_length=100)
    count = models.PositiveIntegerField("需求人数")
    skills = models.CharField("技能要求", max_length=300, blank=True)
    start_date = models.DateField("到岗日期")
    end_date = models.DateField("招聘截止", null=True, blank=True, help_text="留空表示长期")
    wage_min = models.PositiveIntegerField("月薪下限(元)", null=True, blank=True)
    wage_max = models.PositiveIntegerField("月薪上限(元)", null=True, blank=True)
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=20)
    status = models.CharField("状态", max_length=8, choices=PositionStatus.choices, default=PositionStatus.OPEN, db_index=True)
    matched_count = models.PositiveIntegerField("已推荐人数", default=0)
    filled_count = models.PositiveIntegerField("已到岗人数", default=0)
    note = models.CharField("备注", max_length=300, blank=True)

    objects = PositionQuerySet.as_manager()

    class Meta:
        verbose_name = "用工需求"
        verbose_name_plural = "用工需求"
        ordering = ["status", "-start_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="position_count_positive"),
            models.CheckConstraint(condition=Q(filled_count__lte=models.F("count")), name="position_filled_not_above_count"),
            models.CheckConstraint(condition=Q(wage_min__isnull=True) | Q(wage_max__isnull=True) | Q(wage_min__lte=models.F("wage_max")),
                                   name="position_wage_range"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")), name="position_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.count}人）"

    def get_absolute_url(self) -> str:
        return reverse("assistance:position", args=[self.pk])

    @property
    def open_count(self) -> int:
        """People still wanted: wanted − filled while the position is open, else none."""
        return max(self.count - self.filled_count, 0) if self.status == PositionStatus.OPEN else 0

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def wage_label(self) -> str:
        if self.wage_min and self.wage_max:
            return f"{self.wage_min}–{self.wage_max} 元/月"
        if self.wage_min:
            return f"{self.wage_min} 元/月起"
        if self.wage_max:
            return f"最高 {self.wage_max} 元/月"
        return "面议"
