"""Demo of the command centre: the flags of every enterprise, the rollups of the last days (the
demo's people, check-ins and placements are dated relative to today, so the charts show a trend)
and one daily summary (高新区's)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone


def seed_command(places: Any, scale: float = 1.0) -> None:
    from fugong.command.rollups import rollup_rebuild
    from fugong.command.services import flags_refresh
    from fugong.command.summaries import summary_generate
    from fugong.policy.services import current
    from fugong.regions.choices import Level
    from fugong.regions.models import Region

    today = timezone.localdate()
    days = int(current().dashboard_trend_days)
    flags_refresh(day=today)
    rollup_rebuild((today - timedelta(days=days - 1), today))
    town = Region.objects.filter(level=Level.TOWN, name="高新区").first()
    if town is not None:
        try:
            summary_generate(region=town, day=today, refresh=False)
        except Exception:
            import logging

            logging.getLogger(__name__).warning("每日图表未生成（缺少中文字体？）", exc_info=True)
