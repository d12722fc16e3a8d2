"""Beyond one machine, on this one: a PostgreSQL primary with a streaming replica, two granian web
nodes configured with both (``DATABASE_URL`` and ``DATABASE_REPLICA_URL``), and an export job
whose reads go to the replica while every write goes to the primary.

The test makes its own throw-away cluster (initdb, ``pg_basebackup -R`` with a replication slot,
both servers on free ports, statements logged) so it never touches the server the suite runs on.
PostgreSQL refuses to run as root: as root (CI) the servers run as the ``postgres`` system user.
It needs the PostgreSQL server binaries (Debian's postgresql package) and fails saying so without them.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.postgres]

BIN = Path(sys.executable).parent
PASSWORD = "Replica-test-2020"


def _pg_bin() -> Path | None:
    for found in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0,
                        reverse=True):
        if (Path(found) / "initdb").exists():
            return Path(found)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """A primary and its streaming standby in a temporary folder, run as a non-root user."""

    def __init__(self, pg_bin: Path, root: Path) -> None:
        self.pg_bin, self.root = pg_bin, root
        self.primary, self.standby = root / "primary", root / "standby"
        self.primary_port, self.standby_port = _free_port(), _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            owner = pwd.getpwnam("postgres")
            os.chown(root, owner.pw_uid, owner.pw_gid)

    def run(self, *args: str | Path) -> None:
        subprocess.run([*self.as_user, *(str(a) for a in args)], check=True, capture_output=True, timeout=60)

    def options(self, port: int) -> str:
        return (f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} -c fsync=off "
                "-c wal_level=replica -c max_wal_senders=4 -c max_replication_slots=4 -c hot_standby=on -c log_statement=all")

    def start(self) -> None:
        self.run(self.pg_bin / "initdb", "-D", self.primary, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale")
        self.run(self.pg_bin / "pg_ctl", "-D", self.primary, "-l", self.root / "primary.log", "-w", "-o", self.options(self.primary_port), "start")
        self.run(self.pg_bin / "psql", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres", "-c", "CREATE DATABASE fugong")
        # The standby: a base backup that writes its own primary_conninfo (-R), kept by a slot (-C -S)
        self.run(self.pg_bin / "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres", "-D", self.standby,
                 "-R", "-X", "stream", "-c", "fast", "-C", "-S", "fugong_standby")
        self.run(self.pg_bin / "pg_ctl", "-D", self.standby, "-l", self.root / "standby.log", "-w", "-o", self.options(self.standby_port), "start")

    def stop(self) -> None:
        for data in (self.standby, self.primary):
            if (data / "postmaster.pid").exists():
                subprocess.run([*self.as_user, str(self.pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                               capture_output=True, timeout=60, check=False)

    def url(self, port: int) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/fugong"

    def query(self, port: int, sql: str) -> Any:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=fugong", autocommit=True) as connection:
            return connection.execute(sql).fetchone()[0]

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    pg_bin = _pg_bin()
    # The suite runs on PostgreSQL here (the test is marked so): its server package is what this
    # test needs, and a missing piece is said, never skipped.
    assert pg_bin is not None, "the PostgreSQL server binaries (initdb) are missing: apt-get install postgresql"
    if os.geteuid() == 0:
        assert shutil.which("runuser") and _has_user("postgres"), \
            "as root, PostgreSQL runs as the postgres system user through runuser: apt-get install postgresql util-linux"
    root = Path(tempfile.mkdtemp(prefix="fugong-replica-"))
    cluster = Cluster(pg_bin, root)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _wait_for_replay(cluster: Cluster, timeout: float = 20) -> None:
    """Until the standby has replayed the setup's enterprise (written on the primary)."""
    import psycopg

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if cluster.query(cluster.standby_port, "SELECT count(*) FROM enterprises_enterprise") == 1:
                return
        except psycopg.errors.UndefinedTable:
            pass
        time.sleep(0.2)
    raise AssertionError("the standby never replayed the setup")


SETUP = """
from django.core.management import call_command
from stdnum.cn import uscc
from fugong.accounts.models import User
from fugong.enterprises.models import Enterprise
from fugong.regions.models import Region
from fugong.regions.services import load_divisions

call_command("migrate", interactive=False, verbosity=0)
load_divisions(["441602"])
town = Region.objects.filter(level="town", parent__code="441602").order_by("code").first()
body = "91441602MA0000001"
Enterprise.objects.create(name="副本可见测试有限公司", uscc=body + uscc.calc_check_digit(body), sector="industry", size="below",
                          address="高新区科技大道1号", region=town, town=town, legal_representative="张三", contact_name="李四",
                          contact_phone="13800000000")
User.objects.create_superuser("replica_admin", password="{password}")
"""


