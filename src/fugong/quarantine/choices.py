"""Choices of quarantine and isolation (SPEC.md, "Quarantine and isolation")."""

from django.db import models


class QuarantineKind(models.TextChoices):
    """Where a person is isolated. A home quarantine has no site; the other two do."""

    HOME = "home", "居家隔离"
    ENTERPRISE = "enterprise", "企业观察区"
    CENTRAL = "central", "集中隔离点"


SITE_KINDS = (QuarantineKind.ENTERPRISE, QuarantineKind.CENTRAL)


class PlacementStatus(models.TextChoices):
    ACTIVE = "active", "隔离中"
    RELEASED = "released", "已解除"


class PlacementReason(models.TextChoices):
    """Why a person is isolated; the reason decides which policy parameter sets the planned end."""

    KEY_AREA = "key_area", "重点地区返回"
    CONTACT = "contact", "密切接触者"
    OUTSIDE_CITY = "outside_city", "市外返岗"
    FEVER = "fever", "发热/症状观察"


# The policy parameter giving the length of each kind of isolation (SPEC.md: 14 days, centralised
# for key areas and contacts, a single room for those back from outside the city).
REASON_DAYS_PARAMETER: dict[str, str] = {
    PlacementReason.KEY_AREA: "central_quarantine_days",
    PlacementReason.CONTACT: "central_quarantine_days",
    PlacementReason.OUTSIDE_CITY: "outside_city_isolation_days",
    PlacementReason.FEVER: "central_quarantine_days",
}


class DueFilter(models.TextChoices):
    """The list's "due" filter: due for release today, or past the planned end and still held."""

    TODAY = "today", "今日到期"
    OVERDUE = "overdue", "已超期未解除"
