"""The flag rule (挂旗, Changle): pure — facts and policy in, colour and reasons out.

- red: not resumed (never applied, application under review) or suspended (停工);
- yellow: resumed, but partly (fewer returned than the approved application plans, under the
  policy's ``flag_returned_percent``) or with problems: an open or overdue rectification item, an
  open help request, a material under the policy's minimum days, a missing daily report (after
  the county's deadline hour), an open fever alert;
- green: approved, resumed and none of the above.

The problems are listed for red enterprises too (an acceptance finding of one under review):
every reason is shown, the colour is the worst of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from fugong.command.choices import RED_REASONS, Flag, Reason
from fugong.enterprises.choices import Status

RESUMED_STATUSES = (Status.APPROVED, Status.RESUMED)


@dataclass(frozen=True)
class FlagFacts:
    """What the rule needs to know of one enterprise on one day."""

    status: str
    planned: int = 0  # the approved application's returning headcount
    returned: int = 0  # its people back by the day (一人一档)
    rectifications_open: int = 0  # open or reopened, not yet past the deadline
    rectifications_overdue: int = 0  # not verified and past the deadline
    help_open: int = 0
    materials_short: tuple[str, ...] = ()  # names of the items under the minimum days
    report_missing_on: date | None = None  # the day whose report is missing (after the deadline)
    fever_open: int = 0


@dataclass(frozen=True)
class Decision:
    flag: str
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (code, Chinese text)

    @property
    def codes(self) -> list[str]:
        return [code for code, _ in self.reasons]


def decide(facts: FlagFacts, policy: Any) -> Decision:
    """The flag of one enterprise: its colour and every reason, red ones first."""
    reasons: list[tuple[str, str]] = []
    if facts.status == Status.SUSPENDED:
        reasons.append((Reason.SUSPENDED, "已停工，待整改后复产"))
    elif facts.status == Status.APPLYING:
        reasons.append((Reason.APPLYING, "复工申请审核中，尚未复工"))
    elif facts.status not in RESUMED_STATUSES:
        reasons.append((Reason.NOT_APPLIED, "尚未申请复工"))
    resumed = facts.status in RESUMED_STATUSES
    percent = Decimal(str(policy.flag_returned_percent))
    if resumed and facts.planned > 0 and Decimal(facts.returned) * 100 < Decimal(facts.planned) * percent:
        share = round(100 * facts.returned / facts.planned)
        reasons.append((Reason.PARTLY_RETURNED, f"部分复工：已返岗 {facts.returned} 人，计划 {facts.planned} 人（{share}%）"))
    if facts.rectifications_overdue:
        reasons.append((Reason.RECTIFICATION_OVERDUE, f"{facts.rectifications_overdue} 项整改已逾期未销号"))
    if facts.rectifications_open:
        reasons.append((Reason.RECTIFICATION_OPEN, f"{facts.rectifications_open} 项整改待完成"))
    if facts.help_open:
        reasons.append((Reason.HELP_OPEN, f"{facts.help_open} 件诉求未办结"))
    if facts.materials_short:
        reasons.append((Reason.MATERIALS_SHORT,
                        f"{'、'.join(facts.materials_short)}低于 {policy.material_reserve_days} 天储备下限"))
    if facts.report_missing_on is not None:
        reasons.append((Reason.REPORT_MISSING, f"{facts.report_missing_on:%m月%d日}企业日报未报送"))
    if facts.fever_open:
        reasons.append((Reason.FEVER_OPEN, f"{facts.fever_open} 条发热预警待处置"))
    if any(code in RED_REASONS for code, _ in reasons):
        return Decision(Flag.RED, reasons)
    return Decision(Flag.YELLOW if reasons else Flag.GREEN, reasons)
