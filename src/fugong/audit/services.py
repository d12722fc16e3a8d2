"""Writing to the audit log. Call :func:`record` inside the transaction of the change it records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from fugong.audit.models import AuditEntry, AuditHead, canonical_ip


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return canonical_ip(request.META.get("REMOTE_ADDR"))


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@dataclass(frozen=True)
class Actor:
    """Who acted: a user, or the system (scheduled jobs, commands)."""

    id: int | None
    name: str

    @classmethod
    def of(cls, user: Any) -> Actor:
        if user is None or not getattr(user, "is_authenticated", False):
            return cls(None, "系统")
        return cls(user.pk, (getattr(user, "display_name", "") or user.get_username())[:150])


def record(
    *,
    action: str,
    actor: Any = None,
    obj: models.Model | None = None,
    object_label: str | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one entry to the chain.

    ``obj``'s string form is kept as the label unless ``object_label`` is given; callers pass an
    explicit label (or "") for personal records so that no personal value enters the log.
    """
    who = Actor.of(actor if actor is not None else getattr(request, "user", None))
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        entry = AuditEntry(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor_id=who.id,
            actor_name=who.name,
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_label=(object_label if object_label is not None else str(obj) if obj is not None else "")[:200],
            ip=client_ip(request),
            data=_json_safe(data or {}),
            prev_hash=head.last_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
        head.last_seq, head.last_hash = entry.seq, entry.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


PERSONAL_VALUE = "***"


def changed_fields(before: dict[str, Any], after: dict[str, Any], *, personal: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The fields whose values differ, as {field: [old, new]}. For the ``personal`` fields only the
    fact of the change is kept ([PERSONAL_VALUE, PERSONAL_VALUE]): the log can never be erased."""
    return {
        key: [PERSONAL_VALUE, PERSONAL_VALUE] if key in personal else [before.get(key), after.get(key)]
        for key in after
        if before.get(key) != after.get(key)
    }
