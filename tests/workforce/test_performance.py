"""A 100,000-row roster with full validation. The target is 20 s (issue 4); this test allows 60 s
so that a busy CI machine does not fail it, and prints the time. ``bench/roster_import.py``
measures against the 20-s target and against a bare INSERT of the same rows."""

from __future__ import annotations

import time

import pytest

from fugong.workforce.importers import RosterImporter
from fugong.workforce.models import Person
from tests.workforce.factories import many_csv

# The demo's people of ent_admin's enterprise are out of the way: the test counts what it wrote.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_rosters")]

ROWS = 100_000


def test_a_100_000_row_roster_imports_with_full_validation_within_a_minute(own_enterprise):
    # Given a CSV of 100,000 valid rows (generated before the clock starts)
    content = many_csv(ROWS)
    progress: list[int] = []
    # When it is imported
    started = time.perf_counter()
    result = RosterImporter(enterprise=own_enterprise, progress=lambda done, total: progress.append(done)).run(content, "roster.csv")
    seconds = time.perf_counter() - started
    print(f"\n{ROWS:,} rows imported in {seconds:.1f} s ({ROWS / seconds:,.0f} rows/s)")
    # Then every row is in, progress was reported along the way, and it took less than a minute
    assert (result.error, result.imported, len(result.refused)) == ("", ROWS, 0)
    assert Person.objects.filter(enterprise=own_enterprise).count() == ROWS
    assert len(progress) >= 40 and progress[-1] == 2 * ROWS
    assert seconds <= 60
