"""Background jobs of health monitoring. Without ``REDIS_URL`` Celery runs them eagerly."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task
def check_missing_reports(at: str | None = None) -> dict[str, Any]:
    """Raise the missing-daily-report alerts due by now (or by ``at``, an ISO moment, for a
    replay). Scheduled every quarter of an hour by django-celery-beat (data migration
    quarantine/0002); each county's deadline hour is read from its policy, and a second run
    raises nothing twice."""
    from datetime import datetime

    from fugong.health.reports import check_missing_reports as run

    moment = datetime.fromisoformat(at) if at else None
    raised = run(at=moment)
    return {"raised": len(raised), "enterprises": [alert.enterprise_id for alert in raised]}