@pytest.fixture
def web_nodes(cluster: Cluster) -> Iterator[list[str]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "REDIS_", "CELERY_"))}
    env |= {"FUGONG_ENV": "test", "FUGONG_VAR_DIR": str(cluster.root / "var"), "DATABASE_URL": cluster.url(cluster.primary_port),
            "DATABASE_CONN_MAX_AGE": "0", "SECRET_KEY": "replica-test-" + "x" * 40, "FIELD_ENCRYPTION_KEYS": "k1:" + "A" * 43 + "=",
            "BLIND_INDEX_KEY": "replica-test-blind-index", "PASS_SIGNING_KEY": "replica-test-pass-signing"}
    # Both nodes: the primary for writes, the replica for the reads that ask for it, files on one
    # shared folder. They start (import the application) while the primary is migrated.
    web_env = env | {"DATABASE_REPLICA_URL": cluster.url(cluster.standby_port)}
    processes: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    try:
        for number in (1, 2):
            port = _free_port()
            log = (cluster.root / f"web{number}.log").open("wb")
            processes.append(subprocess.Popen(
                [str(BIN / "granian"), "--interface", "wsgi", "fugong.wsgi:application", "--host", "127.0.0.1", "--port", str(port),
                 "--workers", "1", "--no-ws"], env=web_env, stdout=log, stderr=subprocess.STDOUT, cwd=cluster.root,
                start_new_session=True))  # its own process group: the server and its worker are stopped together
            urls.append(f"http://127.0.0.1:{port}")
        # The primary's schema and a little data, in one process (one start of Django)
        subprocess.run([str(BIN / "fugong"), "shell", "-c", SETUP.replace("{password}", PASSWORD)], env=env, check=True, timeout=300,
                       capture_output=True)
        _wait_for_replay(cluster)
        for url in urls:
            _wait_for_http(url + "/accounts/login/")
        yield urls
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def _wait_for_http(url: str, timeout: float = 45) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=10).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still importing the application
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


def _csrf(session: Any, url: str) -> str:
    page = session.get(url, timeout=10).text
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, "no CSRF token on " + url
    return found.group(1)


def test_exports_read_from_the_streaming_replica_and_write_to_the_primary(cluster: Cluster, web_nodes: list[str]) -> None:
    import io

    import requests
    from openpyxl import load_workbook

    node1, node2 = web_nodes
    # Given a real streaming standby of the primary
    assert cluster.query(cluster.standby_port, "SELECT pg_is_in_recovery()") is True
    assert cluster.query(cluster.primary_port, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == 1
    # And a user signed in on node 1 (the session lives in the primary: node 2 knows it too)
    browser = requests.Session()
    token = _csrf(browser, node1 + "/accounts/login/")
    signed_in = browser.post(node1 + "/accounts/login/", data={"username": "replica_admin", "password": PASSWORD, "csrfmiddlewaretoken": token},
                             headers={"Referer": node1 + "/accounts/login/"}, allow_redirects=False, timeout=10)
    assert signed_in.status_code == 302
    token = _csrf(browser, node1 + "/enterprises/")
    primary_before, standby_before = len(cluster.log("primary")), len(cluster.log("standby"))

    # When they export the enterprise ledger from node 1 (no broker: the job runs in that node)
    started = browser.post(node1 + "/exports/start/", data={"path": "/enterprises/", "query": "", "csrfmiddlewaretoken": token},
                           headers={"Referer": node1 + "/enterprises/"}, allow_redirects=False, timeout=30)
    assert started.status_code == 302, started.text[:500]
    job_url = started.headers["Location"]
    # The request wrote (the job): the browser is pinned to the primary for its next reads
    assert started.cookies.get("fugong_primary") == "1"

    # Then node 2 shows the finished job and serves its file, whose row was written on the primary
    # and read back from the standby
    page = browser.get(node2 + job_url, timeout=10)
    assert page.status_code == 200 and 'data-testid="export-done"' in page.text
    download = browser.get(node2 + job_url + "download/", timeout=10)
    assert download.status_code == 200
    rows = list(load_workbook(io.BytesIO(download.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["副本可见测试有限公司"]

    # And the statements say who served what: the ledger's read on the standby, the job's writes on the primary
    primary_log, standby_log = cluster.log("primary")[primary_before:], cluster.log("standby")[standby_before:]
    assert 'FROM "enterprises_enterprise"' in standby_log
    assert 'FROM "enterprises_enterprise"' not in primary_log
    assert 'INSERT INTO "exports_exportjob"' in primary_log and 'UPDATE "exports_exportjob"' in primary_log
    assert "exports_exportjob" not in standby_log.replace('FROM "exports_exportjob"', "")  # the standby only ever read
    # Every other page read stays on the primary (no replica reads were asked for there)
    assert 'FROM "django_session"' in primary_log and 'FROM "django_session"' not in standby_log
