"""Monthly partitions of the check-ins table on PostgreSQL (issue 6, item 6).

``health_checkin`` is ``PARTITIONED BY RANGE (date)``: one partition per calendar month,
``health_checkin_y2026m12`` for December 2026, and ``health_checkin_default`` for any date no
month partition covers yet (so an insert never fails for want of a partition). Migration
``health/0002_checkin_partitioned`` turns the table into this shape; :func:`ensure_partitions`
(the management command and Celery beat task ``ensure_checkin_partitions``, daily) creates the
coming months ahead, and :func:`drop_expired_partitions` drops whole months past the retention
(``settings.FUGONG_CHECKIN_RETENTION_DAYS``; 0, the default, keeps every check-in).

Django's view of the table does not change: ``id`` stays the model's primary key (the database's
is ``(id, date)``, because the primary key of a partitioned table must contain the partition
key — see the migration's docstring for why not ``CompositePrimaryKey``). The unique key
``(person_id, date, slot)`` of the upsert contains ``date`` and so works per partition.

On SQLite (demo, tests) there are no partitions: every function here returns having done nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection as default_connection
from django.db import transaction

TABLE = "health_checkin"
DEFAULT_PARTITION = f"{TABLE}_default"
MONTHS_AHEAD = 3
_NAME = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def name(self) -> str:
        return f"{TABLE}_y{self.year:04d}m{self.month:02d}"


def is_partitioned(connection: Any = None) -> bool:
    """Whether ``health_checkin`` is a partitioned table here (PostgreSQL after the migration)."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                       "WHERE c.relname = %s AND pg_table_is_visible(c.oid)", [TABLE])
        return cursor.fetchone() is not None


def partitions(connection: Any = None) -> dict[Month, str]:
    """The month partitions attached now, by month (the default partition is not listed)."""
    connection = connection or default_connection
    if not is_partitioned(connection):
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s AND pg_table_is_visible(p.oid)", [TABLE])
        found: dict[Month, str] = {}
        for (name,) in cursor.fetchall():
            match = _NAME.match(name)
            if match:
                found[Month(int(match[1]), int(match[2]))] = name
        return found


def create_month(month: Month, connection: Any = None) -> bool:
    """Attach the partition of ``month`` if it is missing; True if it was created.

    Rows of that month already in the default partition (written before the month had its own)
    are moved into it first, in the same transaction: PostgreSQL refuses to attach a range the
    default partition holds rows of."""
    connection = connection or default_connection
    quote = connection.ops.quote_name
    start, end = month.first, month.next().first
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # One maintainer at a time (the beat task and a deploy's command may meet).
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [TABLE])
        if month in partitions(connection):
            return False
        table, part, default = quote(TABLE), quote(month.name), quote(DEFAULT_PARTITION)
        cursor.execute(f"CREATE TABLE {part} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)")
        cursor.execute(f"WITH moved AS (DELETE FROM {default} WHERE date >= %s AND date < %s RETURNING *) "  # noqa: S608 - our names
                       f"INSERT INTO {part} SELECT * FROM moved", [start, end])
        cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {part} FOR VALUES FROM (%s) TO (%s)", [start, end])
    return True


def ensure_partitions(*, today: date | None = None, months_ahead: int = MONTHS_AHEAD, connection: Any = None) -> list[str]:
    """Create the partitions of this month and the ``months_ahead`` next ones that are missing;
    the names created (none on SQLite, none when all are there)."""
    connection = connection or default_connection
    if not is_partitioned(connection):
        return []
    from django.utils import timezone

    month = Month.of(today or timezone.localdate())
    created = []
    for _ in range(months_ahead + 1):
        if create_month(month, connection):
            created.append(month.name)
        month = month.next()
    return created


def drop_expired_partitions(*, retention_days: int, today: date | None = None, connection: Any = None) -> list[str]:
    """Drop the month partitions whose every day is older than ``retention_days`` before
    ``today``; the names dropped. ``retention_days`` 0 keeps everything.

    A whole month goes at once (a ``DROP TABLE``: no row-by-row delete, no bloat, no vacuum). The
    alerts that point at its check-ins lose the link first (``Alert.checkin`` is SET_NULL, which
    Django does, not the database: no foreign key can reference a partitioned table's ``id``)."""
    connection = connection or default_connection
    if retention_days <= 0 or not is_partitioned(connection):
        return []
    from django.utils import timezone

    from fugong.health.models import Alert

    cutoff = (today or timezone.localdate()) - timedelta(days=retention_days)  # rows before this day are past retention
    quote = connection.ops.quote_name
    dropped = []
    for month, name in sorted(partitions(connection).items(), key=lambda item: item[0].first):
        if month.next().first > cutoff:
            continue
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [TABLE])
            alert = quote(Alert._meta.db_table)
            cursor.execute(f"UPDATE {alert} SET checkin_id = NULL WHERE checkin_id IN (SELECT id FROM {quote(name)})")  # noqa: S608
            # Checks deferred by this transaction first: a table with pending ones cannot be dropped.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {quote(TABLE)} DETACH PARTITION {quote(name)}")
            cursor.execute(f"DROP TABLE {quote(name)}")
        dropped.append(name)
    return dropped
