#!/usr/bin/env python3
"""Benchmark: check-ins through the API (granian, PostgreSQL) against the bare PostgreSQL upsert
of the same rows, side by side in one run (issue 4, item 11a).

Targets:

- single path — one check-in per ``POST /api/v1/checkins`` with a device token, 16 concurrent
  keep-alive clients: ≥ 1,500 requests/s with p99 < 50 ms;
- batch path — 500 check-ins per request: ≥ 30 % of the rows/s of the bare batched upsert.

Baselines, measured in the same run on the same database and rows:

- bare single: ``INSERT … VALUES (…) ON CONFLICT (person_id, date, slot) DO UPDATE`` one row per
  statement, autocommit, psycopg, the same number of concurrent connections as clients;
- bare batch: ``INSERT … SELECT FROM unnest(arrays) ON CONFLICT … DO UPDATE`` of 500 rows per
  statement (one round trip per batch), the same concurrency as the API batches;
- plain view: the issue's own yardstick, "a plain Django view with a raw-SQL upsert"
  (bench/plain_checkin.py: no authentication, validation or scope), on the same granian with the
  same clients. The issue puts it at ~2,000 req/s on its machine; the API's share of it, times
  2,000, is the single path's rate at the issue's scale.

Usage (from the repository root; PostgreSQL at 127.0.0.1:5432, user postgres, trust)::

    .venv/bin/python bench/checkins.py
    .venv/bin/python bench/checkins.py --seconds 20 --workers 2 --threads 4

It creates the database ``fugong_bench_checkins`` (dropped first if it is there, and at the end
unless ``--keep``), migrates it, seeds one county, town, grid and enterprise, ``--persons``
people (bulk) and an enterprise admin with an API token, starts granian (``--workers`` ×
``--threads`` blocking threads, WSGI, keep-alive) on a free port, and drives it with ``--clients`` concurrent
clients spread over ``--procs`` processes (raw HTTP/1.1 over keep-alive sockets, so that the
load generator takes as little of the shared CPU as it can). Each path is measured ``--seconds``
in all, in ``--rounds`` turns taken one path after the other (each after a ``--warmup``), so that
a change in the shared machine's speed falls on every path alike; every client upserts its own
people (no row is contended). The table printed at
the end has the absolute figures, the ratios and whether each target is met; exit status 1 if
one is not. Run it alone on the machine: the figures share the CPU with everything else.

Besides req/s, rows/s and latency quantiles (client side, requests started in the window), each
row has the CPU one request took — ``cpu web`` in the granian workers, ``cpu db`` in the
PostgreSQL backends of the benchmark's database, ``cpu load`` in the load generator, read from
``/proc`` over the same window — and ``alone req/s``, the cores divided by their sum: what the
machine's cores would give the path with nothing else running (a guide when it is shared).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DB_NAME = "fugong_bench_checkins"
PG = "postgres://postgres@127.0.0.1:5432"
SHANGHAI = ZoneInfo("Asia/Shanghai")
SINGLE_TARGET_RPS = 1500
SINGLE_TARGET_P99_MS = 50.0
BATCH_TARGET_RATIO = 0.30

COLUMNS = "person_id, enterprise_id, date, slot, temperature, cough, symptoms, source, recorded_at, recorded_by_id"
UPDATE = ("temperature = EXCLUDED.temperature, cough = EXCLUDED.cough, symptoms = EXCLUDED.symptoms, source = EXCLUDED.source, "
          "recorded_at = EXCLUDED.recorded_at, recorded_by_id = EXCLUDED.recorded_by_id")
BARE_SINGLE = (f"INSERT INTO health_checkin ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "  # noqa: S608 - constants
               f"ON CONFLICT (person_id, date, slot) DO UPDATE SET {UPDATE}")
BARE_BATCH = (f"INSERT INTO health_checkin ({COLUMNS}) SELECT * FROM unnest("  # noqa: S608 - constants
              f"%s::uuid[], %s::bigint[], %s::date[], %s::smallint[], "
              f"%s::numeric[], %s::boolean[], %s::text[], %s::text[], %s::timestamptz[], %s::bigint[]) "
              f"ON CONFLICT (person_id, date, slot) DO UPDATE SET {UPDATE}")


def database_url() -> str:
    return f"{PG}/{DB_NAME}"


def server_env() -> dict[str, str]:
    """What the web server runs with: the test settings (no production secrets needed) without
    DEBUG (which would keep every query in memory), the policy and the device's token cached as
    in production (the test settings turn both caches off)."""
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url(), FUGONG_ENV="test", DEBUG="0", LOG_LEVEL="WARNING", FUGONG_POLICY_CACHE_SECONDS="60",
               FUGONG_API_AUTH_CACHE_SECONDS="10", DATABASE_CONN_MAX_AGE="600", PYTHONPATH=str(ROOT / "src"),
               DJANGO_SETTINGS_MODULE="fugong.settings", PYTHONWARNINGS="ignore:No directory at")
    env.pop("REDIS_URL", None)
    return env


# -- the database ----------------------------------------------------------------------------------

def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


@dataclass(frozen=True)
class Seeded:
    token: str
    user_id: int
    enterprise_id: int
    persons: list[str]


def migrate_and_seed(persons: int) -> Seeded:
    """Migrate, then one county/town/grid/enterprise, ``persons`` people in bulk, an enterprise
    admin and their API token (in this process, with the server's settings)."""
    os.environ.update({k: v for k, v in server_env().items() if k in ("DATABASE_URL", "FUGONG_ENV", "DEBUG", "LOG_LEVEL")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fugong.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from stdnum.cn import uscc

    call_command("migrate", verbosity=0)
    from fugong.accounts.choices import Role
    from fugong.accounts.models import ApiToken, Membership, User
    from fugong.core.idcard import check_character
    from fugong.enterprises.models import Enterprise
    from fugong.regions.models import Region
    from fugong.workforce.models import Person
    from fugong.workforce.services import id_number_fields

    county = Region.objects.create(code="441602", name="源城区", level="county")
    town = Region.objects.create(code="441602-GXQ", name="高新区", level="town", parent=county)
    grid = Region.objects.create(code="441602-GXQ-IND01", name="工业企业第1网格", level="grid", parent=town)
    body = "91441602MA4BENCH1"
    enterprise = Enterprise.objects.create(name="基准测试电子有限公司", uscc=body + uscc.calc_check_digit(body), sector="industry",
                                           size="above", address="高新区科技大道1号", region=grid, town=town, legal_representative="某某",
                                           contact_name="某某", contact_phone="13800000000", headcount=persons)
    rows = []
    for serial in range(persons):
        born = date(1970, 1, 1).toordinal() + serial // 1000
        number = f"441602{date.fromordinal(born):%Y%m%d}{serial % 1000:03d}"
        identity = id_number_fields(number + check_character(number))
        rows.append(Person(enterprise=enterprise, name=f"员工{serial}", phone="13800000000", **identity.as_model_fields()))
    Person.objects.bulk_create(rows, batch_size=2000)
    user = User.objects.create(username="bench_device", display_name="基准测试设备")
    Membership.objects.create(user=user, role=Role.ENTERPRISE, enterprise=enterprise)
    _, key = ApiToken.issue(user=user, name="基准测试")
    ids = [str(pk) for pk in Person.objects.order_by("pk").values_list("pk", flat=True)]
    from django.db import connection, connections

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have by the time a county's people check in

    connections.close_all()
    return Seeded(token=key, user_id=user.pk, enterprise_id=enterprise.pk, persons=ids)


# -- the web server (granian, as deployed) --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(port: int, workers: int, threads: int, app: str = "fugong.wsgi:application",
                 env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    command = [str(ROOT / ".venv" / "bin" / "granian"), "--interface", "wsgi", app, "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--blocking-threads", str(threads), "--backlog", "2048",
               "--no-ws", "--log-level", "warning"]
    server = subprocess.Popen(command, env=env or server_env(), cwd=ROOT, start_new_session=True)  # noqa: S603 - our own command line
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise SystemExit("granian did not start")


def stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# -- a lean HTTP/1.1 client --------------------------------------------------------------------------

class Connection:
    """One keep-alive connection: send a prepared request, read one response (Content-Length)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None
        self.buffer = b""

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        return sock

    def request(self, raw: bytes) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.sock is None:
                self.sock = self._connect()
            try:
                self.sock.sendall(raw)
                return self._response()
            except (ConnectionError, OSError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError

    def _response(self) -> tuple[int, bytes]:
        assert self.sock is not None
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            rest += chunk
        body, self.buffer = rest[:length], rest[length:]
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None


def http_post(port: int, token: str, body: bytes) -> bytes:
    return (f"POST /api/v1/checkins HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Token {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode("ascii") + body


# -- drivers: processes × threads, each thread looping over its own work until the deadline --------

@dataclass(frozen=True)
class Job:
    kind: str  # api-single, api-batch, bare-single, bare-batch
    port: int
    token: str
    persons: list[str]
    enterprise_id: int
    user_id: int
    batch: int
    start_at: float  # time.time() when measuring starts (after the warm-up)
    stop_at: float


def _rows(persons: list[str], enterprise_id: int, user_id: int, n: int) -> tuple[Any, ...]:
    now = datetime.now(SHANGHAI)
    day, slot = now.date(), 1 if now.hour < 12 else 2
    temperature = Decimal(f"36.{n % 10}")
    return (persons, [enterprise_id] * len(persons), [day] * len(persons), [slot] * len(persons), [temperature] * len(persons),
            [False] * len(persons), [""] * len(persons), ["api"] * len(persons), [now] * len(persons), [user_id] * len(persons))


def _thread_work(job: Job, own: list[str], latencies: list[float], failures: list[int]) -> None:
    """One client: requests back to back over its own people, latencies of those started in the window."""
    if job.kind.startswith("api"):
        connection = Connection(job.port)
        if job.kind == "api-single":
            requests = [http_post(job.port, job.token, json.dumps({"person": p, "temperature": f"36.{i % 10}"}).encode()) for i, p in enumerate(own)]
        else:
            requests = [http_post(job.port, job.token, json.dumps([{"person": p, "temperature": f"36.{(i + j) % 10}"}
                                                                   for j, p in enumerate(own[i:i + job.batch])]).encode())
                        for i in range(0, len(own) - job.batch + 1, job.batch)]
        n = 0
        while (started := time.time()) < job.stop_at:
            status, _ = connection.request(requests[n % len(requests)])
            if started >= job.start_at:
                latencies.append(time.time() - started)
                if status not in (200,):
                    failures.append(status)
            n += 1
        connection.close()
        return
    import psycopg

    with psycopg.connect(database_url(), autocommit=True) as db:
        n = 0
        batches = [own[i:i + job.batch] for i in range(0, len(own) - job.batch + 1, job.batch)] if job.kind == "bare-batch" else []
        while (started := time.time()) < job.stop_at:
            if job.kind == "bare-single":
                person = own[n % len(own)]
                columns = _rows([person], job.enterprise_id, job.user_id, n)
                db.execute(BARE_SINGLE, [column[0] for column in columns])
            else:
                db.execute(BARE_BATCH, list(_rows(batches[n % len(batches)], job.enterprise_id, job.user_id, n)))
            if started >= job.start_at:
                latencies.append(time.time() - started)
            n += 1
        # Keep the backend until the CPU of the window has been read (cpu_snapshot after stop_at).
        time.sleep(max(0.0, job.stop_at + 1.0 - time.time()))


def _process(job: Job, slices: list[list[str]], results: Any) -> None:
    latencies: list[list[float]] = [[] for _ in slices]
    failures: list[int] = []
    threads = [threading.Thread(target=_thread_work, args=(job, own, latencies[i], failures)) for i, own in enumerate(slices)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(([x for part in latencies for x in part], failures))


@dataclass(frozen=True)
class Measure:
    name: str
    requests: int
    rows: int
    seconds: float
    p50: float
    p95: float
    p99: float
    failures: int
    cpu: dict[str, float]  # CPU seconds in the window: web (granian workers), db (our backends), load (the clients)
    latencies: tuple[float, ...] = ()  # seconds, sorted

    @classmethod
    def of(cls, name: str, latencies: list[float], per_request: int, seconds: float, failures: int, cpu: dict[str, float]) -> Measure:
        latencies = sorted(latencies)

        def quantile(q: float) -> float:
            return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else float("nan")

        return cls(name, len(latencies), len(latencies) * per_request, seconds, quantile(0.50), quantile(0.95), quantile(0.99), failures,
                   cpu, tuple(latencies))

    @classmethod
    def merged(cls, rounds: list[Measure]) -> Measure:
        """The rounds of one path as one measure: their requests over their summed windows."""
        cpu = {side: sum(m.cpu.get(side, 0.0) for m in rounds) for side in rounds[0].cpu}
        return cls.of(rounds[0].name, [x for m in rounds for x in m.latencies], rounds[0].rows // max(rounds[0].requests, 1),
                      sum(m.seconds for m in rounds), sum(m.failures for m in rounds), cpu)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds

    def cpu_ms(self, part: str) -> float:
        return self.cpu.get(part, 0.0) * 1000 / max(self.requests, 1)

    @property
    def projected_rps(self) -> float:
        """Requests/s on the machine's cores alone: the CPU one request took, web + database +
        load generator, against the cores (the figure the shared machine hides)."""
        total = sum(self.cpu.values()) / max(self.requests, 1)
        return (os.cpu_count() or 1) / total if total else float("nan")


# -- CPU used by each side, from /proc: a measure that other load on the machine does not distort ---

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def database_backends() -> list[int]:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        return [row[0] for row in admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                                                [DB_NAME]).fetchall()]


def cpu_snapshot(server_pid: int, clients: list[int]) -> dict[str, dict[int, float]]:
    return {"web": {pid: cpu_seconds(pid) for pid in children(server_pid)},
            "db": {pid: cpu_seconds(pid) for pid in database_backends()},
            "load": {pid: cpu_seconds(pid) for pid in clients}}


def cpu_used(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU seconds between two snapshots, per side, over the processes present in both."""
    return {side: sum(after[side][pid] - before[side][pid] for pid in after[side] if pid in before[side]) for side in before}


def run_phase(name: str, kind: str, *, clients: int, procs: int, seeded: Seeded, port: int, server_pid: int, batch: int, seconds: float,
              warmup: float) -> Measure:
    per_client = len(seeded.persons) // clients
    slices = [seeded.persons[i * per_client:(i + 1) * per_client] for i in range(clients)]
    procs = max(1, min(procs, clients))
    start_at = time.time() + warmup + 1.0  # +1 s for the processes to start
    job = Job(kind, port, seeded.token, [], seeded.enterprise_id, seeded.user_id, batch, start_at, start_at + seconds)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_process, args=(job, slices[i::procs], results)) for i in range(procs)]
    for worker in workers:
        worker.start()
    time.sleep(max(0.0, start_at - time.time()))
    before = cpu_snapshot(server_pid, [w.pid for w in workers if w.pid])
    time.sleep(max(0.0, start_at + seconds + 0.2 - time.time()))  # the requests under way at the end finish
    after = cpu_snapshot(server_pid, [w.pid for w in workers if w.pid])
    latencies: list[float] = []
    failures: list[int] = []
    for _ in workers:
        part, failed = results.get()
        latencies += part
        failures += failed
    for worker in workers:
        worker.join()
    per_request = batch if kind.endswith("batch") else 1
    return Measure.of(name, latencies, per_request, seconds, len(failures), cpu_used(before, after))


# -- the report ------------------------------------------------------------------------------------

def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{cpu}, {os.cpu_count()} cores, load {load:.2f}, Python {platform.python_version()}"


def print_table(measures: Any) -> None:
    """The figures, and the CPU each request took per side (ms): what the machine's other load does
    not change, so that the last column projects the rate on these cores alone."""
    print(f"{'path':<34}{'req/s':>9}{'rows/s':>10}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>7}"
          f"{'cpu web':>9}{'cpu db':>8}{'cpu load':>9}{'alone req/s':>12}")
    for m in measures:
        print(f"{m.name:<34}{m.rps:>9,.0f}{m.rows_per_s:>10,.0f}{m.p50:>8.1f}{m.p95:>8.1f}{m.p99:>8.1f}{m.failures:>7}"
              f"{m.cpu_ms('web'):>9.2f}{m.cpu_ms('db'):>8.2f}{m.cpu_ms('load'):>9.2f}{m.projected_rps:>12,.0f}")


def report(measures: dict[str, Measure], args: argparse.Namespace) -> bool:
    print()
    print(f"Check-in benchmark — {machine()}")
    print(f"granian WSGI {args.workers} workers × {args.threads} blocking threads; {args.clients} clients for single, "
          f"{args.batch_clients} for batches of {args.batch}; {args.seconds:g} s per path in {args.rounds} rounds taken in turn; {args.persons:,} people")
    print()
    print_table(measures.values())
    single, bare_single, plain = measures["api-single"], measures["bare-single"], measures["plain-single"]
    batch, bare_batch = measures["api-batch"], measures["bare-batch"]
    single_ok = single.rps >= SINGLE_TARGET_RPS and single.p99 < SINGLE_TARGET_P99_MS and single.failures == 0
    batch_ratio = batch.rows_per_s / bare_batch.rows_per_s
    batch_ok = batch_ratio >= BATCH_TARGET_RATIO and batch.failures == 0
    print()
    print(f"single: {single.rps:,.0f} req/s, p99 {single.p99:.1f} ms — {single.rps / bare_single.rps:.1%} of the bare single-row upsert "
          f"({bare_single.rps:,.0f}/s); target ≥ {SINGLE_TARGET_RPS:,} req/s with p99 < {SINGLE_TARGET_P99_MS:g} ms: "
          f"{'MET' if single_ok else 'NOT MET'}")
    print(f"        {single.rps / plain.rps:.1%} of a plain Django view doing only the raw-SQL upsert ({plain.rps:,.0f} req/s, "
          f"p99 {plain.p99:.1f} ms; the issue puts that view at ~2,000 req/s on its machine: {single.rps / plain.rps * 2000:,.0f} req/s "
          f"at that scale)")
    print(f"batch:  {batch.rows_per_s:,.0f} rows/s — {batch_ratio:.1%} of the bare batched upsert ({bare_batch.rows_per_s:,.0f} rows/s); "
          f"target ≥ {BATCH_TARGET_RATIO:.0%}: {'MET' if batch_ok else 'NOT MET'}")
    return single_ok and batch_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=12.0, help="measured seconds per path, over all rounds")
    parser.add_argument("--rounds", type=int, default=3, help="each path measured this many times in turn")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--batch-clients", type=int, default=4)
    parser.add_argument("--procs", type=int, default=4, help="client processes (the clients are threads spread over them)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--only", choices=["single", "batch"], help="run one pair of phases")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    recreate_database()
    server = plain = None
    try:
        seeded = migrate_and_seed(args.persons)
        port = free_port()
        server = start_server(port, args.workers, args.threads)
        # The issue's yardstick: a plain Django view with a raw-SQL upsert, on the same granian.
        plain_port = free_port()
        plain_env = {**server_env(), "PYTHONPATH": str(ROOT / "bench"), "PLAIN_ENTERPRISE_ID": str(seeded.enterprise_id),
                     "PLAIN_USER_ID": str(seeded.user_id)}
        plain = start_server(plain_port, args.workers, args.threads, app="plain_checkin:application", env=plain_env)
        common = {"seeded": seeded, "seconds": args.seconds / args.rounds, "warmup": args.warmup}
        api = {"port": port, "server_pid": server.pid}
        single = {"clients": args.clients, "procs": args.procs, "batch": 1}
        batched = {"clients": args.batch_clients, "procs": args.batch_clients, "batch": args.batch}
        phases = {
            "bare-single": ("bare upsert, 1 row/statement", "bare-single", {**single, **api}),
            "api-single": ("API, 1 check-in/request", "api-single", {**single, **api}),
            "plain-single": ("plain Django view + raw upsert", "api-single", {**single, "port": plain_port, "server_pid": plain.pid}),
            "bare-batch": (f"bare upsert, {args.batch} rows/statement", "bare-batch", {**batched, **api}),
            "api-batch": (f"API, {args.batch} check-ins/request", "api-batch", {**batched, **api}),
        }
        wanted = [key for key in phases if args.only is None or key.endswith(args.only)]
        # Rounds, each path in turn: what the shared machine does meanwhile falls on all of them alike.
        rounds: dict[str, list[Measure]] = {key: [] for key in wanted}
        for _ in range(args.rounds):
            for key in wanted:
                name, kind, how = phases[key]
                rounds[key].append(run_phase(name, kind, **how, **common))  # type: ignore[arg-type]
        measures = {key: Measure.merged(parts) for key, parts in rounds.items()}
        if args.only:
            print_table(measures.values())
            return 0
        return 0 if report(measures, args) else 1
    finally:
        for running in (server, plain):
            if running is not None:
                stop(running)
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    sys.exit(main())
