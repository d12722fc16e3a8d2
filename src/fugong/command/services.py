"""Writes of the command centre: the flags (computed in bulk, history only on change), the marks
that say which flags to recompute, and the daily summaries. The rollups are in ``rollups.py``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from fugong.command.choices import FLAG_ORDER, Reason
from fugong.command.flags import RESUMED_STATUSES, Decision, FlagFacts, decide
from fugong.command.models import EnterpriseFlag, FlagChange
from fugong.command.policies import CountyPolicies
from fugong.enterprises.models import Enterprise
from fugong.policy.parameters import SHANGHAI


@dataclass(frozen=True)
class RefreshResult:
    computed: int
    changed: int
    town_ids: frozenset[int]


def end_of(day: date) -> datetime:
    """The first moment after ``day`` in Beijing time: "by the end of the day" is ``< end_of(day)``."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=SHANGHAI)


def _by_enterprise(queryset: QuerySet[Any], field: str = "enterprise_id", **annotation: Any) -> dict[int, int]:
    name, aggregate = next(iter(annotation.items()))
    return {row[field]: int(row[name] or 0) for row in queryset.order_by().values(field).annotate(**{name: aggregate})}


def report_day(path: str, day: date, now: datetime, policies: CountyPolicies) -> date | None:
    """The day whose daily report is due by now: ``day`` once its county's deadline hour passed
    (or a past day), else the day before."""
    local = timezone.localtime(now, SHANGHAI)
    if day < local.date():
        return day
    if local.hour >= int(policies.of(path).daily_report_deadline_hour):
        return day
    return day - timedelta(days=1)


class Routes:
    """``reverse`` once per URL name (and once per name taking the enterprise's id, through a
    marker replaced by the id): a county's refresh builds a hundred thousand reason links."""

    MARKER = 987654321987654321

    def __init__(self) -> None:
        self._paths: dict[tuple[str, bool], str] = {}

    def __call__(self, name: str, pk: int | None = None) -> str:
        key = (name, pk is not None)
        if key not in self._paths:
            self._paths[key] = reverse(name, args=[self.MARKER]) if pk is not None else reverse(name)
        path = self._paths[key]
        return path.replace(str(self.MARKER), str(pk)) if pk is not None else path


def reason_url(code: str, enterprise: Any, day: date, routes: Routes | None = None) -> str:
    """The list behind a reason, narrowed to the enterprise."""
    route = routes or Routes()
    pk = enterprise["pk"]
    if code == Reason.PARTLY_RETURNED:
        return f"{route('workforce:list')}?{urlencode({'enterprise': pk, 'returned_to': day.isoformat()})}"
    if code == Reason.RECTIFICATION_OPEN:
        return f"{route('inspections:rectifications')}?{urlencode({'enterprise': pk})}"
    if code == Reason.RECTIFICATION_OVERDUE:
        return f"{route('inspections:rectifications')}?{urlencode({'enterprise': pk, 'overdue': 'true'})}"
    if code == Reason.HELP_OPEN and _installed("assistance"):
        return f"{route('assistance:requests')}?{urlencode({'due': 'open', 'q': enterprise['name']})}"
    if code == Reason.MATERIALS_SHORT and _installed("materials"):
        return route("materials:enterprise", pk)
    if code == Reason.REPORT_MISSING:
        return route("health:report-enterprise", pk)
    if code == Reason.FEVER_OPEN:
        return f"{route('health:alerts')}?{urlencode({'status': 'open', 'kind': 'fever', 'enterprise': pk})}"
    return route("enterprises:detail", pk)


def _installed(label: str) -> bool:
    return apps.is_installed(f"fugong.{label}")


# -- the facts, in bulk -----------------------------------------------------------------------------


