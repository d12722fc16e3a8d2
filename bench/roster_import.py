#!/usr/bin/env python3
"""Benchmark: a 100,000-row roster (花名册) import with full validation — target ≤ 20 s (issue 4).

Each run imports the same generated rows into an empty roster and prints wall time and rows/s:

- ``csv`` and ``xlsx``: the whole import as a user starts it (``RosterImporter.run``): read the
  file (csv module / python-calamine), check every row (names, phones, dates, choices, the ID
  number's length, date and check character), blind index, AES-GCM encryption, the one look-up of
  registered numbers, the insert, the audit entry. The read+check and write phases are split
  using the progress callback.
- ``xlsx, bulk_create``: the same with Django's ``bulk_create`` as the write path, for comparison.
- ``bare INSERT``: the same rows, already encrypted and prepared, written with one
  ``executemany`` INSERT per 5,000 rows through the raw DB-API cursor (and on PostgreSQL also
  with ``COPY``) — the floor an import cannot beat on this machine and database.

Usage (from the repository root)::

    .venv/bin/python bench/roster_import.py                   # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fugong_bench .venv/bin/python bench/roster_import.py

A throwaway database is created (Django's test-database machinery: ``test_<name>`` on
PostgreSQL, a temporary file for SQLite) and dropped at the end. Exit status 1 if an import
misses the 20-s target. Options: ``--rows N`` (default 100,000), ``--no-xlsx`` (skip generating
the workbook, which takes openpyxl ~15 s).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fugong.settings")
os.environ.setdefault("FUGONG_ENV", "test")
os.environ.setdefault("LOG_LEVEL", "WARNING")

TARGET_SECONDS = 20.0
HEADERS = ["姓名", "身份证号", "手机号", "现住址", "户籍地", "返岗日期", "交通方式", "岗位", "宿舍", "是否乘坐班车", "假期所在地", "来源地"]


def roster_rows(count: int) -> Iterator[list[str]]:
    """Valid, distinct rows (1,000 ID numbers per birth date), as an enterprise would fill them in."""
    from fugong.core.idcard import check_character

    surnames, given = "王李张刘陈杨黄赵吴周", "伟芳娜敏静丽强磊军洋"
    transports, posts = ["自驾", "客车", "火车", "飞机"], ["核心", "关键", "一线", "其他"]
    origins = ["本地未外出", "本市其他区", "省内其他城市", "外省"]
    for serial in range(count):
        born = date(1970, 1, 1) + timedelta(days=serial // 1000)
        body = f"441602{born:%Y%m%d}{serial % 1000:03d}"
        yield [surnames[serial % 10] + given[(serial // 10) % 10] + given[(serial // 100) % 10], body + check_character(body),
               f"138{serial:08d}", f"河源市源城区兴源路{serial % 300 + 1}号", "广东省河源市紫金县", f"2020-02-{serial % 20 + 1:02d}",
               transports[serial % 4], posts[serial % 4], f"{serial % 40 + 1}栋{serial % 500 + 100}", "是" if serial % 3 else "否",
               "紫金县", origins[serial % 4]]


def csv_file(count: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(roster_rows(count))
    return buffer.getvalue().encode("utf-8")


def xlsx_file(count: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(HEADERS)
    for row in roster_rows(count):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def clear_people() -> None:
    from django.db import connection

    from fugong.workforce.models import ClassificationChange, Person

    with connection.cursor() as cursor:
        for model in (ClassificationChange, Person):  # the changes the classification wrote first: they point at the people
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608 - the model's table


def an_enterprise() -> Any:
    from stdnum.cn import uscc

    from fugong.enterprises.models import Enterprise
    from fugong.regions.models import Region

    county = Region.objects.create(code="441602", name="源城区", level="county")
    town = Region.objects.create(code="441602-GXQ", name="高新区", level="town", parent=county)
    body = "91441602MA4BENCH0"
    return Enterprise.objects.create(name="基准测试电子有限公司", uscc=body + uscc.calc_check_digit(body), sector="industry", size="above",
                                     address="高新区科技大道1号", region=town, town=town, legal_representative="某某",
                                     contact_name="某某", contact_phone="13800000000")


def timed_import(enterprise: Any, content: bytes, filename: str, *, bulk_create: bool = False) -> tuple[float, float, Any]:
    """Total seconds, seconds until every row was checked, and the result."""
    from fugong.workforce.importers import RosterImporter

    clear_people()
    checked_at: list[float] = []
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if not checked_at and done >= total // 2:
            checked_at.append(time.perf_counter() - started)

    importer = RosterImporter(enterprise=enterprise, progress=progress)
    importer.use_bulk_create = bulk_create
    result = importer.run(content, filename)
    seconds = time.perf_counter() - started
    if result.error or result.refused:
        raise SystemExit(f"{filename}: {result.error or result.refused[:3]}")
    return seconds, (checked_at or [seconds])[0], result


def timed_classification(enterprise: Any) -> float:
    """Seconds to classify the people just imported, as the import job does after the import."""
    from fugong.workforce.classify import classify_queryset

    started = time.perf_counter()
    classify_queryset(enterprise.people.filter(classified_at__isnull=True))
    return time.perf_counter() - started


def bare_insert(enterprise: Any, count: int) -> dict[str, float]:
    """The same rows, prepared beforehand, written with the raw cursor: the database's own floor."""
    from django.db import connection, transaction

    from fugong.core import crypto, idcard
    from fugong.workforce.importers import BATCH_SIZE, _PersonInserter
    from fugong.workforce.models import ID_NUMBER_CONTEXT, Person

    fields: list[dict[str, Any]] = []
    for row in roster_rows(count):
        number = row[1]
        fields.append({"name": row[0], "id_number_encrypted": crypto.encrypt(number, context=ID_NUMBER_CONTEXT),
                       "id_number_index": crypto.blind_index(number, context=ID_NUMBER_CONTEXT), "id_masked": idcard.mask(number),
                       "birth_date": date(int(number[6:10]), int(number[10:12]), int(number[12:14])), "sex": "M", "phone": row[2],
                       "home_address": row[3], "household_region": row[4], "return_date": date(2020, 2, 10), "transport": "self_drive",
                       "post": "front_line", "dormitory_room": row[8], "shuttle_bus": True, "holiday_location": row[10],
                       "origin": "other_city_same_province"})
    inserter = _PersonInserter(enterprise_id=enterprise.pk, user=None)
    prepared = [tuple(get(f) for get in inserter.getters) for f in fields]
    ops = connection.ops
    table = ops.quote_name(Person._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in inserter.columns)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(inserter.columns))})"  # noqa: S608 - the model's names
    raw = connection.connection  # the DB-API connection, without Django's wrappers
    if connection.vendor == "sqlite":
        sql = sql.replace("%s", "?")
    timings: dict[str, float] = {}
    clear_people()
    started = time.perf_counter()
    with transaction.atomic(), _closing(raw.cursor()) as cursor:  # one transaction, as the import has
        for start in range(0, len(prepared), BATCH_SIZE):
            cursor.executemany(sql, prepared[start:start + BATCH_SIZE])
    timings["bare INSERT (executemany)"] = time.perf_counter() - started
    if connection.vendor == "postgresql":
        clear_people()
        started = time.perf_counter()
        with transaction.atomic(), raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for values in prepared:
                copy.write_row(values)
        timings["bare COPY"] = time.perf_counter() - started
    clear_people()
    return timings


