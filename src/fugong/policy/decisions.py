"""Pure rule functions: facts + policy in force → decision with reasons.

Nothing here reads the clock or the database: callers pass ``now`` and the ``Policy`` of the
place and moment, so any decision can be replayed and every rule is tested without a database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any


@dataclass(frozen=True)
class Check:
    """One pre-submission check: ``blocking`` failures stop the submission, warnings don't.
    ``rule`` names the policy parameters it applied, so the reason can be traced."""

    code: str
    ok: bool
    blocking: bool
    message: str
    rule: tuple[str, ...] = ()

    @property
    def level(self) -> str:
        return "ok" if self.ok else ("error" if self.blocking else "warning")


@dataclass(frozen=True)
class ApplicationFacts:
    """What the checks need to know about an application, taken from the form or the database."""

    planned_start: datetime | None
    is_essential: bool
    returning_headcount: int
    reserves: dict[str, int] = field(default_factory=dict)
    has_dormitory: bool = False
    dormitory_rooms: int = 0
    dormitory_residents: int = 0
    observation_room: bool = False
    observation_equipment: dict[str, bool] = field(default_factory=dict)
    commitment_signed: bool = False
    attachment_kinds: frozenset[str] = frozenset()
    has_shuttle_bus: bool = False
    special_reason: str = ""
    return_batches: tuple[tuple[date, int], ...] = ()  # (return date, people) of the staggered plan


def _fmt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def masks_needed(headcount: int, policy: Any) -> int:
    """Masks for ``headcount`` people over the reserve period at the policy's daily rate."""
    need = Decimal(headcount) * Decimal(policy.masks_per_person_per_day) * policy.material_reserve_days
    return int(need.to_integral_value(rounding=ROUND_CEILING))


