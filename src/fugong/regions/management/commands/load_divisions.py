"""``fugong load_divisions``: the real division tree (provinces, cities, counties, and towns)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fugong.regions.divisions import find_county
from fugong.regions.services import load_divisions


class Command(BaseCommand):
    help = "载入行政区划：全部省、市、县区，以及指定县区（或 --all-towns 全部县区）的乡镇街道。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("counties", nargs="*", help="县区代码或名称，如 441602、河源市源城区、鹤山市")
        parser.add_argument("--all-towns", action="store_true", help="载入全国所有乡镇街道（约 4 万条）")

    def handle(self, *args: Any, counties: list[str], all_towns: bool, **options: Any) -> None:
        started = time.monotonic()
        try:
            codes = None if all_towns else [find_county(c).code for c in counties]
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        created = load_divisions(codes)
        self.stdout.write(f"新建 {created} 个辖区，用时 {time.monotonic() - started:.1f} 秒。")
