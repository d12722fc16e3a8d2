"""The database router: reads go to the replica only when asked for and safe; writes, and the
reads of a request (or a browser) that wrote, go to the primary."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from fugong.core import routers
from fugong.core.routers import PIN_COOKIE, PrimaryReplicaRouter, ReplicaRoutingMiddleware, independent_of_request, reading_from_replica
from fugong.enterprises.models import Enterprise

router = PrimaryReplicaRouter()


@pytest.fixture
def replica(monkeypatch: pytest.MonkeyPatch) -> None:
    """A replica configured, and no transaction open on the primary."""
    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    monkeypatch.setattr(routers, "primary_in_transaction", lambda: False)


def test_without_a_replica_everything_uses_the_primary() -> None:
    with reading_from_replica() as alias:
        assert alias == "default" and router.db_for_read(Enterprise) is None
    assert router.db_for_write(Enterprise) == "default"


@pytest.mark.usefixtures("replica")
def test_reads_go_to_the_replica_only_inside_reading_from_replica() -> None:
    assert router.db_for_read(Enterprise) is None  # None: Django's default, the primary
    with reading_from_replica() as alias:
        assert alias == "replica" and router.db_for_read(Enterprise) == "replica"
        # Writes inside still go to the primary
        assert router.db_for_write(Enterprise) == "default"
    assert router.db_for_read(Enterprise) is None


@pytest.mark.usefixtures("replica")
def test_it_is_also_a_decorator() -> None:
    @reading_from_replica()
    def dashboard() -> str | None:
        return router.db_for_read(Enterprise)

    assert dashboard() == "replica"


def test_an_open_transaction_on_the_primary_keeps_the_reads_there(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    monkeypatch.setattr(routers, "primary_in_transaction", lambda: True)
    with reading_from_replica() as alias:
        assert alias == "default"


def test_only_the_primary_is_migrated() -> None:
    assert router.allow_migrate("default", "enterprises") is True
    assert router.allow_migrate("replica", "enterprises") is False


@pytest.mark.usefixtures("replica")
def test_a_request_that_wrote_reads_its_own_write_from_the_primary_and_pins_the_browser() -> None:
    seen: dict[str, str] = {}

    def view(request: Any) -> HttpResponse:
        with reading_from_replica():
            seen["before"] = routers.read_alias()
            router.db_for_write(Enterprise)  # the request writes
            seen["after"] = routers.read_alias()
        return HttpResponse("ok")

    response = ReplicaRoutingMiddleware(view)(RequestFactory().post("/enterprises/1/edit/"))
    assert seen == {"before": "replica", "after": "default"}
    # The browser reads from the primary for the next seconds (the redirect after the POST)
    cookie = response.cookies[PIN_COOKIE]
    assert cookie.value == "1" and cookie["max-age"] == 10 and cookie["httponly"]
    # And the pin does not outlive the request in this thread
    with reading_from_replica() as alias:
        assert alias == "replica"


@pytest.mark.usefixtures("replica")
def test_a_pinned_browser_reads_from_the_primary() -> None:
    seen: list[str] = []

    def view(request: Any) -> HttpResponse:
        with reading_from_replica():
            seen.append(routers.read_alias())
        return HttpResponse("ok")

    middleware = ReplicaRoutingMiddleware(view)
    request = RequestFactory().get("/dashboard/")
    request.COOKIES[PIN_COOKIE] = "1"
    response = middleware(request)
    assert PIN_COOKIE not in response.cookies  # nothing written now: the pin is not renewed
    middleware(RequestFactory().get("/dashboard/"))
    assert seen == ["default", "replica"]


@pytest.mark.usefixtures("replica")
def test_the_session_row_does_not_pin() -> None:
    from django.contrib.sessions.models import Session

    def view(request: Any) -> HttpResponse:
        router.db_for_write(Session)
        return HttpResponse("ok")

    assert PIN_COOKIE not in ReplicaRoutingMiddleware(view)(RequestFactory().get("/")).cookies


@pytest.mark.usefixtures("replica")
def test_a_background_job_is_independent_of_the_request_it_runs_in() -> None:
    seen: list[str] = []

    def view(request: Any) -> HttpResponse:
        router.db_for_write(Enterprise)  # the request created the job
        with independent_of_request(), reading_from_replica():
            seen.append(routers.read_alias())
            router.db_for_write(Enterprise)  # the job's progress: no pin for the request either
        seen.append(routers.read_alias())
        return HttpResponse("ok")

    ReplicaRoutingMiddleware(view)(RequestFactory().post("/exports/start/"))
    assert seen == ["replica", "default"]


def test_settings_add_the_replica_only_when_its_url_is_set() -> None:
    from django.conf import settings

    assert settings.DATABASE_ROUTERS == ["fugong.core.routers.PrimaryReplicaRouter"]
    assert ("replica" in settings.DATABASES) == ("fugong.core.routers.ReplicaRoutingMiddleware" in settings.MIDDLEWARE)
