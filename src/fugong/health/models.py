"""Health monitoring (SPEC.md, "Health monitoring"): twice-daily check-ins and the alerts that a
fever, a symptom or a missing daily report raises.

A check-in is unique per (person, date, slot): a second one for the same slot updates the first.
``date`` is the day in Asia/Shanghai (at 06:40 Beijing time UTC is still yesterday) and ``slot``
counts from 1 (morning) to the policy's ``checkins_per_day``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from fugong.core.models import TimeStampedModel
from fugong.health.choices import AlertKind, AlertOutcome, AlertStatus, CheckInSource, ReportStatus
from fugong.health.querysets import DailyReportQuerySet, EnterpriseHealthQuerySet


class CheckIn(models.Model):
    """One temperature check of one person in one slot of one day.

    ``enterprise`` is copied from the person so that scoping and the daily figures need no join.
    No ``TimeStampedModel``: this is the table with the volume (every worker, twice a day), so it
    keeps only what it needs.
    """

    person = models.ForeignKey("workforce.Person", verbose_name="人员", on_delete=models.CASCADE, related_name="checkins")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE, related_name="+")
    date = models.DateField("日期")
    slot = models.PositiveSmallIntegerField("时段")
    temperature = models.DecimalField("体温(℃)", max_digits=3, decimal_places=1)
    cough = models.BooleanField("咳嗽", default=False)
    symptoms = models.CharField("其他症状", max_length=200, blank=True)
    source = models.CharField("来源", max_length=16, choices=CheckInSource.choices, default=CheckInSource.SELF)
    recorded_at = models.DateTimeField("记录时间")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    objects = EnterpriseHealthQuerySet.as_manager()

    class Meta:
        verbose_name = "健康打卡"
        verbose_name_plural = "健康打卡"
        ordering = ["-date", "-slot"]
        constraints = [models.UniqueConstraint(fields=["person", "date", "slot"], name="checkin_unique_person_date_slot")]
        indexes = [models.Index(fields=["enterprise", "date"], name="checkin_enterprise_date")]

    def __str__(self) -> str:
        return f"{self.date} 第{self.slot}次 {self.temperature}℃"


class IdempotentRequest(models.Model):
    """The first answer to a request sent with an ``Idempotency-Key``: the same key and body replay
    it, the same key with another body is refused (409). Kept per user, so keys never collide
    between callers."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "幂等请求"
        verbose_name_plural = "幂等请求"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_user_key")]

    def __str__(self) -> str:
        return self.key


class Alert(TimeStampedModel):
    """Something someone must deal with: a fever (≥ the policy's threshold) or a symptom at a
    check-in or at the gate, or an enterprise's missing daily report. Closed by a person with an
    outcome (isolated, sent to the clinic, cleared); raising and closing are audited."""

    # The address of the alert in URLs: it is about a person's health, so no guessable counter.
    uuid = models.UUIDField("编号", default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("类型", max_length=16, choices=AlertKind.choices)
    status = models.CharField("状态", max_length=8, choices=AlertStatus.choices, default=AlertStatus.OPEN, db_index=True)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE, related_name="health_alerts")
    person = models.ForeignKey("workforce.Person", verbose_name="人员", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="alerts")
    # No database foreign key: on PostgreSQL check-ins are partitioned by month and their ``id`` is
    # not unique on its own in the database's eyes (health/migrations/0002). Django does the SET_NULL.
    checkin = models.ForeignKey(CheckIn, verbose_name="打卡记录", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                db_constraint=False)
    date = models.DateField("日期")
    temperature = models.DecimalField("体温(℃)", max_digits=3, decimal_places=1, null=True, blank=True)
    detail = models.CharField("情况", max_length=255)
    raised_at = models.DateTimeField("发生时间")
    outcome = models.CharField("处置结果", max_length=16, choices=AlertOutcome.choices, blank=True)
    note = models.TextField("处置说明", blank=True)
    closed_at = models.DateTimeField("处置时间", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处置人", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")

    objects = EnterpriseHealthQuerySet.as_manager()

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["enterprise", "status"], name="alert_enterprise_status")]
        constraints = [
            # One missing-report alert per enterprise and day, however often the job runs.
            models.UniqueConstraint(fields=["enterprise", "date"], condition=models.Q(kind=AlertKind.MISSING_REPORT),
                                    name="alert_one_missing_report_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.date}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("health:alert-detail", args=[self.uuid])


class DailyReport(TimeStampedModel):
    """An enterprise's daily report (日报告) to its town, one per day: filled in from the data
    (on-site headcount, returned today by origin, in isolation, fever cases, days of materials),
    then confirmed by the enterprise, or filed as a zero report (零报告). A missing report at the
    policy's ``daily_report_deadline_hour`` raises an alert."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE, related_name="daily_reports")
    date = models.DateField("日期")
    status = models.CharField("状态", max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    on_site = models.PositiveIntegerField("在岗人数", default=0)
    returned_today = models.JSONField("今日返岗（按来源地）", default=dict, blank=True)
    in_isolation = models.PositiveIntegerField("隔离观察人数", default=0)
    fever_cases = models.PositiveIntegerField("发热人数", default=0)
    materials_days = models.DecimalField("防控物资可用天数", max_digits=6, decimal_places=1, null=True, blank=True)
    note = models.TextField("情况说明", blank=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")

    objects = DailyReportQuerySet.as_manager()

    class Meta:
        verbose_name = "企业日报"
        verbose_name_plural = "企业日报"
        ordering = ["-date", "enterprise"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "date"], name="daily_report_one_per_day")]

    def __str__(self) -> str:
        return f"{self.date} 日报"
