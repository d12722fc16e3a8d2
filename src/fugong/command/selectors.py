"""Reads of the command centre: which place a dashboard is about, and its figures — read from the
daily rollups only (a handful of small indexed queries whatever the county's size)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.db.models import Q, Sum
from django.urls import reverse

from fugong.accounts.scope import Scope, scope_of
from fugong.command.models import METRICS, DailyRollup, TownRollup
from fugong.enterprises.choices import Sector, Size
from fugong.regions.choices import Level
from fugong.regions.models import Region

ALL = "/"


@dataclass(frozen=True)
class Place:
    """What a dashboard covers: region paths, a name, its level (county, town, grid, or several),
    the filter its links add to the lists (``{"town": 12}`` for a town opened from a county), and
    what its table breaks it down by (towns, or the enterprises' own places under a town)."""

    paths: tuple[str, ...]
    label: str
    level: str
    filters: dict[str, Any] = field(default_factory=dict)
    breakdown: str = "town"  # "town" or "region"
    region_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "level": self.level, "filters": self.filters, "region": self.region_id}


def _shallowest(regions: list[Region]) -> list[Region]:
    return [r for r in regions if not any(o.pk != r.pk and r.path.startswith(o.path) for o in regions)]


def place_of(scope: Scope, town: Region | None = None) -> Place | None:
    """The place of a scope (its jurisdictions), or ``town`` inside it. None: no jurisdiction."""
    if town is not None:
        return Place((town.path,), town.name, Level.TOWN, {"town": town.pk}, "region", town.pk)
    if scope.is_admin:
        return Place((ALL,), "全部辖区", Level.COUNTY, {}, "town")
    paths = tuple(dict.fromkeys(scope.region_paths))
    if not paths:
        return None
    regions = _shallowest(list(Region.objects.filter(path__in=paths)))
    if len(regions) == 1:
        region = regions[0]
        if region.level == Level.TOWN:
            return Place((region.path,), region.name, Level.TOWN, {"town": region.pk}, "region", region.pk)
        if region.level in (Level.VILLAGE, Level.GRID):
            return Place((region.path,), region.name, Level.GRID, {}, "region", region.pk)
        return Place((region.path,), str(region), Level.COUNTY, {}, "town", region.pk)
    deepest = max(r.depth for r in regions)
    level = Level.GRID if deepest >= 5 else Level.TOWN if deepest == 4 else Level.COUNTY
    return Place(tuple(r.path for r in regions), "、".join(r.name for r in regions), level, {}, "region" if level != Level.COUNTY else "town")


def towns_of(scope: Scope) -> list[Region]:
    """The towns a command officer or the admin may open on their dashboard (county-level users)."""
    from fugong.enterprises.models import Enterprise

    towns = Region.objects.filter(level=Level.TOWN, pk__in=Enterprise.objects.order_by().values("town_id"))
    if not scope.is_admin:
        query = Q(pk__in=[])
        for path in scope.command_paths + scope.reviewer_paths:
            query |= Q(path__startswith=path)
        towns = towns.filter(query)
    return list(towns.order_by("path"))


# -- the figures --------------------------------------------------------------------------------------


SUMS = {name: Sum(name) for name in METRICS}


def _clean(row: dict[str, Any]) -> dict[str, int]:
    return {name: int(row.get(name) or 0) for name in METRICS}


