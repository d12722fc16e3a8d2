#!/usr/bin/env python3
"""Benchmark: the command centre's dashboards at the size of a large county (issue 6, item 6),
beside the same figures computed from the raw tables, in one run.

Targets:

- the county dashboard and a town dashboard (``GET /command/dashboard.json``, through granian as
  deployed, logged in as the county's and the town's command account): p95 < 100 ms each;
- the figures they show equal those of the raw tables (checked, not only timed).

Measured beside them, on the same database in the same run:

- raw: the same figures by ``GROUP BY`` over the raw tables (enterprises, people, check-ins,
  alerts, flags; ~10 million check-ins: expect seconds) — what a dashboard without rollups costs;
- rollup refresh: ``rollup_refresh`` of today for one town (what the periodic job does for the
  towns touched since its last run), and ``rollup_rebuild`` of the dashboard's trend days for every
  town of the county (a full rebuild).

Usage (from the repository root; PostgreSQL at 127.0.0.1:5432, user postgres, trust)::

    .venv/bin/python bench/dashboard.py                  # builds fugong_bench_dashboard (fugong demo --scale large), measures, drops it
    .venv/bin/python bench/dashboard.py --keep           # … and keeps it for the next run
    .venv/bin/python bench/dashboard.py --reuse          # measures the fugong_bench_dashboard kept earlier
    .venv/bin/python bench/dashboard.py --reuse --database fugong_scale   # any database holding the large demo

Building the database takes most of the time (about a quarter of an hour on 2 cores; the demo
prints its steps). The table printed at the end has the absolute figures, the ratios and whether
each target is met; exit status 1 if one is not. Run it alone on the machine.

Where the dashboard's figures come from is one place in this file, :data:`DASHBOARD_PATH` and
:func:`endpoint_figures` (the JSON of ``fugong.command``'s ``dashboard_json``); the raw side is
:func:`raw_figures`. If the command app changes its endpoint or metric names, change them there.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from checkins import Connection, free_port, machine, stop  # noqa: E402 - bench/ on the path above

PG = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "fugong_bench_dashboard"
TARGET_P95_MS = 100.0
DASHBOARD_PATH = "/command/dashboard.json"
COUNTY_CODE = "441625"  # fugong.core.demo_large.COUNTY_CODE
# The metrics compared between the endpoint and the raw tables (names of fugong.command's DailyRollup).
COMPARED = ("enterprises", "resumed", "suspended", "flag_red", "flag_yellow", "flag_green", "returned_total", "returned_local",
            "returned_same_city", "returned_other_city", "returned_other_province", "checkins", "fever_open", "fever_closed",
            "fever_raised")


def server_env(database: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=f"{PG}/{database}", FUGONG_ENV="test", DEBUG="0", LOG_LEVEL="WARNING", FUGONG_POLICY_CACHE_SECONDS="60",
               DATABASE_CONN_MAX_AGE="600", PYTHONPATH=str(ROOT / "src"), DJANGO_SETTINGS_MODULE="fugong.settings",
               PYTHONWARNINGS="ignore:No directory at", PYTHONUNBUFFERED="1")
    env.pop("REDIS_URL", None)
    return env


# -- the database -----------------------------------------------------------------------------------------


def build_database(database: str) -> float:
    """Create ``database`` and run ``fugong demo --scale large --no-serve`` in it; seconds taken."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    start = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "fugong"), "demo", "--scale", "large", "--no-serve"],  # noqa: S603 - our own command
                   env=server_env(database), cwd=ROOT, check=True)
    return time.perf_counter() - start


