"""Check-ins partitioned by month on PostgreSQL (issue 6, item 6); nothing changes on SQLite.

``health_checkin`` becomes ``PARTITIONED BY RANGE (date)`` with one partition per month (from the
first month holding a row to three months ahead) and a default partition; its rows, identity
sequence, constraints and indexes are carried over under the same names. New months are created
ahead by ``fugong.health.partitions.ensure_partitions`` (Celery beat, daily).

The primary key. PostgreSQL requires every unique key of a partitioned table, the primary key
included, to contain the partition key, so the database's primary key is ``(id, date)``. Django
keeps seeing ``id`` as the primary key (the model is unchanged): ids still come from one identity
sequence shared by all partitions, so ``id`` stays unique in practice, and every ``WHERE id = …``
Django writes is still correct (it probes the ``(id, date)`` index of each partition).

Not ``CompositePrimaryKey("id", "date")`` (Django 5.2), because of what it breaks:

- ``Alert.checkin``: Django 5.2 has no ``ForeignKey`` to a model with a composite primary key;
- the admin and DRF's ``ModelSerializer`` do not support composite primary keys, and ``pk``
  becomes a tuple, which changes the ``id`` the check-in API answers with;
- Django's migrations cannot turn an existing single primary key into a composite one.

What does change: ``Alert.checkin`` keeps its column and Django's ``SET_NULL`` but loses the
database's foreign key (no foreign key can reference ``id`` alone, which is no longer unique in the
database's eyes): ``db_constraint=False`` in the model, and dropping a month's partition clears
the links first (``partitions.drop_expired_partitions``).
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

TABLE = "health_checkin"
OLD = "health_checkin_unpartitioned"
MONTHS_AHEAD = 3


def _definitions(cursor: Any, table: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(name, definition) of the table's constraints other than the primary key, and the CREATE
    INDEX statements of its indexes that back no constraint."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype <> 'p' ORDER BY conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid "
        "AND k.conrelid = x.indrelid) ORDER BY i.relname",
        [table],
    )
    return constraints, [row[0] for row in cursor.fetchall()]


def _months(first: Any, last: Any) -> list[tuple[Any, Any]]:
    """(first day, first day of the next month) of every month from ``first`` to ``last``."""
    from datetime import date

    months = []
    year, month = first.year, first.month
    while date(year, month, 1) <= last:
        start = date(year, month, 1)
        year, month = year + month // 12, month % 12 + 1
        months.append((start, date(year, month, 1)))
    return months


def _rebuild(schema_editor: Any, *, partitioned: bool) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return  # SQLite (demo, tests): the table stays as it is
    from datetime import date

    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass)", [TABLE])
        if cursor.fetchone()[0] == partitioned:
            return
        constraints, indexes = _definitions(cursor, TABLE)
        cursor.execute("SELECT last_value FROM " + _sequence(cursor, TABLE))  # noqa: S608 - a sequence's name
        last_id = cursor.fetchone()[0]
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        like = f"LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE"
        if partitioned:
            cursor.execute(f"CREATE TABLE {TABLE} ({like}) PARTITION BY RANGE (date)")
            cursor.execute(f"SELECT min(date), max(date) FROM {OLD}")  # noqa: S608 - constants
            first, last = cursor.fetchone()
            today = timezone.localdate()
            ahead = date(today.year + (today.month + MONTHS_AHEAD - 1) // 12, (today.month + MONTHS_AHEAD - 1) % 12 + 1, 1)
            first = min(first or today, today)
            for start, end in _months(first, max(last or ahead, ahead)):
                cursor.execute(f"CREATE TABLE {TABLE}_y{start:%Y}m{start:%m} PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)",
                               [start, end])
            cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        else:
            cursor.execute(f"CREATE TABLE {TABLE} ({like})")
        cursor.execute(f"INSERT INTO {TABLE} OVERRIDING SYSTEM VALUE SELECT * FROM {OLD}")  # noqa: S608 - constants
        cursor.execute(f"DROP TABLE {OLD}")  # its partitions, constraints and indexes with it
        # The new identity sequence takes the old one's name and position.
        sequence = _sequence(cursor, TABLE)
        if sequence.rpartition(".")[2] != f"{TABLE}_id_seq":
            cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {TABLE}_id_seq")
        cursor.execute("SELECT setval(%s, GREATEST(%s, (SELECT coalesce(max(id), 1) FROM health_checkin)))", [f"{TABLE}_id_seq", last_id])
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY {'(id, date)' if partitioned else '(id)'}")
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
        for statement in indexes:
            cursor.execute(statement)


def _sequence(cursor: Any, table: str) -> str:
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    return str(cursor.fetchone()[0])


def partition(apps: Any, schema_editor: Any) -> None:
    _rebuild(schema_editor, partitioned=True)


def unpartition(apps: Any, schema_editor: Any) -> None:
    _rebuild(schema_editor, partitioned=False)


class Migration(migrations.Migration):

    dependencies = [
        ("health", "0001_initial"),
    ]

    operations = [
        # No foreign key can reference a partitioned table's ``id`` alone: the link stays, Django does the SET_NULL.
        migrations.AlterField(
            model_name="alert",
            name="checkin",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to="health.checkin", verbose_name="打卡记录"),
        ),
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
