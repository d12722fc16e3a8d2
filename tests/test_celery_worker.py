"""The background jobs on the real stack: a Celery worker process, fed through Redis, answering
through Redis, working on PostgreSQL. The other tests run tasks in process (CI has Redis but no
worker of its own); this one starts a worker and sends it the hourly purge of the check-in API's
idempotency keys, as beat would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
BIN = Path(sys.executable).parent


@pytest.fixture
def worker(tmp_path: Path) -> Any:
    if not os.environ.get("REDIS_URL"):
        pytest.fail("this test needs REDIS_URL (CI sets it with DATABASE_URL): a worker needs a broker")
    db = settings.DATABASES["default"]
    # The worker reads the session's test database, where the demo was committed.
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{db['NAME']}").geturl()
    env = {**os.environ, "DATABASE_URL": url, "FUGONG_VAR_DIR": str(tmp_path)}
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [str(BIN / "celery"), "-A", "fugong", "worker", "--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle",
         "-l", "info"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_a_worker_runs_a_scheduled_job_sent_through_redis(worker: Any) -> None:
    from fugong.celery import app
    from fugong.health.checkin_tasks import purge_idempotent_requests

    # Given the application as configured in CI: a broker, no eager execution
    assert not app.conf.task_always_eager and app.conf.broker_url.startswith("redis://")
    # When the purge is sent as beat sends it
    result = purge_idempotent_requests.delay()
    # Then a worker took it from Redis, ran it against PostgreSQL and answered (nothing is a day
    # old in the test database, so nothing was purged)
    assert result.get(timeout=90) == 0
    assert result.status == "SUCCESS"
