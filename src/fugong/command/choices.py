"""Choices of the command centre (SPEC.md, "The command centre's morning (看板)")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Flag(models.TextChoices):
    """挂旗 (Changle): red ones are served first, so the order of the values is the list's order."""

    RED = "red", _("红旗")
    YELLOW = "yellow", _("黄旗")
    GREEN = "green", _("绿旗")


FLAG_ORDER = {Flag.RED: 0, Flag.YELLOW: 1, Flag.GREEN: 2}


class Reason(models.TextChoices):
    """Why an enterprise carries its flag. Red reasons first, then yellow ones."""

    NOT_APPLIED = "not_applied", _("未申请复工")
    APPLYING = "applying", _("复工申请审核中")
    SUSPENDED = "suspended", _("已停工")
    PARTLY_RETURNED = "partly_returned", _("部分复工：返岗人数不足计划")
    RECTIFICATION_OPEN = "rectification_open", _("有待整改事项")
    RECTIFICATION_OVERDUE = "rectification_overdue", _("整改逾期")
    HELP_OPEN = "help_open", _("有未办结的诉求")
    MATERIALS_SHORT = "materials_short", _("防控物资低于储备下限")
    REPORT_MISSING = "report_missing", _("未报企业日报")
    FEVER_OPEN = "fever_open", _("有待处置的发热预警")


RED_REASONS = (Reason.NOT_APPLIED, Reason.APPLYING, Reason.SUSPENDED)


class ResumptionState(models.TextChoices):
    """The flags list's filter on where the enterprise stands with resumption."""

    RESUMED = "resumed", _("已复工（含已批准）")
    NOT_RESUMED = "not_resumed", _("未复工")
    SUSPENDED = "suspended", _("已停工")


class SummaryStatus(models.TextChoices):
    DONE = "done", _("已生成")
    FAILED = "failed", _("生成失败")