def _facts(enterprises: list[dict[str, Any]], selection: Selection, day: date, now: datetime, policies: CountyPolicies) -> dict[int, FlagFacts]:
    """Per enterprise, what the rule needs: one grouped query per source, for all of them at once.
    ``selection`` narrows the children's queries (``enterprise__…``) the way ``enterprises`` were chosen."""
    from fugong.health.choices import AlertKind, AlertStatus
    from fugong.health.models import Alert, DailyReport
    from fugong.health.reports import FILED
    from fugong.inspections.choices import RectificationStatus
    from fugong.inspections.models import RectificationItem
    from fugong.resumption.choices import Status as ApplicationStatus
    from fugong.resumption.models import ReturnPlanEntry
    from fugong.workforce.models import Person

    planned = _by_enterprise(ReturnPlanEntry.objects.filter(selection.q("application__enterprise_id"),
                                                            application__status=ApplicationStatus.APPROVED),
                             "application__enterprise_id", n=Sum("count"))
    returned = _by_enterprise(Person.objects.filter(selection.q(), return_date__lte=day), n=Count("pk"))
    open_items = RectificationItem.objects.filter(selection.q(), status__in=[RectificationStatus.OPEN, RectificationStatus.REOPENED])
    overdue = _by_enterprise(RectificationItem.objects.filter(selection.q()).overdue(day), n=Count("pk"))  # type: ignore[attr-defined]
    still_open = _by_enterprise(open_items.filter(deadline__gte=day), n=Count("pk"))
    fevers = _by_enterprise(Alert.objects.filter(selection.q(), kind=AlertKind.FEVER, status=AlertStatus.OPEN), n=Count("pk"))
    help_open = _help_open(selection)
    short = _materials_short(enterprises, selection, day)
    # Daily reports: who must report (an approved application), and who filed the day that is due.
    resumed = [e for e in enterprises if e["status"] in RESUMED_STATUSES]
    due_days: dict[int, date | None] = {e["pk"]: report_day(e["path"], day, now, policies) for e in resumed}
    must = set(Enterprise.objects.filter(selection.q("pk")).filter(
        Exists(_approved_applications())).values_list("pk", flat=True)) if resumed else set()
    filed: set[tuple[int, date]] = set()
    for wanted in {d for d in due_days.values() if d is not None}:
        filed |= {(pk, wanted) for pk in DailyReport.objects.filter(selection.q(), date=wanted, status__in=FILED).values_list("enterprise_id", flat=True)}
    facts: dict[int, FlagFacts] = {}
    for e in enterprises:
        pk = e["pk"]
        due = due_days.get(pk)
        missing = due if (due is not None and pk in must and (pk, due) not in filed) else None
        facts[pk] = FlagFacts(status=e["status"], planned=planned.get(pk, 0), returned=returned.get(pk, 0),
                              rectifications_open=still_open.get(pk, 0), rectifications_overdue=overdue.get(pk, 0),
                              help_open=help_open.get(pk, 0), materials_short=short.get(pk, ()), report_missing_on=missing,
                              fever_open=fevers.get(pk, 0))
    return facts


def _approved_applications() -> Any:
    from fugong.resumption.choices import Status as ApplicationStatus
    from fugong.resumption.models import Application

    return Application.objects.filter(enterprise=OuterRef("pk"), status=ApplicationStatus.APPROVED)


@dataclass(frozen=True)
class Selection:
    """Which enterprises a computation covers: all (``ids`` and ``query`` None), the ones listed
    (``ids``), or those of an enterprise queryset (``query``, kept as a subquery: a county's 100,000
    enterprises are never sent as a list of ids) — written on whatever path leads to the enterprise
    (``enterprise_id``, ``application__enterprise_id``, ``pk``)."""

    ids: tuple[int, ...] | None = None
    query: QuerySet[Any] | None = None

    def q(self, field: str = "enterprise_id") -> Q:
        if self.query is not None:
            return Q(**{f"{field}__in": self.query})
        return Q() if self.ids is None else Q(**{f"{field}__in": self.ids})


def _help_open(selection: Selection) -> dict[int, int]:
    """Open help requests (诉求) per enterprise; none while fugong.assistance is not installed."""
    if not _installed("assistance"):
        return {}
    from fugong.assistance.choices import OPEN_STATUSES
    from fugong.assistance.models import HelpRequest

    return _by_enterprise(HelpRequest.objects.filter(selection.q(), status__in=OPEN_STATUSES), n=Count("pk"))


def _materials_short(enterprises: list[dict[str, Any]], selection: Selection, day: date) -> dict[int, tuple[str, ...]]:
    """Per resumed enterprise, the items under the policy's minimum days (fugong.materials)."""
    if not _installed("materials"):
        return {}
    from fugong.materials.selectors import supply_overview

    if not any(e["status"] in RESUMED_STATUSES for e in enterprises):
        return {}
    overview = supply_overview(Enterprise.objects.filter(selection.q("pk"), status__in=RESUMED_STATUSES), day)
    return {pk: tuple(str(item.material.name) for item in supply.short_items) for pk, supply in overview.items() if supply.is_short}