class _closing:
    """A DB-API cursor closed on leaving (sqlite3's cursors are not context managers)."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def __enter__(self) -> Any:
        return self.cursor

    def __exit__(self, *exc: object) -> None:
        self.cursor.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-xlsx", action="store_true", help="skip the .xlsx runs (generating the workbook takes a while)")
    options = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    tmp = tempfile.TemporaryDirectory(prefix="fugong-bench-")
    if connection.vendor == "sqlite":
        # A file, as in the embedded deployment (an in-memory database would flatter the writes).
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        enterprise = an_enterprise()
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                version = connection.Database.sqlite_version
            else:
                number = cursor.connection.info.server_version
                version = f"{number // 10000}.{number % 10000}"
        print(f"Roster import benchmark — {options.rows:,} rows; {machine()}; {connection.vendor} {version}")

        generated = time.perf_counter()
        files: list[tuple[str, bytes, str, bool]] = [("csv", csv_file(options.rows), "roster.csv", False)]
        if not options.no_xlsx:
            workbook = xlsx_file(options.rows)
            files += [("xlsx", workbook, "roster.xlsx", False), ("xlsx, bulk_create", workbook, "roster.xlsx", True)]
        print(f"(files generated in {time.perf_counter() - generated:.1f} s, not counted)\n")

        bare = bare_insert(enterprise, options.rows)
        floor = min(bare.values())
        line: Callable[..., str] = "{:<28}{:>9.2f} s{:>12,.0f} rows/s{:>17}".format
        print(f"{'run':<28}{'total':>11}{'rate':>19}{'× fastest bare':>17}   phases")
        for label, seconds in bare.items():
            print(line(label, seconds, options.rows / seconds, f"{seconds / floor:.1f}×"))
        missed = []
        for label, content, filename, use_bulk_create in files:
            seconds, checked, result = timed_import(enterprise, content, filename, bulk_create=use_bulk_create)
            assert result.imported == options.rows
            print(line(f"import {label}", seconds, options.rows / seconds, f"{seconds / floor:.1f}×")
                  + f"   read+check {checked:.2f} s, write+audit {seconds - checked:.2f} s")
            if not use_bulk_create and seconds > TARGET_SECONDS:
                missed.append(label)
            if label == "csv":
                # The import job then classifies the new people (workforce.tasks.import_roster_task).
                classified = timed_classification(enterprise)
                print(line("  then classify them", classified, options.rows / classified, "")
                      + f"   whole job {seconds + classified:.2f} s")
        clear_people()
        print(f"\nTarget: ≤ {TARGET_SECONDS:.0f} s for {options.rows:,} rows with full validation — "
              + ("met." if not missed else f"MISSED by: {', '.join(missed)}."))
        return 1 if missed else 0
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
