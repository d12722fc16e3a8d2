"""`fugong verify_audit` as an operator or a cron job runs it: a real process against a real database file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

FUGONG = Path(sys.executable).with_name("fugong")


@pytest.fixture(scope="module")
def fugong(tmp_path_factory: pytest.TempPathFactory):
    """Run the installed ``fugong`` command against a fresh embedded database of its own."""
    var = tmp_path_factory.mktemp("var")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(FUGONG_ENV="test", FUGONG_VAR_DIR=str(var))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(FUGONG), *args], env=env, capture_output=True, text=True, timeout=120, check=False)

    migrated = run("migrate", "audit", "-v0")  # the audit tables are all this needs
    assert migrated.returncode == 0, migrated.stderr
    written = run("shell", "-c", "from fugong.audit.services import record\nfor n in range(4): record(action='test.event', data={'n': n})")
    assert written.returncode == 0, written.stderr
    run.database = var / "fugong.sqlite3"  # type: ignore[attr-defined]
    return run


def test_verify_audit_exits_zero_and_says_so_on_an_intact_log(fugong):
    result = fugong("verify_audit")
    assert result.returncode == 0, result.stderr
    assert "审计链完整：共 4 条记录" in result.stdout


def test_verify_audit_exits_one_and_names_the_entry_after_an_edit_in_the_database_file(fugong):
    # Given someone who edited entry 2 directly in the database file
    with sqlite3.connect(fugong.database) as db:
        db.execute("UPDATE audit_auditentry SET action = 'test.harmless' WHERE seq = 2")
    # When the operator runs the check
    result = fugong("verify_audit")
    # Then it fails loudly and says which entry
    assert result.returncode == 1
    assert "第 2 条记录内容与哈希不符" in result.stderr
