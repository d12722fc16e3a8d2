"""Check-ins partitioned by month on PostgreSQL (issue 6, item 6): the table is partitioned, a
check-in lands in its month's partition, the upsert on (person, date, slot) still updates, months
are created ahead (taking along rows that waited in the default partition) and whole months past
the retention are dropped. On SQLite nothing is partitioned and the maintenance does nothing."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from fugong.accounts.models import User
from fugong.health import partitions
from fugong.health.checkin_tasks import ensure_checkin_partitions
from fugong.health.models import Alert, CheckIn
from fugong.health.services import checkin_batch, checkin_record
from fugong.policy.parameters import SHANGHAI
from fugong.workforce.models import Person

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.postgres


def partition_of(checkin_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM health_checkin WHERE id = %s", [checkin_id])
        return str(cursor.fetchone()[0])


def attached() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'health_checkin'::regclass")
        return {row[0] for row in cursor.fetchall()}


@on_postgres
def test_the_check_ins_table_is_partitioned_by_month_with_a_default_partition() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'health_checkin'::regclass")
        assert cursor.fetchone() == ("r",)  # by range (of date)
    month = partitions.Month.of(timezone.localdate())
    # This month and the next three exist from the migration on, and the default catches the rest
    assert {month.name, month.next().name, month.next().next().next().name, "health_checkin_default"} <= attached()
    assert partitions.is_partitioned()


@on_postgres
def test_a_check_in_lands_in_the_partition_of_its_month(staff: dict[str, Person]) -> None:
    result = checkin_record(person=staff["colleague"], temperature="36.5", acting_user=User.objects.get(username="ent_admin"))
    checkin = CheckIn.objects.get(pk=result.checkin.pk)
    assert partition_of(checkin.pk) == partitions.Month.of(checkin.date).name


@on_postgres
def test_the_same_person_date_and_slot_still_updates_the_one_check_in(staff: dict[str, Person]) -> None:
    user = User.objects.get(username="ent_admin")
    now = timezone.now()
    # Given a check-in through the API's batch path (the one-statement upsert)
    [first] = checkin_batch(items=[{"person": staff["colleague"].pk, "temperature": "36.4"}], acting_user=user, now=now)
    # When the same slot is checked again, in a batch and then one by one
    [again] = checkin_batch(items=[{"person": staff["colleague"].pk, "temperature": "36.6"}], acting_user=user, now=now)
    single = checkin_record(person=staff["colleague"], temperature="36.7", at=now, acting_user=user)
    # Then there is still one row, with the last temperature, and the later calls said "updated"
    assert first.created and not again.created and not single.created
    assert again.id == first.id == single.checkin.pk
    rows = CheckIn.objects.filter(person=staff["colleague"], date=timezone.localdate(now))
    assert [(row.pk, row.temperature) for row in rows] == [(first.id, Decimal("36.7"))]


@on_postgres
def test_a_month_created_later_takes_its_rows_out_of_the_default_partition(staff: dict[str, Person]) -> None:
    # Given a check-in of February 2020, a month that has no partition: it waits in the default one
    moment = datetime(2020, 2, 10, 8, 0, tzinfo=SHANGHAI)
    [result] = checkin_batch(items=[{"person": staff["colleague"].pk, "temperature": "36.4"}],
                             acting_user=User.objects.get(username="ent_admin"), now=moment)
    assert partition_of(result.id) == "health_checkin_default"
    # When the partitions of February 2020 and the next month are ensured
    created = partitions.ensure_partitions(today=date(2020, 2, 1), months_ahead=1)
    # Then both are created, the row moved into February's, and a second run creates nothing
    assert created == ["health_checkin_y2020m02", "health_checkin_y2020m03"]
    assert partition_of(result.id) == "health_checkin_y2020m02"
    assert CheckIn.objects.get(pk=result.id).temperature == Decimal("36.4")
    assert partitions.ensure_partitions(today=date(2020, 2, 1), months_ahead=1) == []


@on_postgres
def test_the_command_and_the_beat_task_create_the_coming_months_ahead(tasks_in_process: Any) -> None:
    out = StringIO()
    # The task (daily on beat) ensures this month and three ahead: made by the migration already
    assert ensure_checkin_partitions.delay().get() == {"created": [], "dropped": []}
    # The command with more months creates the missing ones and says which
    call_command("ensure_checkin_partitions", "--months", "5", stdout=out)
    month = partitions.Month.of(timezone.localdate())
    for _ in range(4):
        month = month.next()
    assert month.name in out.getvalue() and month.next().name in out.getvalue()
    assert {month.name, month.next().name} <= attached()


@on_postgres
def test_whole_months_past_the_retention_are_dropped_and_their_alerts_unlinked(staff: dict[str, Person]) -> None:
    user = User.objects.get(username="ent_admin")
    partitions.ensure_partitions(today=date(2020, 1, 1), months_ahead=1)
    # Given a fever check-in of January 2020 (with its alert) and a check-in of February
    [fever] = checkin_batch(items=[{"person": staff["colleague"].pk, "temperature": "38.2"}], acting_user=user,
                            now=datetime(2020, 1, 20, 8, 0, tzinfo=SHANGHAI))
    [february] = checkin_batch(items=[{"person": staff["neighbour"].pk, "temperature": "36.5"}],
                               acting_user=User.objects.get(username="admin"), now=datetime(2020, 2, 3, 8, 0, tzinfo=SHANGHAI))
    alert = Alert.objects.get(checkin_id=fever.id)
    # When check-ins are kept 30 days, on 5 March 2020
    dropped = partitions.drop_expired_partitions(retention_days=30, today=date(2020, 3, 5))
    # Then January (wholly before 4 February) is gone, February (partly within) stays
    assert dropped == ["health_checkin_y2020m01"]
    assert not CheckIn.objects.filter(pk=fever.id).exists() and CheckIn.objects.filter(pk=february.id).exists()
    alert.refresh_from_db()
    assert alert.checkin_id is None
    # And a retention of 0 keeps everything
    assert partitions.drop_expired_partitions(retention_days=0, today=date(2030, 1, 1)) == []


@pytest.mark.skipif(connection.vendor == "postgresql", reason="what SQLite does instead; the PostgreSQL tests above cover the rest")
def test_on_sqlite_nothing_is_partitioned_and_the_maintenance_does_nothing() -> None:
    assert not partitions.is_partitioned()
    assert partitions.ensure_partitions() == []
    assert partitions.drop_expired_partitions(retention_days=1) == []
    out = StringIO()
    call_command("ensure_checkin_partitions", stdout=out)
    assert "未分区" in out.getvalue()
