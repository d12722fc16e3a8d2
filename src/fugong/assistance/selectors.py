"""Reads of help for enterprises for the pages, the exports and the command centre (issue 6):
response times (filed → first answer, filed → closed) on average per department and per
category, open / overdue / solved counts per town, and the labour ledger's totals per town and
per sector. Each takes a queryset the caller has already scoped (or region paths)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone

from fugong.assistance.choices import AWAITING_ANSWER, OPEN_STATUSES, Category, RequestStatus
from fugong.assistance.models import HelpRequest, Position
from fugong.assistance.querysets import OPEN_POSITIONS
from fugong.enterprises.choices import Sector
from fugong.enterprises.querysets import region_q


def hours(seconds: float | None) -> float | None:
    """Seconds as hours, one decimal (None stays None: nothing measured yet)."""
    return None if seconds is None else round(seconds / 3600, 1)


def duration_label(seconds: float | None) -> str:
    """A response time as officials say it: 45分钟, 3.5小时, 2天4小时."""
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 3600:
        return f"{max(seconds // 60, 1)}分钟"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f}小时"
    days, rest = divmod(seconds, 86400)
    return f"{days}天{rest // 3600}小时"


@dataclass(frozen=True)
class ResponseRow:
    """Counts and average response times of one group of requests (a department, a category, a town)."""

    key: Any
    label: str
    total: int
    open: int
    overdue: int
    closed: int
    avg_response_seconds: float | None
    avg_resolution_seconds: float | None

    @property
    def avg_response(self) -> str:
        return duration_label(self.avg_response_seconds)

    @property
    def avg_resolution(self) -> str:
        return duration_label(self.avg_resolution_seconds)

    @property
    def avg_response_hours(self) -> float | None:
        return hours(self.avg_response_seconds)

    @property
    def avg_resolution_hours(self) -> float | None:
        return hours(self.avg_resolution_seconds)


def _aggregates(now: Any) -> dict[str, Any]:
    return {
        "total": Count("pk"),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "overdue": Count("pk", filter=Q(status__in=AWAITING_ANSWER, answer_due_at__lt=now)),
        "closed": Count("pk", filter=Q(status=RequestStatus.CLOSED)),
        "responded": Count("response_seconds"),
        "resolved": Count("resolution_seconds"),
        "avg_response": Avg("response_seconds"),
        "avg_resolution": Avg("resolution_seconds"),
    }


def _row(key: Any, label: str, values: dict[str, Any]) -> ResponseRow:
    return ResponseRow(key, label, values["total"], values["open"], values["overdue"], values["closed"], values["avg_response"],
                       values["avg_resolution"])


def request_summary(requests: QuerySet[HelpRequest], now: Any = None) -> ResponseRow:
    """The whole (scoped) set in one row: one query."""
    values = requests.order_by().aggregate(**_aggregates(now or timezone.now()))
    return _row("all", "合计", values)


def response_by_department(requests: QuerySet[HelpRequest], now: Any = None) -> list[ResponseRow]:
    """One row per department handling requests (the town's command where no rule routed), busiest first."""
    rows = (requests.order_by().values("department_id", "department__name", "department__region__name", "enterprise__town__name")
            .annotate(**_aggregates(now or timezone.now())))
    merged: dict[Any, dict[str, Any]] = {}
    labels: dict[Any, str] = {}
    for row in rows:
        if row["department_id"] is None:
            key: Any = f"command:{row['enterprise__town__name']}"
            labels[key] = f"{row['enterprise__town__name']}指挥部"
        else:
            key = row["department_id"]
            labels[key] = f"{row['department__region__name']}{row['department__name']}"
        _merge(merged.setdefault(key, {}), row)
    result = [_row(key, labels[key], _finish(values)) for key, values in merged.items()]
    return sorted(result, key=lambda r: (-r.total, r.label))


def _merge(into: dict[str, Any], row: dict[str, Any]) -> None:
    """Sum counts and weight the averages by how many were measured (a department spread over towns)."""
    for key in ("total", "open", "overdue", "closed", "responded", "resolved"):
        into[key] = into.get(key, 0) + row[key]
    for avg, weight in (("avg_response", row["responded"]), ("avg_resolution", row["resolved"])):
        if row[avg] is not None and weight:
            into.setdefault(f"{avg}_parts", []).append((row[avg], weight))


def _finish(values: dict[str, Any]) -> dict[str, Any]:
    for avg in ("avg_response", "avg_resolution"):
        parts = values.pop(f"{avg}_parts", [])
        weight = sum(w for _, w in parts)
        values[avg] = sum(v * w for v, w in parts) / weight if weight else None
    return values


def response_by_category(requests: QuerySet[HelpRequest], now: Any = None) -> list[ResponseRow]:
    """One row per category of the choices (zeros included, in the choices' order)."""
    found = {row["category"]: row for row in requests.order_by().values("category").annotate(**_aggregates(now or timezone.now()))}
    empty = {"total": 0, "open": 0, "overdue": 0, "closed": 0, "avg_response": None, "avg_resolution": None}
    return [_row(category.value, str(category.label), found.get(category.value, empty)) for category in Category]


def requests_by_town(requests: QuerySet[HelpRequest], now: Any = None) -> list[ResponseRow]:
    """For the command centre: per town, how many were filed, are open, overdue, solved, and the average response times."""
    rows = (requests.order_by().values("enterprise__town_id", "enterprise__town__name").annotate(**_aggregates(now or timezone.now()))
            .order_by("enterprise__town__name"))
    return [_row(row["enterprise__town_id"], row["enterprise__town__name"], row) for row in rows]


def help_requests_in(region_paths: Iterable[str]) -> QuerySet[HelpRequest]:
    """The requests of enterprises inside the given jurisdictions (the command centre's scope)."""
    return HelpRequest.objects.filter(region_q(tuple(region_paths), "enterprise__region"))


# -- the labour ledger -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LabourRow:
    key: Any
    label: str
    positions: int
    wanted: int
    matched: int
    filled: int
    open: int


def _labour_aggregates() -> dict[str, Any]:
    return {"positions": Count("pk"), "wanted": Sum("count"), "matched": Sum("matched_count"), "filled": Sum("filled_count"),
            "open": Sum(OPEN_POSITIONS)}


def _labour_row(key: Any, label: str, values: dict[str, Any]) -> LabourRow:
    return LabourRow(key, label, *(int(values[name] or 0) for name in ("positions", "wanted", "matched", "filled", "open")))


def labour_total(positions: QuerySet[Position]) -> LabourRow:
    return _labour_row("all", "合计", positions.order_by().aggregate(**_labour_aggregates()))


def labour_by_town(positions: QuerySet[Position]) -> list[LabourRow]:
    rows = (positions.order_by().values("enterprise__town_id", "enterprise__town__name").annotate(**_labour_aggregates())
            .order_by("enterprise__town__name"))
    return [_labour_row(row["enterprise__town_id"], row["enterprise__town__name"], row) for row in rows]


def labour_by_sector(positions: QuerySet[Position]) -> list[LabourRow]:
    rows = {row["enterprise__sector"]: row for row in positions.order_by().values("enterprise__sector").annotate(**_labour_aggregates())}
    return [_labour_row(sector.value, str(sector.label), rows[sector.value]) for sector in Sector if sector.value in rows]


def open_positions(region_paths: Iterable[str]) -> int:
    """For the command centre: people still wanted (wanted − filled of open positions) by the
    enterprises inside the given jurisdictions (Shawan counted 980)."""
    total = Position.objects.filter(region_q(tuple(region_paths), "enterprise__region")).order_by().aggregate(n=Sum(OPEN_POSITIONS))["n"]
    return int(total or 0)
