"""Choices of help for enterprises (SPEC.md, "Help for enterprises (帮扶)")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """What an enterprise asks help with (诉求类别); the routing rules send each to a department."""

    FINANCE = "finance", _("融资")
    LOGISTICS = "logistics", _("物流")
    RAW_MATERIALS = "raw_materials", _("原材料")
    PROTECTIVE_SUPPLIES = "protective_supplies", _("防护物资")
    LABOUR = "labour", _("用工")
    UTILITIES = "utilities", _("水电气")
    APPROVALS = "approvals", _("审批")
    OTHER = "other", _("其他")


class Channel(models.TextChoices):
    ONLINE = "online", _("企业在线提交")
    HOTLINE = "hotline", _("12345 热线")


class RequestStatus(models.TextChoices):
    FILED = "filed", _("待答复")
    ANSWERED = "answered", _("已答复待确认")
    REOPENED = "reopened", _("未解决退回")
    CLOSED = "closed", _("已办结")


# Waiting for the department (or the town's command) to answer.
AWAITING_ANSWER = (RequestStatus.FILED, RequestStatus.REOPENED)
OPEN_STATUSES = (RequestStatus.FILED, RequestStatus.ANSWERED, RequestStatus.REOPENED)


class Transition(models.TextChoices):
    """The only ways a request's status changes (services.TRANSITIONS maps each to its states)."""

    ANSWER = "answer", _("答复")
    CONFIRM = "confirm", _("企业确认已解决")
    REOPEN = "reopen", _("企业反馈未解决")


# The state machine as data: transition → (states it may start from, the state it leads to).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    Transition.ANSWER: (AWAITING_ANSWER, RequestStatus.ANSWERED),
    Transition.CONFIRM: ((RequestStatus.ANSWERED,), RequestStatus.CLOSED),
    Transition.REOPEN: ((RequestStatus.ANSWERED,), RequestStatus.REOPENED),
}


class EventKind(models.TextChoices):
    FILED = "filed", _("提交诉求")
    ROUTED = "routed", _("分派")
    ANSWERED = "answered", _("答复")
    CONFIRMED = "confirmed", _("企业确认已解决")
    REOPENED = "reopened", _("企业反馈未解决")


class DueFilter(models.TextChoices):
    OVERDUE = "overdue", _("超时未答复")
    OPEN = "open", _("未办结")


class PositionStatus(models.TextChoices):
    OPEN = "open", _("招聘中")
    PAUSED = "paused", _("暂停")
    CLOSED = "closed", _("已结束")
