"""Periodic jobs of the check-ins. Registered with Celery by ``HealthConfig.ready`` (autodiscovery
finds only ``tasks`` modules) and scheduled in ``settings.CELERY_BEAT_SCHEDULE``."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task


@shared_task(name="fugong.health.purge_idempotent_requests")
def purge_idempotent_requests() -> int:
    """Delete the API's stored answers older than the policy's ``idempotency_key_hours`` (24 h):
    a retry comes within minutes; after that the key is free again."""
    from fugong.health.idempotency import purge
    from fugong.policy.services import current

    return purge(older_than=timedelta(hours=int(current(None).idempotency_key_hours)))


@shared_task(name="fugong.health.ensure_checkin_partitions")
def ensure_checkin_partitions() -> dict[str, list[str]]:
    """PostgreSQL: create this month's and the next months' check-in partitions ahead (so no
    check-in lands in the default partition), and drop whole months older than
    ``FUGONG_CHECKIN_RETENTION_DAYS`` when that is set (0, the default, keeps every check-in).
    Nothing on SQLite."""
    from django.conf import settings

    from fugong.health import partitions

    created = partitions.ensure_partitions()
    dropped = partitions.drop_expired_partitions(retention_days=settings.FUGONG_CHECKIN_RETENTION_DAYS)
    return {"created": created, "dropped": dropped}
