from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection


@pytest.fixture
def tamper(db: Any) -> Callable[..., None]:
    """Run raw SQL against the audit table the way an intruder with database access would.

    On PostgreSQL the append-only triggers must be switched off first (inside the test's
    transaction, so they come back on when it is rolled back)."""

    def run(sql: str, params: list[Any] | None = None) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
            cursor.execute(sql, params or [])
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")

    return run
