"""Choices of health monitoring (SPEC.md, "Health monitoring")."""

from django.db import models


class CheckInSource(models.TextChoices):
    """Who recorded a check-in."""

    SELF = "self", "本人填报"
    GATE = "gate", "门岗测温"
    ENTERPRISE = "enterprise", "企业批量"
    API = "api", "接口"


class AlertKind(models.TextChoices):
    FEVER = "fever", "发热"
    SYMPTOM = "symptom", "症状异常"
    MISSING_REPORT = "missing_report", "未报日报"


class AlertStatus(models.TextChoices):
    OPEN = "open", "待处置"
    CLOSED = "closed", "已处置"


class AlertOutcome(models.TextChoices):
    """How an alert was closed (SPEC.md: isolated, sent to clinic, cleared)."""

    ISOLATED = "isolated", "已隔离"
    CLINIC = "clinic", "已送发热门诊"
    CLEARED = "cleared", "排除异常"


class ReportStatus(models.TextChoices):
    """A daily report is filled in from the data, then confirmed by the enterprise; a zero report
    (零报告) says in one click that nothing is abnormal."""

    DRAFT = "draft", "待确认"
    CONFIRMED = "confirmed", "已报送"
    ZERO = "zero", "零报告"
