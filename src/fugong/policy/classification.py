"""Classification of a returning worker (SPEC.md "Workers → Classification"): facts + policy → decision.

Pure, like every rule in ``policy/``: the caller passes the facts (``today`` included) and the
:class:`~fugong.policy.services.Policy` in force for the place and day, so a decision can be
replayed and re-evaluated when the policy or the risk-area list changes. Nothing here reads the
clock or the database.

The rules, first match wins:

1. fever (temperature ≥ ``fever_threshold_celsius``) or cough → refused entry, isolated, sent to a
   fever clinic (``refused_fever``);
2. from or through a key epidemic area within ``travel_history_days``, or contact with a case, a
   suspected case or people from key areas → must not return (``must_not_return``); if already
   back → centralised quarantine for ``central_quarantine_days`` from the return date
   (``central_quarantine``);
3. from outside the city → ``outside_city_isolation_days`` in a single room before a pass
   (``isolate_before_pass``);
4. from the same city, another district → may work, temperature ``checkins_per_day`` times a day
   for ``other_district_monitoring_days`` (``work_with_checks``);
5. local and not away → pass after the grid officer's approval (``pass_after_approval``).

Periods count the return date as day one: a 14-day period from 1 February runs to 14 February
(``needs_checks_until``) and the person is eligible on 15 February (``eligible_on``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fugong.policy.services import Policy


class Origin(StrEnum):
    """Where the worker comes back from, relative to the enterprise's city and district."""

    LOCAL_NOT_AWAY = "local_not_away"
    SAME_CITY_OTHER_DISTRICT = "same_city_other_district"
    OTHER_CITY_SAME_PROVINCE = "other_city_same_province"
    OTHER_PROVINCE = "other_province"


ORIGIN_LABELS: dict[Origin, str] = {
    Origin.LOCAL_NOT_AWAY: "本地未外出",
    Origin.SAME_CITY_OTHER_DISTRICT: "本市其他区",
    Origin.OTHER_CITY_SAME_PROVINCE: "省内其他城市",
    Origin.OTHER_PROVINCE: "外省",
}


class Category(StrEnum):
    """The decision, in order of precedence."""

    REFUSED_FEVER = "refused_fever"
    MUST_NOT_RETURN = "must_not_return"
    CENTRAL_QUARANTINE = "central_quarantine"
    ISOLATE_BEFORE_PASS = "isolate_before_pass"  # noqa: S105 (a "pass" is an entry permit, not a password)
    WORK_WITH_CHECKS = "work_with_checks"
    PASS_AFTER_APPROVAL = "pass_after_approval"  # noqa: S105


CATEGORY_LABELS: dict[Category, str] = {
    Category.REFUSED_FEVER: "发热或咳嗽，拒绝入厂",
    Category.MUST_NOT_RETURN: "暂不得返岗",
    Category.CENTRAL_QUARANTINE: "集中隔离",
    Category.ISOLATE_BEFORE_PASS: "单人单间隔离后发证",
    Category.WORK_WITH_CHECKS: "可上岗，每日测温",
    Category.PASS_AFTER_APPROVAL: "审核后发证",
}


@dataclass(frozen=True, kw_only=True)
class WorkerFacts:
    """What classification needs to know of one worker, as of ``today``.

    ``from_key_area`` means the person was in or passed through a key epidemic area within the
    policy's ``travel_history_days`` (the caller checks the travel history against the risk-area
    list); ``key_area_places`` name those places for the reason. ``contact_with_case`` covers
    contact with a confirmed or suspected case or with people from key areas. ``return_date`` is
    the day they came back when ``already_back``, else the planned day (or None if unknown).
    """

    origin: Origin | str  # an Origin value; text is accepted and turned into an Origin
    today: date
    from_key_area: bool = False
    key_area_places: tuple[str, ...] = ()
    contact_with_case: bool = False
    already_back: bool = False
    return_date: date | None = None
    temperature: Decimal | None = None
    cough: bool = False

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "origin", Origin(self.origin))
        except ValueError:
            allowed = ", ".join(origin.value for origin in Origin)
            raise ValueError(f"origin must be one of {allowed}, not {self.origin!r}") from None
        object.__setattr__(self, "key_area_places", tuple(self.key_area_places))
        if self.temperature is not None and not isinstance(self.temperature, Decimal):
            object.__setattr__(self, "temperature", Decimal(str(self.temperature)))
        if self.already_back and self.return_date is not None and self.return_date > self.today:
            raise ValueError(f"already back, yet the return date {self.return_date} is after today {self.today}")


@dataclass(frozen=True)
class Classification:
    """The decision with its explanation.

    ``rule`` states the rule that fired with the policy's numbers; ``reason`` says in one Chinese
    sentence why it applies to this person and what follows, with dates. ``eligible_on`` is the
    first day the person may get a pass or work (None when refused); ``needs_checks_until`` the
    last day of twice-daily checks (quarantine, isolation or monitoring), None when there is no
    such period. ``parameters`` name the policy parameters the decision read.
    """

    category: Category
    rule: str
    reason: str
    eligible_on: date | None
    needs_checks_until: date | None
    parameters: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The category's Chinese label."""
        return CATEGORY_LABELS[self.category]

    @property
    def refused(self) -> bool:
        """True when the person may not work at all for now (no eligible date)."""
        return self.eligible_on is None


def _day(value: date) -> str:
    return value.strftime("%Y-%m-%d")


def _period(start: date, days: int) -> tuple[date, date | None]:
    """``(eligible_on, last day of the period)`` for ``days`` counted from ``start`` as day one."""
    end = start + timedelta(days=days)
    return end, (end - timedelta(days=1)) if days > 0 else None


