"""The events that may change a flag mark it dirty (one cheap UPDATE in the writer's transaction);
the periodic job ``refresh_dirty`` recomputes those flags and their towns' rollup of today.

Connected by model, not by service, because the services belong to other apps: an application
decided or suspended, a finding filed or verified, a help request filed or closed, an alert
raised or closed, a daily report filed, a stock movement, a placement."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models.signals import post_save

# (app label, model, the path from the row to its enterprise id)
WATCHED = (
    ("resumption", "Application", "enterprise_id"),
    ("inspections", "RectificationItem", "enterprise_id"),
    ("health", "Alert", "enterprise_id"),
    ("health", "DailyReport", "enterprise_id"),
    ("quarantine", "Placement", "enterprise_id"),
    ("assistance", "HelpRequest", "enterprise_id"),
    ("materials", "StockMovement", "enterprise_id"),
)


def _receiver(field: str) -> Any:
    def mark(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if raw:  # fixtures
            return
        from fugong.command.services import mark_dirty

        mark_dirty([getattr(instance, field, None)])

    return mark


_RECEIVERS: list[Any] = []


def connect() -> None:
    for label, name, field in WATCHED:
        if not apps.is_installed(f"fugong.{label}"):
            continue
        try:
            model = apps.get_model(label, name)
        except LookupError:
            continue
        receiver = _receiver(field)
        _RECEIVERS.append(receiver)  # the signal keeps weak references
        post_save.connect(receiver, sender=model, dispatch_uid=f"command.dirty.{label}.{name}")


connect()