def headcount_supported(masks: int, policy: Any) -> int:
    """How many people the mask stock covers for the whole reserve period."""
    per_person = Decimal(policy.masks_per_person_per_day) * policy.material_reserve_days
    return int(Decimal(masks) // per_person) if per_person > 0 else 0


def needs_county_approval(facts: ApplicationFacts, policy: Any) -> bool:
    """Early resumption of an essential-supply enterprise, or a declared special case."""
    early = facts.planned_start is not None and facts.planned_start < policy.earliest_resumption_at
    return early or bool(facts.special_reason.strip())


def application_checks(facts: ApplicationFacts, policy: Any, now: datetime) -> list[Check]:
    """Every check SPEC.md asks of an application before it is submitted, each with its reason."""
    checks: list[Check] = []
    lead = timedelta(hours=policy.application_lead_hours)
    if facts.planned_start is None:
        checks.append(Check("planned_start", False, True, "请填写计划复工时间。"))
    else:
        earliest_by_lead = now + lead
        ok = facts.planned_start >= earliest_by_lead
        checks.append(Check(
            "lead_time", ok, True,
            f"计划复工时间已提前 {policy.application_lead_hours} 小时以上。" if ok
            else f"须至少提前 {policy.application_lead_hours} 小时申报：计划复工时间最早可填 {_fmt(earliest_by_lead)}。",
            ("application_lead_hours",),
        ))
        general = policy.earliest_resumption_at
        if facts.planned_start >= general:
            checks.append(Check("earliest_date", True, True, f"不早于一般企业最早复工时间 {_fmt(general)}。", ("earliest_resumption_at",)))
        elif facts.is_essential:
            checks.append(Check(
                "earliest_date", False, False,
                f"早于一般企业最早复工时间 {_fmt(general)}：保障类企业可提前复工，需县区指挥部批准。", ("earliest_resumption_at",),
            ))
        else:
            checks.append(Check(
                "earliest_date", False, True,
                f"一般企业不得早于 {_fmt(general)} 复工；只有保障城市运行、防疫物资、水电气、医疗器械、药品、食品等保障类企业可提前。",
                ("earliest_resumption_at",),
            ))
    if facts.returning_headcount <= 0:
        checks.append(Check("headcount", False, True, "请填写返岗人员计划（按来源地和返岗日期分批）。"))
    past = [(day, people) for day, people in facts.return_batches if day < now.date()]
    if past:
        checks.append(Check(
            "return_dates", False, False,
            f"返岗计划中有 {sum(p for _, p in past)} 人的返岗日期已过（最早 {min(d for d, _ in past):%Y-%m-%d}），请按实际安排更新返岗计划。",
        ))
    masks = facts.reserves.get("mask", 0)
    need = masks_needed(facts.returning_headcount, policy)
    if facts.returning_headcount > 0:
        if masks >= need:
            message = f"口罩储备 {masks} 只，满足 {facts.returning_headcount} 人 {policy.material_reserve_days} 天用量（{need} 只）。"
            checks.append(Check("masks", True, True, message, ("material_reserve_days", "masks_per_person_per_day")))
        else:
            supported = headcount_supported(masks, policy)
            checks.append(Check(
                "masks", False, True,
                f"口罩储备不足：{facts.returning_headcount} 人 {policy.material_reserve_days} 天需 {need} 只"
                f"（每人每天 {policy.masks_per_person_per_day} 只），现有 {masks} 只，缺 {need - masks} 只；"
                f"或按现有储备最多安排 {supported} 人返岗。",
                ("material_reserve_days", "masks_per_person_per_day"),
            ))
    for item, label in (("thermometer", "体温计"), ("disinfectant", "消毒液"), ("alcohol", "酒精"), ("gloves", "一次性手套")):
        if facts.reserves.get(item, 0) <= 0:
            checks.append(Check(f"reserve_{item}", False, False, f"未登记{label}储备，请确认是否已备足。"))
    if facts.has_dormitory:
        limit = policy.dormitory_max_per_room
        if facts.dormitory_rooms <= 0:
            checks.append(Check("dormitory", False, True, "企业有宿舍：请填写宿舍间数和入住人数。", ("dormitory_max_per_room",)))
        else:
            per_room = facts.dormitory_residents / facts.dormitory_rooms
            ok = per_room <= limit
            rooms_needed = math.ceil(facts.dormitory_residents / limit)
            checks.append(Check(
                "dormitory", ok, True,
                f"宿舍 {facts.dormitory_rooms} 间住 {facts.dormitory_residents} 人，每间不超过 {limit} 人。" if ok
                else f"宿舍 {facts.dormitory_rooms} 间住 {facts.dormitory_residents} 人，平均每间 {per_room:.1f} 人，超过每间 {limit} 人；"
                f"至少需要 {rooms_needed} 间，或减少入住人数。",
                ("dormitory_max_per_room",),
            ))
    if not facts.observation_room:
        checks.append(Check("observation_room", False, True, "须设置隔离观察室（单人单间，配防护服、护目镜、医药箱）。"))
    else:
        missing = [label for key, label in (("single_room", "单人单间"), ("suits", "防护服"), ("goggles", "护目镜"), ("medical_kit", "医药箱"))
                   if not facts.observation_equipment.get(key)]
        checks.append(Check("observation_room", not missing, False,
                            "隔离观察室已设置。" if not missing else f"隔离观察室缺少：{'、'.join(missing)}。"))
    checks.append(Check("commitment", facts.commitment_signed, True,
                        "已签署承诺书。" if facts.commitment_signed
                        else f"须签署承诺书：承诺全体返岗人员 {policy.commitment_days} 天内未到过、未接触重点疫区人员。", ("commitment_days",)))
    required = {"prevention_plan": "防控实施方案", "emergency_plan": "应急预案", "commitment": "承诺书（签章）"}
    if facts.has_shuttle_bus:
        required["bus_list"] = "班车车辆及人员清单"
    missing_files = [label for kind, label in required.items() if kind not in facts.attachment_kinds]
    checks.append(Check("attachments", not missing_files, True,
                        "必备材料齐全。" if not missing_files else f"请上传：{'、'.join(missing_files)}。"))
    return checks