def _start(facts: WorkerFacts) -> tuple[date, str]:
    """The day periods count from, and how the reason says it."""
    if facts.return_date is not None:
        said = f"已于 {_day(facts.return_date)} 返回" if facts.already_back else f"计划于 {_day(facts.return_date)} 返回"
        return facts.return_date, said
    said = "已返回" if facts.already_back else "尚未返回"
    return facts.today, f"{said}（返回日期未填，按今天 {_day(facts.today)} 起算）"


def _exposure(facts: WorkerFacts, travel_days: int) -> str:
    """The key-area travel and contact, said in Chinese."""
    parts: list[str] = []
    if facts.from_key_area or facts.key_area_places:
        places = f"（{'、'.join(facts.key_area_places)}）" if facts.key_area_places else ""
        parts.append(f"{travel_days} 天内到过或途经重点疫区{places}")
    if facts.contact_with_case:
        parts.append("接触过确诊病例、疑似病例或重点疫区人员")
    return "，且".join(parts)


def classify(facts: WorkerFacts, policy: Policy) -> Classification:
    """Classify one returning worker under ``policy``; the first matching rule decides."""
    threshold = Decimal(str(policy.fever_threshold_celsius))
    travel_days = int(policy.travel_history_days)
    quarantine_days = int(policy.central_quarantine_days)
    isolation_days = int(policy.outside_city_isolation_days)
    monitoring_days = int(policy.other_district_monitoring_days)
    checks_per_day = int(policy.checkins_per_day)
    origin = Origin(facts.origin)

    fever = facts.temperature is not None and facts.temperature >= threshold
    if fever or facts.cough:
        symptoms: list[str] = []
        if fever:
            symptoms.append(f"体温 {facts.temperature}℃，达到发热标准（≥{threshold}℃）")
        if facts.cough:
            symptoms.append("有咳嗽症状")
        return Classification(
            category=Category.REFUSED_FEVER,
            rule=f"体温≥{threshold}℃或咳嗽：拒绝入厂，立即隔离，送发热门诊",
            reason=f"{'，且'.join(symptoms)}：拒绝入厂，立即隔离，并送发热门诊排查。",
            eligible_on=None,
            needs_checks_until=None,
            parameters=("fever_threshold_celsius",),
        )

    if facts.from_key_area or facts.key_area_places or facts.contact_with_case:
        exposure = _exposure(facts, travel_days)
        rule = (
            f"{travel_days} 天内到过或途经重点疫区、或接触过确诊/疑似病例及重点疫区人员：不得返岗；"
            f"已返回的集中隔离 {quarantine_days} 天"
        )
        parameters = ("travel_history_days", "central_quarantine_days")
        if not facts.already_back:
            return Classification(
                category=Category.MUST_NOT_RETURN,
                rule=rule,
                reason=f"{exposure}，尚未返回：暂不得返岗；如已返回，须集中隔离 {quarantine_days} 天。",
                eligible_on=None,
                needs_checks_until=None,
                parameters=parameters,
            )
        start, returned = _start(facts)
        eligible_on, last_day = _period(start, quarantine_days)
        span = f"（{_day(start)} 至 {_day(last_day)}）" if last_day else ""
        return Classification(
            category=Category.CENTRAL_QUARANTINE,
            rule=rule,
            reason=f"{exposure}，{returned}：须集中隔离 {quarantine_days} 天{span}，{_day(eligible_on)} 起方可申领出入证、上岗。",
            eligible_on=eligible_on,
            needs_checks_until=last_day,
            parameters=parameters,
        )

    if origin in (Origin.OTHER_CITY_SAME_PROVINCE, Origin.OTHER_PROVINCE):
        start, returned = _start(facts)
        eligible_on, last_day = _period(start, isolation_days)
        where = f"从市外（{ORIGIN_LABELS[origin]}）返岗，{returned}"
        if last_day is None:
            reason = f"{where}：现行政策隔离天数为 0，无需隔离，{_day(eligible_on)} 起经审核可申领出入证。"
        else:
            reason = (
                f"{where}：须单人单间隔离 {isolation_days} 天（{_day(start)} 至 {_day(last_day)}），"
                f"{_day(eligible_on)} 起方可申领出入证。"
            )
        return Classification(
            category=Category.ISOLATE_BEFORE_PASS,
            rule=f"市外返岗人员：单人单间隔离 {isolation_days} 天后方可发放出入证",
            reason=reason,
            eligible_on=eligible_on,
            needs_checks_until=last_day,
            parameters=("outside_city_isolation_days",),
        )

    if origin == Origin.SAME_CITY_OTHER_DISTRICT:
        start, returned = _start(facts)
        _end, last_day = _period(start, monitoring_days)
        if last_day is None:
            reason = f"从本市其他区返岗，{returned}：可以上岗；现行政策监测天数为 0，无需额外测温。"
        else:
            reason = (
                f"从本市其他区返岗，{returned}：可以上岗，须每天测温 {checks_per_day} 次，"
                f"连续 {monitoring_days} 天（{_day(start)} 至 {_day(last_day)}）。"
            )
        return Classification(
            category=Category.WORK_WITH_CHECKS,
            rule=f"本市其他区返岗人员：可以上岗，每天测温 {checks_per_day} 次，连续 {monitoring_days} 天",
            reason=reason,
            eligible_on=start,
            needs_checks_until=last_day,
            parameters=("other_district_monitoring_days", "checkins_per_day"),
        )

    return Classification(
        category=Category.PASS_AFTER_APPROVAL,
        rule="本地未外出人员：经网格长审核同意后发放出入证",
        reason="本地人员，未离开本地，无发热咳嗽、无重点疫区行程和接触史：经网格长审核同意后即可发放出入证。",
        eligible_on=facts.today,
        needs_checks_until=None,
        parameters=(),
    )
