"""The primary and an optional streaming replica: who reads where.

Everything reads and writes the primary (``default``) unless two things hold:

1. ``DATABASE_REPLICA_URL`` is set (it becomes ``DATABASES["replica"]``), and
2. the code asked for it explicitly with :func:`reading_from_replica` — dashboards, rollups and
   export jobs: heavy reads that may be a moment behind.

Even inside :func:`reading_from_replica` a read goes to the primary when it has to see a write
("read your own write"):

- the request has written something itself (any model but the session: :class:`PrimaryReplicaRouter`
  notes every write while :class:`ReplicaRoutingMiddleware` follows a request);
- the browser wrote in one of its last requests: the middleware pins it to the primary for
  ``DATABASE_REPLICA_PIN_SECONDS`` with a cookie (a POST, then the redirect's GET);
- the primary's connection is inside a transaction (uncommitted rows are visible only there).

Writes always go to the primary; migrations run only there (the replica follows by streaming).
A background job (an export task) does not inherit the pin of the request that started it: see
:func:`independent_of_request`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "fugong_primary"
# Writes that do not pin a request to the primary: the session row is written on nearly every request.
UNPINNING_APPS = frozenset({"sessions"})

_replica_wanted: ContextVar[bool] = ContextVar("fugong_replica_wanted", default=False)
_pinned: ContextVar[bool] = ContextVar("fugong_pinned_to_primary", default=False)  # by a recent write (cookie)
_wrote: ContextVar[bool] = ContextVar("fugong_request_wrote", default=False)
_tracking: ContextVar[bool] = ContextVar("fugong_tracking_writes", default=False)


def replica_configured() -> bool:
    """Whether a replica is configured (``DATABASE_REPLICA_URL``)."""
    return REPLICA in settings.DATABASES


def primary_in_transaction() -> bool:
    """Whether the primary's connection is inside a transaction (its rows may be uncommitted)."""
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


def read_alias() -> str:
    """The alias a read made now would use (for ``.using()``, logging and the tests)."""
    if not _replica_wanted.get() or _pinned.get() or _wrote.get() or not replica_configured() or primary_in_transaction():
        return DEFAULT_DB_ALIAS
    return REPLICA


@contextmanager
def reading_from_replica() -> Iterator[str]:
    """Send the ORM's reads inside the block (or the decorated function) to the streaming replica.

    For dashboards, rollups and export jobs: reads that are heavy and may be a second behind.
    Writes inside still go to the primary, and reads go there too whenever they must see a write
    (the request wrote, the browser wrote a moment ago, a transaction is open on the primary);
    without ``DATABASE_REPLICA_URL`` everything stays on the primary. Yields the alias the reads
    use at entry. Usable as ``with reading_from_replica():`` or ``@reading_from_replica()``::

        with reading_from_replica():
            counts = Enterprise.objects.for_user(user).values("status").annotate(n=Count("pk"))
    """
    token = _replica_wanted.set(True)
    try:
        yield read_alias()
    finally:
        _replica_wanted.reset(token)


@contextmanager
def independent_of_request() -> Iterator[None]:
    """A background job's own routing: not pinned by, and not pinning, the request it may run in
    (Celery runs tasks eagerly inside the request without a broker; a worker has no request)."""
    tokens = (_pinned.set(False), _wrote.set(False), _tracking.set(False), _replica_wanted.set(False))
    try:
        yield
    finally:
        for var, token in zip((_pinned, _wrote, _tracking, _replica_wanted), tokens, strict=True):
            var.reset(token)  # type: ignore[attr-defined]


def pinned_to_primary() -> bool:
    """Whether this request wrote (or was pinned by a recent write): its reads stay on the primary."""
    return _pinned.get() or _wrote.get()


class PrimaryReplicaRouter:
    """``settings.DATABASE_ROUTERS``: reads to the replica only inside :func:`reading_from_replica`
    and when safe (:func:`read_alias`); every write to the primary, noting it for the request."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        alias = read_alias()
        return alias if alias != DEFAULT_DB_ALIAS else None

    def db_for_write(self, model: Any, **hints: Any) -> str:
        if _tracking.get() and model._meta.app_label not in UNPINNING_APPS:
            _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaRoutingMiddleware:
    """Follows one request for the router (installed when a replica is configured): a browser
    that wrote in the last ``DATABASE_REPLICA_PIN_SECONDS`` reads from the primary; a request that
    writes sets (or renews) that pin for the requests that follow (the redirect after a POST)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.seconds = int(getattr(settings, "DATABASE_REPLICA_PIN_SECONDS", 10))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pinned = request.COOKIES.get(PIN_COOKIE) == "1"
        tokens = (_pinned.set(pinned), _wrote.set(False), _tracking.set(True), _replica_wanted.set(False))
        try:
            response = self.get_response(request)
            wrote = _wrote.get()
        finally:
            for var, token in zip((_pinned, _wrote, _tracking, _replica_wanted), tokens, strict=True):
                var.reset(token)  # type: ignore[attr-defined]
        if wrote:
            response.set_cookie(PIN_COOKIE, "1", max_age=self.seconds, httponly=True, samesite="Lax",
                                secure=getattr(settings, "SESSION_COOKIE_SECURE", False))
        return response
