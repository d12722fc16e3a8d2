"""Background jobs of the command centre (django-celery-beat, settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="fugong.command.refresh_dirty")
def refresh_dirty() -> dict[str, Any]:
    """Every few minutes: the flags touched by events since the last run, and their towns' rollup of today."""
    from fugong.command.services import refresh_dirty as run

    result = run()
    return {"computed": result.computed, "changed": result.changed, "towns": len(result.town_ids)}


@shared_task(name="fugong.command.refresh_all")
def refresh_all() -> dict[str, Any]:
    """Every hour: every flag (the day moves on: deadlines pass, reports fall due) and today's rollups."""
    from fugong.command.rollups import rollup_refresh
    from fugong.command.services import flags_refresh

    result = flags_refresh()
    rows = rollup_refresh()
    return {"computed": result.computed, "changed": result.changed, "rollup_rows": rows}


@shared_task(name="fugong.command.daily_summaries")
def daily_summaries() -> dict[str, Any]:
    """Every hour: the daily summaries of the counties whose ``daily_summary_hour`` is now (once a day)."""
    from fugong.command.summaries import summaries_due

    made = summaries_due()
    return {"generated": [f"{s.region.code}:{s.day}" for s in made]}