def drop_database(database: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def setup_django(database: str) -> None:
    os.environ.update({k: v for k, v in server_env(database).items() if k in ("DATABASE_URL", "FUGONG_ENV", "DEBUG", "LOG_LEVEL")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fugong.settings")
    import django

    django.setup()


@dataclass(frozen=True)
class Subject:
    """One dashboard: who looks, at what, and how the raw side groups it."""

    name: str
    username: str
    region_id: int
    path: str
    breakdown: str  # "town" (a county's table) or "region" (a town's: its grids)
    query: str = ""  # ?town=… when a county account opens a town


def subjects() -> tuple[Subject, Subject]:
    from fugong.regions.models import Region

    county = Region.objects.get(code=COUNTY_CODE)
    town = Region.objects.get(code=f"{COUNTY_CODE}-L01")
    return (Subject("county dashboard", "large_cmd", county.pk, county.path, "town"),
            Subject("town dashboard", "large_town_cmd", town.pk, town.path, "region"))


def session_cookie(username: str) -> str:
    """A logged-in session of ``username`` (as the login page would leave it), as a Cookie header."""
    from django.conf import settings
    from django.test import Client

    from fugong.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


# -- the dashboards over HTTP ----------------------------------------------------------------------------


def start_server(port: int, database: str, workers: int, threads: int) -> subprocess.Popen[bytes]:
    """granian as deployed (bench/checkins.py's command line) on ``database``."""
    import socket

    command = [str(ROOT / ".venv" / "bin" / "granian"), "--interface", "wsgi", "fugong.wsgi:application", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--blocking-threads", str(threads), "--no-ws", "--log-level", "warning"]
    server = subprocess.Popen(command, env=server_env(database), cwd=ROOT, start_new_session=True)  # noqa: S603 - our own command line
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise SystemExit("granian did not start")


@dataclass
class Timing:
    name: str
    samples: list[float]  # seconds

    def quantile(self, q: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000


def get(port: int, path: str, cookie: str) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\nAccept: application/json\r\n\r\n").encode()


def measure_endpoint(port: int, subject: Subject, cookie: str, requests: int, warmup: int) -> tuple[Timing, dict[str, Any]]:
    connection = Connection(port)
    raw = get(port, DASHBOARD_PATH + subject.query, cookie)
    body = b""
    for _ in range(warmup):
        status, body = connection.request(raw)
        if status != 200:
            raise SystemExit(f"{subject.name}: HTTP {status}: {body[:300]!r}")
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        status, body = connection.request(raw)
        samples.append(time.perf_counter() - start)
        if status != 200:
            raise SystemExit(f"{subject.name}: HTTP {status}")
    connection.close()
    return Timing(subject.name, samples), json.loads(body)


def endpoint_figures(answer: dict[str, Any]) -> tuple[dict[str, int], dict[int, dict[str, int]], dict[str, int]]:
    """(totals, by area id, check-ins by day of the trend) of a dashboard.json answer."""
    totals = {name: int(answer["totals"].get(name, 0)) for name in COMPARED}
    areas = {int(area["id"]): {name: int(area.get(name, 0)) for name in COMPARED} for area in answer["areas"]}
    trend = dict(zip(answer["trend"]["days"], (int(n) for n in answer["trend"]["total"]["checkins"]), strict=True))
    return totals, areas, trend


# -- the same figures from the raw tables -------------------------------------------------------------------


RAW_SQL = """
WITH ents AS (
    SELECT e.id, e.status, {area} AS area FROM enterprises_enterprise e JOIN regions_region r ON r.id = e.region_id
    WHERE r.path LIKE %(path)s
)
SELECT 'ent' AS kind, area, status AS key, count(*) FROM ents GROUP BY area, status
UNION ALL
SELECT 'flag', ents.area, f.flag, count(*) FROM command_enterpriseflag f JOIN ents ON ents.id = f.enterprise_id GROUP BY ents.area, f.flag
UNION ALL
SELECT 'origin', ents.area, p.origin, count(*) FROM workforce_person p JOIN ents ON ents.id = p.enterprise_id
    WHERE p.return_date <= %(day)s GROUP BY ents.area, p.origin
UNION ALL
SELECT 'alert', ents.area, a.status, count(*) FROM health_alert a JOIN ents ON ents.id = a.enterprise_id
    WHERE a.kind = 'fever' GROUP BY ents.area, a.status
UNION ALL
SELECT 'raised', ents.area, '', count(*) FROM health_alert a JOIN ents ON ents.id = a.enterprise_id
    WHERE a.kind = 'fever' AND a.date = %(day)s GROUP BY ents.area
UNION ALL
SELECT 'checkins', ents.area, c.date::text, count(*) FROM health_checkin c JOIN ents ON ents.id = c.enterprise_id
    WHERE c.date BETWEEN %(first)s AND %(day)s GROUP BY ents.area, c.date
"""
ORIGINS = {"local_not_away": "returned_local", "same_city_other_district": "returned_same_city",
           "other_city_same_province": "returned_other_city", "other_province": "returned_other_province"}


def raw_figures(subject: Subject, day: date, first: date) -> tuple[dict[str, int], dict[int, dict[str, int]], dict[str, int]]:
    """The dashboard's figures by GROUP BY over the raw tables (one statement): the same shape as
    :func:`endpoint_figures`."""
    from django.db import connection

    area = "e.town_id" if subject.breakdown == "town" else "e.region_id"
    areas: dict[int, dict[str, int]] = {}
    trend: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL.format(area=area), {"path": subject.path + "%", "day": day, "first": first})
        rows = cursor.fetchall()
    for kind, area_id, key, count in rows:
        values = areas.setdefault(area_id, dict.fromkeys(COMPARED, 0))
        if kind == "ent":
            values["enterprises"] += count
            if key in ("approved", "resumed"):  # fugong.command.flags.RESUMED_STATUSES
                values["resumed"] += count
            elif key == "suspended":
                values["suspended"] += count
        elif kind == "flag":
            values[f"flag_{key}"] += count
        elif kind == "origin":
            values["returned_total"] += count
            if key in ORIGINS:
                values[ORIGINS[key]] += count
        elif kind == "alert":
            values["fever_open" if key == "open" else "fever_closed"] += count
        elif kind == "raised":
            values["fever_raised"] += count
        elif kind == "checkins":
            trend[key] = trend.get(key, 0) + count
            if key == day.isoformat():
                values["checkins"] += count
    totals = {name: sum(values[name] for values in areas.values()) for name in COMPARED}
    return totals, areas, trend


def time_raw(subject: Subject, day: date, first: date, runs: int) -> tuple[Timing, Any]:
    samples, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = raw_figures(subject, day, first)
        samples.append(time.perf_counter() - start)
    return Timing(f"raw GROUP BY ({subject.name})", samples), result


def differences(endpoint: Any, raw: Any) -> list[str]:
    """Where the dashboard and the raw tables disagree (empty: they agree)."""
    found = []
    (e_totals, e_areas, e_trend), (r_totals, r_areas, r_trend) = endpoint, raw
    for name in COMPARED:
        if e_totals[name] != r_totals[name]:
            found.append(f"total {name}: dashboard {e_totals[name]:,} ≠ raw {r_totals[name]:,}")
    for area_id, values in r_areas.items():
        shown = e_areas.get(area_id, dict.fromkeys(COMPARED, 0))
        wrong = [name for name in COMPARED if shown[name] != values[name]]
        if wrong:
            found.append(f"area {area_id}: {', '.join(wrong)}")
    for day_text, count in r_trend.items():
        if e_trend.get(day_text, 0) != count:
            found.append(f"trend {day_text} check-ins: dashboard {e_trend.get(day_text, 0):,} ≠ raw {count:,}")
    return found


# -- the rollups' refresh ---------------------------------------------------------------------------------------


def time_call(name: str, runs: int, call: Callable[[], Any]) -> Timing:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return Timing(name, samples)


def rollup_timings(day: date, rebuild_days: int, town_id: int, towns: list[int], runs: int) -> list[Timing]:
    from fugong.command.rollups import rollup_rebuild, rollup_refresh

    one = time_call("rollup refresh: today, one town", runs, lambda: rollup_refresh(day=day, towns=[town_id]))
    past = time_call("rollup refresh: yesterday, one town", runs, lambda: rollup_refresh(day=day - timedelta(days=1), towns=[town_id]))
    first = day - timedelta(days=rebuild_days - 1)
    full = time_call(f"rollup rebuild: {rebuild_days} days, {len(towns)} towns", 1, lambda: rollup_rebuild((first, day), towns=towns))
    return [one, past, full]


# -- the report ----------------------------------------------------------------------------------------------------


def print_table(rows: list[tuple[Timing, str]]) -> None:
    print(f"{'measure':<46}{'runs':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}  note")
    for timing, note in rows:
        print(f"{timing.name:<46}{len(timing.samples):>6}{timing.median_ms:>10,.1f}{timing.quantile(0.95):>10,.1f}"
              f"{timing.quantile(0.99):>10,.1f}{max(timing.samples) * 1000:>10,.1f}  {note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--database", default=DB_NAME)
    parser.add_argument("--reuse", action="store_true", help="measure the database as it is (built by an earlier --keep run)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--requests", type=int, default=200, help="requests per dashboard (after the warm-up)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--raw-runs", type=int, default=3)
    parser.add_argument("--refresh-runs", type=int, default=3)
    parser.add_argument("--rebuild-days", type=int, default=0, help="days of the full rebuild (default: the dashboard's trend days)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    built = None if args.reuse else build_database(args.database)
    server = None
    try:
        setup_django(args.database)
        from django.db import connection, connections
        from django.utils import timezone

        from fugong.policy.services import current
        from fugong.regions.models import Region

        county, town = subjects()
        day = timezone.localdate()
        first = day - timedelta(days=int(current().dashboard_trend_days) - 1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM health_checkin")
            checkins = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM workforce_person")
            people = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM enterprises_enterprise")
            enterprises = cursor.fetchone()[0]
        towns = list(Region.objects.filter(parent_id=county.region_id).values_list("pk", flat=True))
        # The rollups as the periodic job leaves them, before the dashboards are read.
        refresh = rollup_timings(day, args.rebuild_days or (day - first).days + 1, town.region_id, towns, args.refresh_runs)
        cookies = {subject.username: session_cookie(subject.username) for subject in (county, town)}
        connections.close_all()
        port = free_port()
        server = start_server(port, args.database, args.workers, args.threads)
        rows: list[tuple[Timing, str]] = []
        results: dict[str, tuple[Timing, Timing, list[str]]] = {}
        for subject in (county, town):
            endpoint_timing, answer = measure_endpoint(port, subject, cookies[subject.username], args.requests, args.warmup)
            raw_timing, raw = time_raw(subject, day, first, args.raw_runs)
            wrong = differences(endpoint_figures(answer), raw)
            results[subject.name] = (endpoint_timing, raw_timing, wrong)
            rows.append((endpoint_timing, f"GET {DASHBOARD_PATH} as {subject.username}, {len(answer['areas'])} areas"))
            rows.append((raw_timing, f"×{raw_timing.median_ms / endpoint_timing.median_ms:,.0f} the dashboard's median"))
        rows.extend((timing, "fugong.command.rollups") for timing in refresh)
    finally:
        if server is not None:
            stop(server)
        if not args.keep and not args.reuse:
            drop_database(args.database)
    print()
    print(f"Dashboard benchmark — {machine()}")
    print(f"database {args.database}: {enterprises:,} enterprises, {people:,} people, {checkins:,} check-ins"
          + (f"; built in {built / 60:.1f} min (fugong demo --scale large)" if built else ""))
    print(f"granian WSGI {args.workers} workers × {args.threads} blocking threads, one keep-alive client; day {day}, trend from {first}")
    print()
    print_table(rows)
    print()
    ok = True
    for name, (endpoint_timing, raw_timing, wrong) in results.items():
        met = endpoint_timing.quantile(0.95) < TARGET_P95_MS
        ok = ok and met and not wrong
        print(f"{name}: p95 {endpoint_timing.quantile(0.95):.1f} ms (target < {TARGET_P95_MS:g} ms: {'MET' if met else 'NOT MET'}); "
              f"raw GROUP BY {raw_timing.median_ms / 1000:.2f} s; figures {'agree' if not wrong else 'DISAGREE'} with the raw tables")
        for line in wrong[:10]:
            print(f"    {line}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
