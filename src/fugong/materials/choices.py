"""Choices of protective materials (SPEC.md, "Protective materials (防控物资)")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MovementKind(models.TextChoices):
    """What moved an enterprise's stock. The quantity of a movement is signed: received and
    allocated add, used takes away, an adjustment (from the daily count) either."""

    RECEIVED = "received", _("采购入库")
    USED = "used", _("领用消耗")
    ALLOCATED = "allocated", _("政府调拨")
    ADJUSTED = "adjusted", _("盘点调整")


# What an enterprise admin records by hand; the other two are written by the services
# (an allocation's receipt, the daily count).
MANUAL_KINDS = (MovementKind.RECEIVED, MovementKind.USED)


class StockpileMovementKind(models.TextChoices):
    """What moved a government stockpile: goods in, an allocation handed out, a count's correction."""

    RECEIVED = "received", _("入库")
    ALLOCATED_OUT = "allocated_out", _("调拨出库")
    ADJUSTED = "adjusted", _("盘点调整")


STOCKPILE_MANUAL_KINDS = (StockpileMovementKind.RECEIVED, StockpileMovementKind.ADJUSTED)


class AllocationStatus(models.TextChoices):
    """An allocation's life: proposed by need, confirmed by the command officer, received by the
    enterprise; or cancelled before it is received."""

    PROPOSED = "proposed", _("建议待确认")
    CONFIRMED = "confirmed", _("已确认待接收")
    RECEIVED = "received", _("已接收")
    CANCELLED = "cancelled", _("已取消")


# The state machine as data: from each state, where it may go. Anything else raises.
ALLOCATION_TRANSITIONS: dict[str, frozenset[str]] = {
    AllocationStatus.PROPOSED: frozenset({AllocationStatus.CONFIRMED, AllocationStatus.CANCELLED}),
    AllocationStatus.CONFIRMED: frozenset({AllocationStatus.RECEIVED, AllocationStatus.CANCELLED}),
    AllocationStatus.RECEIVED: frozenset(),
    AllocationStatus.CANCELLED: frozenset(),
}
PENDING_STATUSES = (AllocationStatus.PROPOSED, AllocationStatus.CONFIRMED)


class SupplyState(models.TextChoices):
    """The officers' list filter: an enterprise short of some item, sufficient, or without a figure."""

    SHORT = "short", _("短缺")
    OK = "ok", _("充足")
    UNKNOWN = "unknown", _("无在岗人员")