# -- the service --------------------------------------------------------------------------------------


def _selection(enterprises: Iterable[Any] | QuerySet[Any] | None) -> Selection:
    if enterprises is None:
        return Selection()
    if isinstance(enterprises, QuerySet):
        return Selection(query=enterprises.order_by().values("pk"))
    return Selection(tuple(getattr(e, "pk", e) for e in enterprises))


def flags_refresh(*, enterprises: Iterable[Any] | QuerySet[Any] | None = None, day: date | None = None,
                  now: datetime | None = None) -> RefreshResult:
    """Compute the flags of ``enterprises`` (all when None) for ``day`` (today) in bulk — one
    grouped query per source whatever their number — and write the current flag of each; a
    :class:`FlagChange` only where the colour changed (or on the first computation)."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    selection = _selection(enterprises)
    rows = list(Enterprise.objects.filter(selection.q("pk")).order_by("pk").values("pk", "name", "status", "town_id", "region__path"))
    for row in rows:
        row["path"] = row.pop("region__path")
    if not rows:
        return RefreshResult(0, 0, frozenset())
    policies = CountyPolicies(day)
    routes = Routes()
    facts = _facts(rows, selection, day, now, policies)
    existing = {f.enterprise_id: f for f in EnterpriseFlag.objects.filter(selection.q())}
    create: list[EnterpriseFlag] = []
    update: list[EnterpriseFlag] = []
    changes: list[FlagChange] = []
    for row in rows:
        decision: Decision = decide(facts[row["pk"]], policies.of(row["path"]))
        reasons = [{"code": code, "text": text, "url": reason_url(code, row, day, routes)} for code, text in decision.reasons]
        codes = "," + ",".join(decision.codes) + "," if decision.codes else ""
        flag = existing.get(row["pk"])
        if flag is None:
            create.append(EnterpriseFlag(enterprise_id=row["pk"], flag=decision.flag, order=FLAG_ORDER[decision.flag], reasons=reasons,  # type: ignore[index]
                                         reason_codes=codes, day=day, computed_at=now, since=now))
            changes.append(FlagChange(enterprise_id=row["pk"], changed_at=now, day=day, old_flag="", new_flag=decision.flag, reasons=reasons))
            continue
        if flag.flag != decision.flag:
            changes.append(FlagChange(enterprise_id=row["pk"], changed_at=now, day=day, old_flag=flag.flag, new_flag=decision.flag,
                                      reasons=reasons))
            flag.since = now
        if flag.flag != decision.flag or flag.reasons != reasons or flag.dirty:
            flag.flag, flag.order, flag.reasons, flag.reason_codes = decision.flag, FLAG_ORDER[decision.flag], reasons, codes  # type: ignore[index]
            flag.day, flag.computed_at, flag.dirty = day, now, False
            update.append(flag)
    with transaction.atomic():
        EnterpriseFlag.objects.bulk_create(create, batch_size=2000)
        EnterpriseFlag.objects.bulk_update(update, ["flag", "order", "reasons", "reason_codes", "day", "computed_at", "since", "dirty"],
                                           batch_size=1000)
        FlagChange.objects.bulk_create(changes, batch_size=2000)
    return RefreshResult(len(rows), len(changes), frozenset(r["town_id"] for r in rows))


def mark_dirty(enterprise_ids: Iterable[int | None]) -> int:
    """Say that these enterprises' flags may have changed (one UPDATE; the periodic job recomputes
    them and their towns' rollup of today). Cheap enough for the services' transactions."""
    ids = [pk for pk in set(enterprise_ids) if pk is not None]
    if not ids:
        return 0
    return EnterpriseFlag.objects.filter(enterprise_id__in=ids, dirty=False).update(dirty=True)


DIRTY_BATCH = 5000


def refresh_dirty(*, now: datetime | None = None) -> RefreshResult:
    """Recompute the flags marked dirty (at most :data:`DIRTY_BATCH` per run) and today's rollup
    of their towns. Run by Celery every few minutes."""
    from fugong.command.rollups import rollup_refresh

    now = now or timezone.now()
    ids = list(EnterpriseFlag.objects.filter(dirty=True).order_by("pk").values_list("enterprise_id", flat=True)[:DIRTY_BATCH])
    if not ids:
        return RefreshResult(0, 0, frozenset())
    result = flags_refresh(enterprises=ids, now=now)
    rollup_refresh(day=timezone.localdate(now), towns=sorted(result.town_ids))
    return result
