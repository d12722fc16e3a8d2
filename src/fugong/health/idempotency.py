"""Idempotency-Key for the check-in API: a retry after a lost answer replays it exactly.

The first answer to a key is stored (:class:`fugong.health.models.IdempotentRequest`: user, key,
SHA-256 of the canonical body, status, body) in the same transaction as the check-ins it
reports, so either both are there or neither is. The same key with the same body replays it;
with another body it is refused (409). Two requests racing with one key: the unique (user, key)
constraint lets one commit; the other's transaction — its check-ins included — rolls back and it
replays the winner's answer (or gets 409 if its body differs).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fugong.health.models import IdempotentRequest

MAX_KEY_LENGTH = 128
CONFLICT = "该幂等键（Idempotency-Key）已用于内容不同的请求，未作任何更改；新的请求请使用新的幂等键。"


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    replayed: bool = False


def body_hash(data: Any) -> str:
    """SHA-256 of the body as canonical JSON: key order and spacing do not make another body."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()


def _stored(user: Any, key: str, digest: str) -> Answer | None:
    found = IdempotentRequest.objects.filter(user=user, key=key).only("body_hash", "status", "response").first()
    if found is None:
        return None
    if found.body_hash != digest:
        return Answer(409, {"detail": CONFLICT})
    return Answer(found.status, found.response, replayed=True)


def run_once(*, user: Any, key: str, data: Any, work: Callable[[], Answer]) -> Answer:
    """The answer to the request (``work`` runs inside the transaction that stores it), or the
    stored answer of an earlier request with the same key: a replay, or 409 for another body."""
    digest = body_hash(data)
    earlier = _stored(user, key, digest)
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            answer = work()
            if 200 <= answer.status < 300:
                # Last, so that the unique constraint is held only for the commit; a racing
                # request with this key waits here and then fails as a whole.
                IdempotentRequest.objects.create(user=user, key=key, body_hash=digest, status=answer.status, response=answer.body)
            return answer
    except IntegrityError:
        # Another request with this key committed first; this one's check-ins are gone with its
        # transaction. Answer as that one did.
        earlier = _stored(user, key, digest)
        if earlier is None:
            raise
        return earlier


def purge(*, older_than: timedelta, now: Any = None) -> int:
    """Forget the answers kept longer than ``older_than``; how many."""
    cutoff = (now or timezone.now()) - older_than
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
