"""Shared fixtures. The demo data (河源市源城区·高新区 and 鹤山市) is seeded once per session into
the test database; every test runs inside a transaction that is rolled back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings

from fugong.accounts.models import User
from fugong.core.demo import DEMO_PASSWORD, seed_demo

DEMO_SCALE = 0.25


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Uploads of the whole session (the demo's attachments included) go to a temporary folder,
    not to var/media."""
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any, _media_root: Any) -> None:
    with django_db_blocker.unblock():
        # A compact demo: every application state and every role's queue, fewer plain approvals
        # than `fugong demo` plays (each is a dozen service calls), so a test session starts quickly.
        seed_demo(scale=DEMO_SCALE)


@pytest.fixture(autouse=True)
def _quiet_request_log() -> Any:
    # 403/404 answers are expected in access tests; their log lines are noise.
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


@pytest.fixture
def tasks_in_process() -> Any:
    """Celery tasks run in the calling process (eager) even where a broker is configured: CI has
    Redis but no worker of its own (tests/test_celery_worker.py starts one to prove that path),
    and a test must see what the task wrote inside its own transaction."""
    from fugong.celery import app

    kept = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = kept


@pytest.fixture
def users(db: Any) -> Callable[[str], User]:
    return lambda username: User.objects.get(username=username)


@pytest.fixture
def client_for(db: Any) -> Callable[[str], Client]:
    """A test client logged in as one of the demo accounts."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    return make


@pytest.fixture
def demo_password() -> str:
    return DEMO_PASSWORD


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Tests marked ``postgres`` prove PostgreSQL-only behaviour (triggers, row history). On the
    embedded SQLite default they cannot run; CI runs them on PostgreSQL."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
        return
    marker = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… (CI does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(marker)