def _rate(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _with_rates(values: dict[str, int]) -> dict[str, Any]:
    enterprises, resumed, suspended = values["enterprises"], values["resumed"], values["suspended"]
    out: dict[str, Any] = dict(values)
    out["not_resumed"] = max(enterprises - resumed - suspended, 0)
    out["resumption_rate"] = _rate(resumed, enterprises)
    out["return_rate"] = _rate(values["returned_total"], values["planned_workers"])
    out["isolation_total"] = values["iso_home"] + values["iso_enterprise"] + values["iso_central"]
    out["help_response_hours"] = round(values["help_response_seconds"] / values["help_answered"] / 3600, 1) if values["help_answered"] else None
    return out


def dashboard_figures(place: Place | Scope, day: date, *, trend_days: int | None = None) -> dict[str, Any]:
    """Every figure of the dashboard of ``place`` (or of a scope's place) on ``day``, from the
    rollups: totals, by town or place, by sector, by size, and the trend of the days before.
    Five queries (four on the rollups, one for the names)."""
    if isinstance(place, Scope):
        found = place_of(place)
        if found is None:
            return {"day": day.isoformat(), "place": None, "totals": _with_rates(_clean({})), "areas": [], "sectors": [], "sizes": [],
                    "trend": {"days": [], "series": {}}, "computed": False}
        place = found
    if trend_days is None:
        from fugong.policy.services import current

        trend_days = int(current().dashboard_trend_days)
    # Whole towns (a county, the admin's everything, a town): their sums by town are enough for the
    # trend, and for today's table too when it is by town; a grid's place needs the places' rows.
    whole_towns = place.level in (Level.COUNTY, Level.TOWN)
    by_town = TownRollup.objects.under(place.paths) if whole_towns else DailyRollup.objects.under(place.paths)
    rows = by_town if place.breakdown == "town" else DailyRollup.objects.under(place.paths)
    today_rows = rows.filter(day=day)
    area_field = "town_id" if place.breakdown == "town" else "region_id"
    by_area = list(today_rows.order_by().values(area_field).annotate(**SUMS))
    by_sector = {r["sector"]: _clean(r) for r in today_rows.order_by().values("sector").annotate(**SUMS)}
    by_size = {r["size"]: _clean(r) for r in today_rows.order_by().values("size").annotate(**SUMS)}
    first = day - timedelta(days=trend_days - 1)
    trend_rows = list(by_town.filter(day__gte=first, day__lte=day).order_by().values("day", "town_id").annotate(
        enterprises=Sum("enterprises"), resumed=Sum("resumed"), returned_total=Sum("returned_total"),
        isolation=Sum("iso_home") + Sum("iso_enterprise") + Sum("iso_central"), fever_open=Sum("fever_open"),
        fever_raised=Sum("fever_raised"), checkins=Sum("checkins"), help_open=Sum("help_open"), rect_open=Sum("rect_open")))
    names = dict(Region.objects.filter(pk__in={r[area_field] for r in by_area} | {r["town_id"] for r in trend_rows})
                 .values_list("pk", "name"))
    totals = {name: 0 for name in METRICS}
    areas = []
    for row in by_area:
        values = _clean(row)
        for name in METRICS:
            totals[name] += values[name]
        areas.append({"id": row[area_field], "name": names.get(row[area_field], ""), **_with_rates(values)})
    areas.sort(key=lambda a: a["name"])
    return {
        "day": day.isoformat(),
        "place": place.as_dict(),
        "breakdown": place.breakdown,
        "computed": bool(by_area),
        "totals": _with_rates(totals),
        "areas": areas,
        "sectors": [{"key": s.value, "name": str(s.label), **_with_rates(by_sector[s.value])} for s in Sector if s.value in by_sector],
        "sizes": [{"key": s.value, "name": str(s.label), **_with_rates(by_size[s.value])} for s in Size if s.value in by_size],
        "trend": _trend(trend_rows, names, first, day),
    }


def _trend(rows: list[dict[str, Any]], names: dict[int, str], first: date, last: date) -> dict[str, Any]:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    index = {d: i for i, d in enumerate(days)}
    keys = ("enterprises", "resumed", "returned_total", "isolation", "fever_open", "fever_raised", "checkins", "help_open", "rect_open")
    total = {k: [0] * len(days) for k in keys}
    by_town: dict[str, dict[str, list[int]]] = {}
    for row in rows:
        i = index[row["day"]]
        for k in keys:
            total[k][i] += int(row[k] or 0)
        town = by_town.setdefault(names.get(row["town_id"], ""), {"enterprises": [0] * len(days), "resumed": [0] * len(days)})
        town["enterprises"][i] += int(row["enterprises"] or 0)
        town["resumed"][i] += int(row["resumed"] or 0)
    rate = {name: [_rate(r, e) for r, e in zip(v["resumed"], v["enterprises"], strict=True)] for name, v in sorted(by_town.items())}
    return {"days": [d.isoformat() for d in days], "total": total,
            "resumption_rate": [_rate(r, e) for r, e in zip(total["resumed"], total["enterprises"], strict=True)], "rate_by_town": rate}


# -- the lists behind the figures -----------------------------------------------------------------


def _url(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _installed(label: str) -> bool:
    return apps.is_installed(f"fugong.{label}")


# Figure → (permission to open the list, how to build its address from the place's filters and the day).
def figure_links(filters: dict[str, Any], day: date) -> dict[str, tuple[str, str]]:
    """Figure name → (permission, address of the list behind it, filtered to the place and day)."""
    town = filters.get("town")
    where = dict(filters)
    d = day.isoformat()
    flags = "command.list_flags"
    links: dict[str, tuple[str, str]] = {
        "enterprises": (flags, _url("command:flags", **where)),
        "resumed": (flags, _url("command:flags", state="resumed", **where)),
        "resumption_rate": (flags, _url("command:flags", state="resumed", **where)),
        "not_resumed": (flags, _url("command:flags", state="not_resumed", **where)),
        "suspended": ("enterprises.list_enterprises", _url("enterprises:list", status="suspended", **where)),
        "flag_red": (flags, _url("command:flags", flag="red", **where)),
        "flag_yellow": (flags, _url("command:flags", flag="yellow", **where)),
        "flag_green": (flags, _url("command:flags", flag="green", **where)),
        "planned_workers": ("resumption.list_applications", _url("resumption:list", status="approved", town=town)),
        "returned_total": ("workforce.list_people", _url("workforce:list", returned_to=d, town=town)),
        "return_rate": ("workforce.list_people", _url("workforce:list", returned_to=d, town=town)),
        "returned_local": ("workforce.list_people", _url("workforce:list", origin="local_not_away", returned_to=d, town=town)),
        "returned_same_city": ("workforce.list_people", _url("workforce:list", origin="same_city_other_district", returned_to=d, town=town)),
        "returned_other_city": ("workforce.list_people", _url("workforce:list", origin="other_city_same_province", returned_to=d, town=town)),
        "returned_other_province": ("workforce.list_people", _url("workforce:list", origin="other_province", returned_to=d, town=town)),
        "checkins": ("health.list_checkins", _url("health:checkins", date=d, town=town)),
        "iso_home": ("quarantine.list_placements", _url("quarantine:list", status="active", kind="home", town=town)),
        "iso_enterprise": ("quarantine.list_placements", _url("quarantine:list", status="active", kind="enterprise", town=town)),
        "iso_central": ("quarantine.list_placements", _url("quarantine:list", status="active", kind="central", town=town)),
        "isolation_total": ("quarantine.list_placements", _url("quarantine:list", status="active", town=town)),
        "releases_due": ("quarantine.list_placements", _url("quarantine:list", due="today", town=town)),
        "fever_open": ("health.list_alerts", _url("health:alerts", kind="fever", status="open", town=town)),
        "fever_closed": ("health.list_alerts", _url("health:alerts", kind="fever", status="closed", town=town)),
        "fever_raised": ("health.list_alerts", _url("health:alerts", kind="fever", date=d, town=town)),
        "patrols": ("inspections.list_inspections", _url("inspections:list", kind="patrol", town=town)),
        "rect_open": ("inspections.list_rectifications", _url("inspections:rectifications", status="open", town=town)),
        "rect_overdue": ("inspections.list_rectifications", _url("inspections:rectifications", overdue="true", town=town)),
        "rect_verified": ("inspections.list_rectifications", _url("inspections:rectifications", status="verified", town=town)),
        "reports_missing": ("health.view_report_status", _url("health:report-status", date=d, state="missing", town=town)),
    }
    if _installed("assistance"):
        links |= {
            "help_open": ("assistance.list_requests", _url("assistance:requests", due="open", town=town)),
            "help_overdue": ("assistance.list_requests", _url("assistance:requests", due="overdue", town=town)),
            "help_closed": ("assistance.list_requests", _url("assistance:requests", status="closed", town=town)),
            "help_response_hours": ("assistance.list_requests", _url("assistance:requests", status="closed", town=town)),
            "positions_open": ("assistance.list_positions", _url("assistance:positions", status="open", town=town)),
            "people_wanted": ("assistance.list_positions", _url("assistance:positions", status="open", town=town)),
        }
    if _installed("materials"):
        links |= {
            "materials_short": ("materials.view_materials", _url("materials:enterprises", state="short", town=town)),
            "materials_ok": ("materials.view_materials", _url("materials:enterprises", state="ok", town=town)),
            "materials_unknown": ("materials.view_materials", _url("materials:enterprises", state="unknown", town=town)),
        }
    return links


def area_links(place: Place, area_id: int) -> dict[str, str]:
    """The flags list of one row of the breakdown table (a town, or a place under a town)."""
    key = "town" if place.breakdown == "town" else "grid"
    return {"enterprises": _url("command:flags", **{key: area_id}), "resumed": _url("command:flags", state="resumed", **{key: area_id}),
            "flag_red": _url("command:flags", flag="red", **{key: area_id}), "flag_yellow": _url("command:flags", flag="yellow", **{key: area_id}),
            "flag_green": _url("command:flags", flag="green", **{key: area_id})}


def links_for(user: Any, place: Place, day: date) -> dict[str, str]:
    """The links of the figures this user may open (a figure whose list the user cannot open is not shown)."""
    scope = scope_of(user)
    # A reviewer sees the findings of the applications routed to its department and the help requests
    # routed to it, not every one of its place: the rollup's count (by place) would not be its list's,
    # so those figures are not shown to it.
    by_routing = set() if (scope.is_admin or scope.command_paths or scope.grid_paths) else {
        "rect_open", "rect_overdue", "rect_verified", "help_open", "help_overdue", "help_closed", "help_response_hours"}
    return {name: url for name, (perm, url) in figure_links(place.filters, day).items() if user.has_perm(perm) and name not in by_routing}


def scope_place(user: Any, town: Region | None = None) -> Place | None:
    return place_of(scope_of(user), town)
