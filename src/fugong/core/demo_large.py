"""``fugong demo --scale large``: one large county for the scale figures (issue 6, item 6).

东源县 (code ``441625``, loaded with every county by ``load_divisions``) gets made-up towns (local
codes ``441625-L01`` …) with :attr:`LargeSize.towns` towns of
:attr:`LargeSize.grids_per_town` grids, 100,000 enterprises, 1,000,000 workers and their
check-ins of the last five days and of today so far (≈ 10 million), on PostgreSQL only.

How it stays well under 30 minutes on 2 cores:

- enterprises and workers are written with ``COPY`` (psycopg), not the ORM; the workers in
  parallel processes (one per core), each encrypting its ID numbers with AES-GCM and computing
  their blind index in line (the key objects made once, not per value as
  :func:`fugong.core.crypto.encrypt` does: 3× faster, the same tokens — a test decrypts them);
- the check-ins are made by the database itself (``INSERT … SELECT`` over the workers ×
  days × slots, one statement per half of the enterprises on two connections): no row crosses
  the wire;
- the secondary indexes and foreign keys of the two big tables are dropped for the load and made
  again after it (one sorted build each, ``maintenance_work_mem`` raised), then ``ANALYZE``;
- the history triggers of the enterprises are off during their ``COPY`` (a demo's bulk load is
  no one's change).

Distributions: most enterprises resumed (78 %), the rest approved, applying, not applied or
suspended; workers mostly "pass after approval" or "work with checks", a few in isolation or
central quarantine; 1.5 % of the check-in slots missed, about 4 in 10,000 a fever (each with its
alert: open today, closed before), 2 in 1,000 a cough.

At the end the command centre's flags and daily rollups of the county are computed
(:func:`build_command_rollups`), so its dashboards show the county at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import multiprocessing
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone
from stdnum.cn import uscc

COUNTY_CODE = "441625"
COUNTY_NAME = "东源县"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Town and grid names: two syllables, a suffix.
SYLLABLES = list("东南西北上下新老大小黄石龙凤仙塘坑岭湖江河水田岗坪沙溪山林桥头尾坝埔围洞蓝义合"
                 "安康宁和平兴隆富贵华丰顺利泰福禄寿锦绣柳城船前后里禾谷茶竹梅桂荷杨柏")
TOWN_SUFFIXES = ["镇", "镇", "镇", "街道"]
GRID_SUFFIXES = ["村", "社区"]
WORDS = ["华盛", "东江", "万绿", "龙记", "新丰", "恒达", "博泰", "嘉利", "富华", "联创", "源兴", "金鹏", "宏远", "永利", "粤港", "明阳",
         "鸿图", "立信", "长盛", "天润", "广兴", "佳美", "鹏程", "海川", "信达", "瑞丰", "和成", "伟业", "康泰", "精工", "汇通", "众诚"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾叶钟"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌辉玲"
# Where the workers come from: (ID area code, origin), weighted like Heyuan's returned workers (≈ 63 % local).
AREAS = [("441625", "local_not_away", 46), ("441602", "same_city_other_district", 10), ("441621", "same_city_other_district", 7),
         ("441900", "other_city_same_province", 6), ("440106", "other_city_same_province", 5), ("445281", "other_city_same_province", 4),
         ("431021", "other_province", 7), ("450881", "other_province", 5), ("510681", "other_province", 4),
         ("360730", "other_province", 3), ("420621", "other_province", 2), ("522401", "other_province", 1)]
STATUSES = [("resumed", 78), ("approved", 7), ("applying", 6), ("not_applied", 6), ("suspended", 3)]
CATEGORIES = [("pass_after_approval", 62), ("work_with_checks", 27), ("isolate_before_pass", 7), ("central_quarantine", 2),
              ("must_not_return", 1.5), ("refused_fever", 0.5)]
SECTORS = [("industry", 48), ("retail_hotel_catering", 14), ("services", 14), ("construction", 6), ("real_estate", 3),
           ("street_shop", 9), ("restaurant", 6)]
TRADES = {"industry": ["电子科技有限公司", "精密制造有限公司", "塑胶制品有限公司", "五金有限公司", "光电有限公司", "新材料有限公司"],
          "retail_hotel_catering": ["商贸有限公司", "酒店有限公司", "超市有限公司"], "services": ["物流有限公司", "物业管理有限公司", "信息技术有限公司"],
          "construction": ["建筑工程有限公司（项目工地）"], "real_estate": ["房地产开发有限公司"], "street_shop": ["五金店", "便利店"],
          "restaurant": ["餐饮管理有限公司", "饭店"]}
PERSON_CHUNK = 50_000
PARALLEL_FROM = 200_000  # workers: below this everything runs in this process, on Django's connection (the tests' transaction)


@dataclass(frozen=True)
class LargeSize:
    """How large the county is. The default is the scale target; the tests use a tiny one."""

    enterprises: int = 100_000
    workers: int = 1_000_000
    days: int = 5  # full days before today; today's slots so far come on top
    towns: int = 40
    grids_per_town: int = 25

    @classmethod
    def parse(cls, text: str) -> LargeSize:
        """``"enterprises,workers[,days]"`` (the demo command's hidden ``--large-size``)."""
        numbers = [int(part) for part in text.split(",")]
        enterprises, workers = numbers[0], numbers[1]
        towns = max(1, min(cls.towns, enterprises // 100))
        grids = max(1, min(cls.grids_per_town, enterprises // (towns * 4)))
        return cls(enterprises, workers, numbers[2] if len(numbers) > 2 else cls.days, towns, grids)


class Progress:
    """Prints each step with its time; keeps the timings for the summary."""

    def __init__(self, out: Callable[[str], None]) -> None:
        self.out = out
        self.timings: dict[str, float] = {}
        self.started = time.perf_counter()

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.out(f"· {name} …")
        start = time.perf_counter()
        yield
        self.timings[name] = elapsed = time.perf_counter() - start
        self.out(f"  {name}: {elapsed:.1f} s")

    def total(self) -> float:
        return time.perf_counter() - self.started


def refuse_unless_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise ValueError("大规模演示数据只能建在 PostgreSQL 上（请设置 DATABASE_URL=postgres://…）。"
                         " / The large demo needs PostgreSQL: set DATABASE_URL=postgres://… (SQLite would take hours and gigabytes).")


def seed_large(*, size: LargeSize | None = None, out: Callable[[str], None] = print, seed: int = 2020) -> dict[str, float]:
    """Build the large county (once: a second run finds it and stops). Returns the step timings."""
    from fugong.regions.models import Region

    refuse_unless_postgresql()
    size = size or LargeSize()
    progress = Progress(out)
    if Region.objects.filter(code=f"{COUNTY_CODE}-L01").exists():
        out(f"{COUNTY_NAME}（{COUNTY_CODE}）已存在，跳过大规模演示数据。")
        return {}
    rng = random.Random(seed)
    today = timezone.localdate()
    parallel = size.workers >= PARALLEL_FROM
    out(f"大规模演示：{size.enterprises:,} 家企业、{size.workers:,} 名员工、约 {size.workers * 2 * size.days:,} 条打卡"
        f"（{size.towns} 个镇街 × {size.grids_per_town} 个网格）")
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET synchronous_commit = off")
    with progress.step("places and accounts"), transaction.atomic():
        grids = _places(size, rng)
        _accounts(grids)
    with progress.step("enterprises (COPY)"), transaction.atomic():
        enterprises = _enterprises(size, grids, rng)
    with progress.step("workers: drop indexes"):
        person_kept = _drop_indexes("workforce_person", primary_key=False)  # other tables' foreign keys need it
    with progress.step("workers (AES-GCM + blind index, COPY)"):
        _workers(size, enterprises, rng, today, parallel=parallel, out=out)
    with progress.step("workers: rebuild indexes and keys"):
        _restore(person_kept)
    with progress.step("headcounts"), _triggers_off("enterprises_enterprise"), connection.cursor() as cursor:
        cursor.execute("UPDATE enterprises_enterprise e SET headcount = p.n FROM (SELECT enterprise_id, count(*) n FROM workforce_person "
                       "GROUP BY enterprise_id) p WHERE p.enterprise_id = e.id AND e.town_id IN (SELECT id FROM regions_region "
                       "WHERE path LIKE %s)", [f"%/{COUNTY_CODE}/%"])
    with progress.step("check-ins: partitions and drop indexes"):
        from fugong.health.partitions import Month, create_month

        month = Month.of(today - timedelta(days=size.days))
        while month.first <= today:
            create_month(month)
            month = month.next()
        checkin_kept = _drop_indexes("health_checkin")
    with progress.step("check-ins (INSERT … SELECT in the database)"):
        _checkins(size, today, parallel=parallel)
    with progress.step("check-ins: rebuild indexes and keys"):
        _restore(checkin_kept, parallel=parallel)
    with progress.step("fever alerts"):
        _alerts(size, today)
    with progress.step("ANALYZE"), connection.cursor() as cursor:
        for table in ("regions_region", "enterprises_enterprise", "workforce_person", "health_checkin", "health_alert"):
            cursor.execute(f"ANALYZE {table}")
    with progress.step("command centre: flags and rollups"):
        build_command_rollups(out, today=today, days_back=size.days)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM health_checkin c JOIN enterprises_enterprise e ON e.id = c.enterprise_id "
                       "JOIN regions_region t ON t.id = e.town_id WHERE t.path LIKE %s", [f"%/{COUNTY_CODE}/%"])
        checkins = cursor.fetchone()[0]
    progress.timings["total"] = progress.total()
    out(f"完成：{checkins:,} 条打卡；总用时 {progress.timings['total']:.1f} s")
    return progress.timings


# -- places ----------------------------------------------------------------------------------------


def _unique_names(rng: random.Random, count: int, suffixes: list[str], used: set[str]) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(suffixes)
        if name[0] != name[1] and name not in used:
            used.add(name)
            names.append(name)
    return names


def _places(size: LargeSize, rng: random.Random) -> list[Any]:
    """The county under 河源市 (made if missing), its towns and their grids; the grids."""
    from fugong.regions.choices import GridKind, Level
    from fugong.regions.models import Region

    province, _ = Region.objects.get_or_create(code="440000", defaults={"name": "广东省", "level": Level.PROVINCE})
    city, _ = Region.objects.get_or_create(code="441600", defaults={"name": "河源市", "level": Level.CITY, "parent": province})
    county, _ = Region.objects.get_or_create(code=COUNTY_CODE, defaults={"name": COUNTY_NAME, "level": Level.COUNTY, "parent": city})
    used: set[str] = set()
    towns = []
    # Local codes (the demo's towns are made up: the statistical codes stay free for the real ones).
    for number, name in enumerate(_unique_names(rng, size.towns, TOWN_SUFFIXES, used), start=1):
        path, full_name = Region.derive(county, f"{COUNTY_CODE}-L{number:02d}", name, Level.TOWN)
        towns.append(Region(code=f"{COUNTY_CODE}-L{number:02d}", name=name, level=Level.TOWN, parent=county, path=path,
                            full_name=full_name))
    Region.objects.bulk_create(towns)
    kinds = [GridKind.INDUSTRIAL] * 5 + [GridKind.COMMERCIAL] * 2 + [GridKind.RESIDENTIAL] * 2 + [GridKind.CONSTRUCTION, GridKind.RENTAL]
    grids = []
    for town in towns:
        for number, name in enumerate(_unique_names(rng, size.grids_per_town, GRID_SUFFIXES, used), start=1):
            code = f"{town.code}-G{number:02d}"
            path, full_name = Region.derive(town, code, f"{name}网格", Level.GRID)
            grids.append(Region(code=code, name=f"{name}网格", level=Level.GRID, parent=town, path=path, full_name=full_name,
                                grid_kind=rng.choice(kinds)))
    Region.objects.bulk_create(grids, batch_size=2000)
    return list(Region.objects.filter(level=Level.GRID, path__startswith=county.path).select_related("parent").order_by("code"))


def _accounts(grids: list[Any]) -> None:
    """A command account for the county and one for the first town (password: the demo's)."""
    from fugong.accounts.choices import Role
    from fugong.accounts.models import Membership, User
    from fugong.core.demo import DEMO_PASSWORD

    county = grids[0].parent.parent
    for username, display_name, region in (("large_cmd", f"{COUNTY_NAME}指挥部值班员", county),
                                           ("large_town_cmd", f"{grids[0].parent.name}指挥部", grids[0].parent)):
        user, created = User.objects.get_or_create(username=username, defaults={"display_name": display_name})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(user=user, role=Role.COMMAND, region=region)


# -- enterprises -------------------------------------------------------------------------------------


def _uscc(serial: int) -> str:
    digits = []
    for _ in range(9):
        serial, digit = divmod(serial, len(USCC_ALPHABET))
        digits.append(USCC_ALPHABET[digit])
    body = "91" + COUNTY_CODE + "".join(reversed(digits))
    return body + uscc.calc_check_digit(body)


def _weighted(rng: random.Random, table: list[tuple[str, float]] | list[tuple[str, int]]) -> str:
    return rng.choices([key for key, _ in table], weights=[weight for _, weight in table])[0]


def _copy(table: str, columns: list[str], rows: Any, *, using: Any = None) -> int:
    """COPY the rows (tuples in ``columns`` order) into ``table``; how many."""
    db = using or connection
    quote = db.ops.quote_name
    count = 0
    with db.cursor() as cursor, cursor.copy(f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _model_rows(model: Any, values: Iterator[dict[str, Any]]) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """The model's columns and its rows as tuples: the given values, the fields' defaults for the
    rest (JSON as text), so a field another app adds later is still written."""
    fields = list(model._meta.concrete_fields)
    defaults: list[Any] = []
    for field in fields:
        default = field.get_default()
        defaults.append(json.dumps(default) if field.get_internal_type() == "JSONField" else default)
    names = [field.attname for field in fields]

    def rows() -> Iterator[tuple[Any, ...]]:
        for given in values:
            yield tuple(given.get(name, default) for name, default in zip(names, defaults, strict=True))

    return [field.column for field in fields], rows()


def _enterprises(size: LargeSize, grids: list[Any], rng: random.Random) -> list[tuple[int, float]]:
    """COPY the enterprises; (id, weight for the workers) of each."""
    from fugong.enterprises.models import Enterprise

    now = timezone.now()
    start = (Enterprise.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def values() -> Iterator[dict[str, Any]]:
        for index in range(size.enterprises):
            grid = grids[index % len(grids)]
            sector = _weighted(rng, SECTORS)
            above = sector == "industry" and rng.random() < 0.12
            yield {"id": start + index, "name": f"河源市{grid.parent.name[:2]}{''.join(rng.sample(WORDS, 2))}{rng.choice(TRADES[sector])}",
                   "uscc": _uscc(index), "sector": sector, "size": "above" if above else "below",
                   "essential_category": "food" if sector == "industry" and rng.random() < 0.05 else "",
                   "in_park": grid.grid_kind == "industrial" and rng.random() < 0.3, "key_cultivated": above and rng.random() < 0.3,
                   "address": f"{grid.parent.name}{grid.name[:-2]}{rng.randint(1, 300)}号", "region_id": grid.pk, "town_id": grid.parent_id,
                   "legal_representative": _person_name(rng), "contact_name": _person_name(rng), "contact_phone": _phone(rng),
                   "has_canteen": above, "has_dormitory": above and rng.random() < 0.6, "closed_management": "none",
                   "local_staff_percent": rng.randint(30, 95), "status": _weighted(rng, STATUSES), "created_at": now, "updated_at": now}

    columns, rows = _model_rows(Enterprise, values())
    with _triggers_off("enterprises_enterprise"):
        _copy("enterprises_enterprise", columns, rows)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('enterprises_enterprise', 'id'), (SELECT max(id) FROM enterprises_enterprise))")
        cursor.execute("SELECT id, size FROM enterprises_enterprise WHERE id >= %s ORDER BY id", [start])
        # Above-scale enterprises employ a few hundred, the others a handful: about 10 on average at the default size.
        return [(pk, 20.0 if kind == "above" else 1.0) for pk, kind in cursor.fetchall()]


@contextmanager
def _triggers_off(table: str) -> Iterator[None]:
    """The table's own triggers (row history) off for a bulk load; constraints stay checked."""
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            _checks_now(cursor)
            cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} ENABLE TRIGGER USER")


def _checks_now(cursor: Any) -> None:
    """Run the deferred foreign-key checks of the transaction now: PostgreSQL refuses to alter a
    table with checks pending (the load's rows), and the tests run all of this in one transaction."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


# -- workers -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    number: int
    first_serial: int
    enterprise_ids: list[int]
    seed: int
    today: date


def _workers(size: LargeSize, enterprises: list[tuple[int, float]], rng: random.Random, today: date, *, parallel: bool,
             out: Callable[[str], None]) -> None:
    ids = [pk for pk, _ in enterprises]
    assigned = sorted(rng.choices(ids, weights=[weight for _, weight in enterprises], k=size.workers))
    chunks = [_Chunk(number, first, assigned[first:first + PERSON_CHUNK], rng.getrandbits(32), today)
              for number, first in enumerate(range(0, size.workers, PERSON_CHUNK))]
    if not parallel:
        for chunk in chunks:
            _person_chunk(chunk)
        return
    connections.close_all()  # the processes fork: each opens its own connection
    done = 0
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 2) as pool:
        for count in pool.imap_unordered(_person_chunk_in_process, chunks):
            done += count
            rate = done / (time.perf_counter() - start)
            out(f"    {done:,} / {size.workers:,} workers ({rate:,.0f}/s)")


def _person_chunk_in_process(chunk: _Chunk) -> int:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        return _person_chunk(chunk)
    finally:
        connections.close_all()


class _Sealer:
    """The ID number's stored fields as :func:`fugong.workforce.services.id_number_fields` makes
    them (the same token format, key and associated data; the same blind index), with the cipher
    and the index's derived key made once instead of per value."""

    def __init__(self) -> None:
        from fugong.core import crypto
        from fugong.workforce.models import ID_NUMBER_CONTEXT

        ring = crypto.keyring()
        self.aead = ring.aead(ring.current)
        self.prefix = f"{crypto.VERSION}:{ring.current}:"
        self.aad = ID_NUMBER_CONTEXT.encode("utf-8")
        self.subkey = hmac.new(crypto.parse_blind_index_key(getattr(settings, "BLIND_INDEX_KEY", "")), b"fugong.blind_index:" + self.aad,
                               hashlib.sha256).digest()
        self.nonce_bytes = crypto.NONCE_BYTES

    def seal(self, number: str) -> tuple[str, str]:
        value = number.encode("ascii")
        nonce = os.urandom(self.nonce_bytes)  # random per encryption, as crypto.encrypt: never from the demo's seeded generator
        token = self.prefix + base64.urlsafe_b64encode(nonce + self.aead.encrypt(nonce, value, self.aad)).decode("ascii")
        return token, hmac.new(self.subkey, value, hashlib.sha256).hexdigest()


def _person_chunk(chunk: _Chunk) -> int:
    from fugong.core.idcard import check_character, mask
    from fugong.workforce.models import Person

    rng = random.Random(chunk.seed)
    sealer = _Sealer()
    now = timezone.now()
    classified = datetime.combine(chunk.today - timedelta(days=1), datetime.min.time(), tzinfo=timezone.get_current_timezone())
    born_from = date(1965, 1, 1).toordinal()
    areas = [(code, origin) for code, origin, _ in AREAS]
    area_weights = list(itertools.accumulate(weight for _, _, weight in AREAS))
    categories = [key for key, _ in CATEGORIES]
    category_weights = list(itertools.accumulate(weight for _, weight in CATEGORIES))
    masked = "*" * (len("441625199001011234") - 10)
    assert mask("44162519900101123X") == "441625" + masked + "123X"  # the stored mask, built by slicing below

    def values() -> Iterator[dict[str, Any]]:
        for offset, enterprise_id in enumerate(chunk.enterprise_ids):
            serial = chunk.first_serial + offset
            # Unique numbers: the serial picks the birth day (1965–2002) and the sequence number.
            born = date.fromordinal(born_from + serial % 13_800)
            sequence = serial // 13_800
            (area, origin), = rng.choices(areas, cum_weights=area_weights)
            body = f"{area}{born:%Y%m%d}{sequence:03d}"
            number = body + check_character(body)
            token, index = sealer.seal(number)
            category = rng.choices(categories, cum_weights=category_weights)[0]
            returned = chunk.today - timedelta(days=rng.randint(0, 25))
            yield {"id": uuid.UUID(int=rng.getrandbits(128), version=4), "enterprise_id": enterprise_id, "name": _person_name(rng),
                   "id_number_encrypted": token, "id_number_index": index, "id_masked": number[:6] + masked + number[-4:], "birth_date": born,
                   "sex": "M" if sequence % 2 else "F", "phone": _phone(rng), "household_region": area, "origin": origin,
                   "return_date": returned, "transport": rng.choice(["self_drive", "bus", "train", "other"]),
                   "post": rng.choice(["core", "key", "front_line", "front_line", "other"]), "category": category,
                   "category_rule": "大规模演示数据", "eligible_on": returned + timedelta(days=14 if category == "isolate_before_pass" else 0),
                   "checks_until": returned + timedelta(days=14), "classified_at": classified, "created_at": now, "updated_at": now}

    columns, rows = _model_rows(Person, values())
    return _copy(Person._meta.db_table, columns, rows)


# -- indexes dropped around a load ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kept:
    table: str
    constraints: list[tuple[str, str]]  # (name, definition), the primary key first
    indexes: list[str]  # CREATE INDEX statements


def _drop_indexes(table: str, *, primary_key: bool = True) -> _Kept:
    """Drop the table's keys (the primary key too unless told not to), foreign keys and indexes
    (but not its check constraints); what to make again after the load (:func:`_restore`)."""
    kinds = ["p", "u", "f"] if primary_key else ["u", "f"]
    with connection.cursor() as cursor:
        _checks_now(cursor)
        cursor.execute("SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint WHERE conrelid = %s::regclass "
                       "AND contype = ANY(%s) ORDER BY contype <> 'p', contype = 'f', conname", [table, kinds])
        constraints = [(name, definition) for name, definition, _kind in cursor.fetchall()]
        cursor.execute("SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                       "WHERE x.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid "
                       "AND k.conrelid = x.indrelid)", [table])
        indexes = cursor.fetchall()
        quote = connection.ops.quote_name
        for name, _definition in reversed(constraints):
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _statement in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    return _Kept(table, constraints, [statement for _name, statement in indexes])


def _restore(kept: _Kept, *, parallel: bool = False) -> None:
    """Make the keys and indexes again: the primary key and unique keys, then the indexes (on two
    connections when ``parallel``), then the foreign keys."""
    quote = connection.ops.quote_name
    table = quote(kept.table)
    keys = [(n, d) for n, d in kept.constraints if not d.startswith("FOREIGN KEY")]
    foreign = [(n, d) for n, d in kept.constraints if d.startswith("FOREIGN KEY")]
    statements = [f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}" for name, definition in keys] + kept.indexes
    if parallel and len(statements) > 1:
        _run_on_two_connections(statements)
    else:
        with connection.cursor() as cursor:
            _checks_now(cursor)
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for statement in statements:
                cursor.execute(statement)
    with connection.cursor() as cursor:
        for name, definition in foreign:
            # Checked in one pass over the table (NOT VALID + VALIDATE is refused on partitioned tables).
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")


def _run_on_two_connections(statements: list[str]) -> None:
    """Run the statements on two connections of their own, each taking the next one left (index
    builds of one table: they lock it only against writes). Autocommit: outside any transaction."""
    import threading

    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    queue = list(statements)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work() -> None:
        with psycopg.connect(**params, autocommit=True) as own:
            own.execute("SET maintenance_work_mem = '1GB'")
            while True:
                with lock:
                    if not queue or errors:
                        return
                    statement = queue.pop(0)
                try:
                    own.execute(statement)  # type: ignore[arg-type]
                except BaseException as exc:
                    errors.append(exc)
                    return

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


# -- check-ins and alerts ----------------------------------------------------------------------------------


def _checkins_sql(today: date, days: int) -> tuple[str, list[Any]]:
    """Every worker of the county's enterprises (``%s`` ≤ id ≤ ``%s``) × the days × the two slots,
    1.5 % missed; today only the slots already due (morning from 9:00, afternoon from 18:00)."""
    hour = timezone.localtime().hour
    due_today = 0 if hour < 9 else 1 if hour < 18 else 2
    sql = """
        INSERT INTO health_checkin (person_id, enterprise_id, date, slot, temperature, cough, symptoms, source, recorded_at, recorded_by_id)
        SELECT p.id, p.enterprise_id, d.day, s.slot,
               CASE WHEN random() < 0.0004 THEN 37.3 + floor(random() * 16) / 10 ELSE 36.0 + floor(random() * 12) / 10 END,
               random() < 0.002, '',
               CASE WHEN random() < 0.55 THEN 'gate' WHEN random() < 0.8 THEN 'self' ELSE 'enterprise' END,
               (d.day + CASE s.slot WHEN 1 THEN time '07:10' ELSE time '17:20' END) AT TIME ZONE 'Asia/Shanghai'
                   + random() * interval '100 minutes',
               NULL
        FROM workforce_person p
        CROSS JOIN (SELECT generate_series(%s::date, %s::date, interval '1 day')::date AS day) d
        CROSS JOIN (VALUES (1::smallint), (2::smallint)) s (slot)
        WHERE p.enterprise_id BETWEEN %s AND %s AND random() >= 0.015 AND (d.day < %s OR s.slot <= %s)
    """
    return sql, [today - timedelta(days=days), today, today, due_today]


def _checkins(size: LargeSize, today: date, *, parallel: bool) -> None:
    from fugong.enterprises.models import Enterprise

    ids = Enterprise.objects.filter(town__path__contains=f"/{COUNTY_CODE}/").order_by("pk").values_list("pk", flat=True)
    low, high = ids.first(), ids.last()
    assert low is not None and high is not None
    sql, (first, last, until, due) = _checkins_sql(today, size.days)
    if not parallel:
        with connection.cursor() as cursor:
            cursor.execute(sql, [first, last, low, high, until, due])
        return
    middle = (low + high) // 2
    _run_on_two_connections_params(sql, [[first, last, low, middle, until, due], [first, last, middle + 1, high, until, due]])


def _run_on_two_connections_params(sql: str, params: list[list[Any]]) -> None:
    import threading

    import psycopg

    settings_params = connection.get_connection_params()
    settings_params.pop("cursor_factory", None)
    settings_params.pop("context", None)
    errors: list[BaseException] = []

    def work(values: list[Any]) -> None:
        try:
            with psycopg.connect(**settings_params, autocommit=True) as own:
                own.execute("SET synchronous_commit = off")
                own.execute(sql, values)  # type: ignore[arg-type]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(values,)) for values in params]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _alerts(size: LargeSize, today: date) -> None:
    """A fever alert for each fever check-in of the county: today's open, earlier ones closed."""
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO health_alert (uuid, created_at, updated_at, kind, status, date, temperature, detail, raised_at, outcome, note,
                                      closed_at, enterprise_id, person_id, checkin_id)
            SELECT gen_random_uuid(), c.recorded_at, c.recorded_at, 'fever', CASE WHEN c.date = %s THEN 'open' ELSE 'closed' END, c.date,
                   c.temperature, '体温 ' || c.temperature || '℃', c.recorded_at,
                   CASE WHEN c.date = %s THEN '' WHEN random() < 0.8 THEN 'cleared' ELSE 'clinic' END, '',
                   CASE WHEN c.date = %s THEN NULL ELSE c.recorded_at + interval '2 hours' END, c.enterprise_id, c.person_id, c.id
            FROM health_checkin c JOIN enterprises_enterprise e ON e.id = c.enterprise_id
            WHERE c.date >= %s AND c.temperature >= 37.3 AND e.town_id IN (SELECT id FROM regions_region WHERE path LIKE %s)
        """, [today, today, today, today - timedelta(days=size.days), f"%/{COUNTY_CODE}/%"])


# -- the command centre's rollups ------------------------------------------------------------------------------


def build_command_rollups(out: Callable[[str], None], *, today: date | None = None, days_back: int | None = None) -> bool:
    """The command centre's flags of the county's enterprises, then its daily rollups of the
    dashboard's trend days (``fugong.command``: ``flags_refresh`` and ``rollup_rebuild``), timed
    apart. False, having said so, if the command app is not installed."""
    try:
        from fugong.command.rollups import rollup_rebuild
        from fugong.command.services import flags_refresh
    except ImportError:
        out("  （未安装 fugong.command：跳过指挥中心的标识与汇总。）")
        return False
    from fugong.enterprises.models import Enterprise
    from fugong.policy.services import current
    from fugong.regions.models import Region

    today = today or timezone.localdate()
    towns = list(Region.objects.filter(path__contains=f"/{COUNTY_CODE}/", level="town").values_list("pk", flat=True))
    start = time.perf_counter()
    flags_refresh(enterprises=Enterprise.objects.filter(town_id__in=towns), day=today)
    out(f"    flags_refresh: {time.perf_counter() - start:.1f} s")
    # The days with check-ins (the trend's older days stay empty): each day is a full pass over the county.
    days = min(int(current().dashboard_trend_days), (days_back if days_back is not None else 5) + 1)
    start = time.perf_counter()
    rows = rollup_rebuild((today - timedelta(days=days - 1), today), towns=towns)
    out(f"    rollup_rebuild ({days} days, {len(towns)} towns → {rows:,} rows): {time.perf_counter() - start:.1f} s")
    return True
