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
