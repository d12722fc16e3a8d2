"""Background jobs of the exports app. Without ``REDIS_URL`` Celery runs them eagerly."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="fugong.exports.run_export")
def run_export(*, job_id: str) -> dict[str, Any]:
    """Write one export job's ledger (:func:`fugong.exports.services.export_run`)."""
    from fugong.exports.services import export_run

    job = export_run(job_id)
    return {"job": job_id, "status": job.status if job else "missing", "rows": job.done if job else 0}


@shared_task(name="fugong.exports.purge_expired_exports")
def purge_expired_exports() -> int:
    """Hourly (settings.CELERY_BEAT_SCHEDULE): delete export files past ``export_keep_hours``."""
    from fugong.exports.services import export_purge

    return export_purge()
