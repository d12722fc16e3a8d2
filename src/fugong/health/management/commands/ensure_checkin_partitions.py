"""``fugong ensure_checkin_partitions``: create the coming months' check-in partitions (and drop
whole months past ``FUGONG_CHECKIN_RETENTION_DAYS`` if set). The Celery beat task of the same name
runs it daily; run it by hand after a long stop of the scheduler. Does nothing on SQLite."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from fugong.health import partitions


class Command(BaseCommand):
    help = "建立未来几个月的健康打卡分区（PostgreSQL），并按保留期删除过期月份的分区。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--months", type=int, default=partitions.MONTHS_AHEAD, help="提前建立的月数（不含本月）")
        parser.add_argument("--retention-days", type=int, default=None,
                            help="保留天数，超过的整月分区被删除；默认取 FUGONG_CHECKIN_RETENTION_DAYS（0 表示全部保留）")

    def handle(self, *args: Any, months: int, retention_days: int | None, **options: Any) -> None:
        if not partitions.is_partitioned():
            self.stdout.write("健康打卡表未分区（SQLite 或未迁移），无需处理。")
            return
        created = partitions.ensure_partitions(months_ahead=months)
        retention = settings.FUGONG_CHECKIN_RETENTION_DAYS if retention_days is None else retention_days
        dropped = partitions.drop_expired_partitions(retention_days=retention)
        self.stdout.write(f"新建分区：{', '.join(created) or '无'}；删除过期分区：{', '.join(dropped) or '无'}")
