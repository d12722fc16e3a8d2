"""Token authentication for the check-in endpoint, remembered for a few seconds in the process.

A gate device or a phone app posts a check-in every few seconds; looking its token, its user and
the user's memberships up again for each one is two of the four queries of the request. Here a
successful look-up is kept ``FUGONG_API_AUTH_CACHE_SECONDS`` (10 s by default; off in the test
suite) together with the user's scope, keyed by the token's SHA-256.

What that costs, and why it is acceptable for this endpoint: a revoked or expired token, a
deactivated account or a withdrawn membership still records check-ins in *other* processes for at
most those seconds (the process that saves the change forgets at once: ``forget`` is connected to
saves and deletions of tokens, users and memberships). Expiry is checked on every request. What
the token reaches is still decided per item by ``Person.objects.recordable_by`` in the database.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings

from fugong.accounts.authentication import HashedTokenAuthentication
from fugong.accounts.models import ApiToken, hash_token
from fugong.accounts.scope import scope_of

MAX_ENTRIES = 10_000  # a county's devices and apps, with room; past it the cache starts again

_entries: dict[str, tuple[float, Any, ApiToken]] = {}
_lock = threading.Lock()


def forget(**_: Any) -> None:
    """Forget every remembered token (a receiver of token, user and membership changes)."""
    with _lock:
        _entries.clear()


class CachedTokenAuthentication(HashedTokenAuthentication):
    """:class:`HashedTokenAuthentication`, remembered for a few seconds per process."""

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        seconds = getattr(settings, "FUGONG_API_AUTH_CACHE_SECONDS", 0)
        if seconds <= 0:
            return super().authenticate_credentials(key)
        digest = hash_token(key)
        now = time.monotonic()
        hit = _entries.get(digest)
        if hit is not None and hit[0] > now and hit[2].is_usable:
            return _clone(hit[1]), hit[2]
        user, token = super().authenticate_credentials(key)
        scope_of(user)  # computed now, kept on the user object remembered below
        with _lock:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[digest] = (now + seconds, user, token)
        return _clone(user), token


def _clone(user: Any) -> Any:
    """A shallow copy per request (what request handling sets on the user stays with the request);
    the scope computed once is shared, it is immutable. ``copy.copy`` of a model instance goes
    through pickling's protocol, twenty times slower."""
    clone = user.__class__.__new__(user.__class__)
    clone.__dict__.update(user.__dict__)
    return clone
