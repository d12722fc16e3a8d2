"""Choices of the gate log (SPEC.md, "People (roles)": the gate guard scans passes, records
temperatures, keeps the visitor and vehicle log)."""

from django.db import models


class PassageKind(models.TextChoices):
    """Who went through: a worker showing a pass, a visitor, or a vehicle (its driver measured)."""

    WORKER = "worker", "员工"
    VISITOR = "visitor", "访客"
    VEHICLE = "vehicle", "车辆"


class Direction(models.TextChoices):
    IN = "in", "进"
    OUT = "out", "出"


class Outcome(models.TextChoices):
    ALLOWED = "allowed", "放行"
    REFUSED = "refused", "禁止通行"


class Refusal(models.TextChoices):
    """Why a passage was refused. The code goes into the audit log (no personal value); the
    sentence shown at the gate is kept on the row (``Passage.reason``)."""

    PASS_INVALID = "pass_invalid", "出入证无效"
    WRONG_ENTERPRISE = "wrong_enterprise", "非本企业出入证"
    OUTSIDE_REGION = "outside_region", "非本辖区企业出入证"
    SUSPENDED = "suspended", "企业已停工"
    FEVER = "fever", "体温异常"
