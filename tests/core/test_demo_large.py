"""``fugong demo --scale large`` (issue 6, item 6): the large county's generator, run at a tiny
size (200 enterprises, 2,000 workers, 2 days) on PostgreSQL through the command, and its refusal on
SQLite. The full size is measured by ``bench/dashboard.py``, never in the test suite."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from stdnum.cn import uscc

from fugong.core import crypto, demo_large, idcard
from fugong.core.demo import DemoAccount
from fugong.enterprises.models import Enterprise
from fugong.health.models import Alert, CheckIn
from fugong.workforce.models import ID_NUMBER_CONTEXT, Person

pytestmark = pytest.mark.django_db
COUNTY = f"/{demo_large.COUNTY_CODE}/"


def index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass", [table])
        names = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass", [table])
        return names | {row[0] for row in cursor.fetchall()}


@pytest.fixture
def tiny_large_demo(monkeypatch: pytest.MonkeyPatch) -> str:
    """``fugong demo --scale large --no-serve`` at a tiny size; the usual demo (seeded once per
    session already) is not played again."""
    account = DemoAccount("admin", "x", "admin", "管理员", "全部", "管理员")
    monkeypatch.setattr("fugong.core.management.commands.demo.seed_demo", lambda: [account])
    out = StringIO()
    call_command("demo", "--scale", "large", "--no-serve", "--large-size", "200,2000,2", stdout=out)
    return out.getvalue()


@pytest.mark.postgres
def test_the_large_county_is_built_with_valid_records_and_the_tables_as_they_were(tiny_large_demo: str) -> None:
    # Given the tables' indexes and keys before (the load drops and remakes them): compared below
    # Then 200 enterprises with valid credit codes, mostly resumed, and 2,000 workers
    enterprises = Enterprise.objects.filter(town__path__contains=COUNTY)
    assert enterprises.count() == 200
    assert all(uscc.is_valid(code) for code in enterprises.values_list("uscc", flat=True))
    assert enterprises.filter(status="resumed").count() > 120
    people = Person.objects.filter(enterprise__town__path__contains=COUNTY)
    assert people.count() == 2000
    assert sum(enterprises.values_list("headcount", flat=True)) == 2000
    # Each ID number is stored as the services store it: it decrypts, parses, and its blind index finds it
    for person in people.order_by("?")[:20]:
        number = crypto.decrypt(person.id_number_encrypted, context=ID_NUMBER_CONTEXT)
        card = idcard.parse(number)
        assert (person.id_masked, person.birth_date, person.sex) == (idcard.mask(number), card.birth_date, card.sex)
        assert Person.objects.get(id_number_index=crypto.blind_index(number, context=ID_NUMBER_CONTEXT)) == person
    # Two days and today's slots so far: twice a day, about 1.5 % missed
    checkins = CheckIn.objects.filter(enterprise__town__path__contains=COUNTY)
    today = timezone.localdate()
    full = checkins.filter(date__lt=today).count()
    assert 2000 * 2 * 2 * 0.95 < full <= 2000 * 2 * 2
    assert checkins.filter(date__lt=today - timedelta(days=2)).count() == 0
    # A fever has its alert
    fevers = checkins.filter(temperature__gte=37.3).count()
    assert Alert.objects.filter(enterprise__town__path__contains=COUNTY, kind="fever").count() == fevers
    # The command centre's rollups cover the county
    from fugong.command.models import DailyRollup

    assert DailyRollup.objects.filter(region_path__contains=COUNTY, day=today).exists()
    assert "完成" in tiny_large_demo and "s" in tiny_large_demo


@pytest.mark.postgres
def test_the_load_leaves_every_index_and_key_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    before = {table: index_names(table) for table in ("health_checkin", "workforce_person")}
    account = DemoAccount("admin", "x", "admin", "管理员", "全部", "管理员")
    monkeypatch.setattr("fugong.core.management.commands.demo.seed_demo", lambda: [account])
    call_command("demo", "--scale", "large", "--no-serve", "--large-size", "100,500,1", stdout=StringIO())
    assert {table: index_names(table) for table in before} == before
    # And a second run finds the county and adds nothing
    out = StringIO()
    call_command("demo", "--scale", "large", "--no-serve", "--large-size", "100,500,1", stdout=out)
    assert "已存在" in out.getvalue()
    assert Enterprise.objects.filter(town__path__contains=COUNTY).count() == 100


@pytest.mark.skipif(connection.vendor == "postgresql", reason="what SQLite does instead; the PostgreSQL tests above cover the rest")
def test_on_sqlite_the_large_demo_is_refused_with_a_clear_message(monkeypatch: Any) -> None:
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("demo", "--scale", "large", "--no-serve")
