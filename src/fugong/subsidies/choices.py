"""Choices of the subsidy schemes (SPEC.md, "Help for enterprises", subsidy rules of Heyuan)."""

from django.db import models


class RuleKind(models.TextChoices):
    """How a rule turns a roster into amounts. The amounts and conditions are the rule's data
    (``SubsidyRule.params``), read by :mod:`fugong.subsidies.calculation`."""

    RETURN_BY_DATE = "return_by_date", "返岗补助（按返岗时段）"
    REFERRAL = "referral", "老员工介绍新员工奖励"
    RETENTION = "retention", "新员工稳岗补助（入职满N个月）"
    TRAVEL = "travel", "交通补贴（按来源地）"
    RENT_WAIVER = "rent_waiver", "园区租金减免（按月）"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"


# An application in these states blocks another one of the same scheme and period.
OPEN_STATUSES = (ApplicationStatus.PENDING, ApplicationStatus.APPROVED)
