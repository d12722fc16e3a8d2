"""``fugong demo``: migrate, seed the demo data, print the logins and serve on 127.0.0.1:8000."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from fugong.core.demo import accounts_as_dicts, seed_demo


class Command(BaseCommand):
    help = "建立演示数据（河源市源城区·高新区、鹤山市），打印演示账号并启动网站。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-serve", action="store_true", help="只建立数据，不启动网站")
        parser.add_argument("--accounts-json", type=Path, help="把演示账号（用户名、密码、角色、范围）写入此 JSON 文件")
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--scale", choices=["default", "large"], default="default",
                            help="large：另建一个大规模县（10万企业、100万员工、约1000万条打卡；仅 PostgreSQL，约10分钟）")
        # Tests: the large county's path at a tiny size, "enterprises,workers[,days]".
        parser.add_argument("--large-size", default="", help=argparse.SUPPRESS)

    def handle(self, *args: Any, no_serve: bool, accounts_json: Path | None, addrport: str, scale: str = "default", large_size: str = "",
               **options: Any) -> None:
        from fugong.core import demo_large

        if scale == "large":
            try:
                demo_large.refuse_unless_postgresql()
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        call_command("migrate", interactive=False, verbosity=0)
        accounts = seed_demo()
        if scale == "large":
            size = demo_large.LargeSize.parse(large_size) if large_size else demo_large.LargeSize()
            demo_large.seed_large(size=size, out=self.stdout.write)
        if accounts_json:
            accounts_json.write_text(json.dumps(accounts_as_dicts(accounts), ensure_ascii=False, indent=2), encoding="utf-8")
        self.stdout.write(f"演示账号（密码均为 {accounts[0].password}）：")
        for account in accounts:
            self.stdout.write(f"  {account.username:<14} {account.role_label:<8} {account.scope}")
        if not no_serve:
            call_command("collectstatic", interactive=False, verbosity=0)
            self.stdout.write(f"打开 http://{addrport}/ 登录。按 Ctrl+C 停止。")
            call_command("runserver", addrport, use_reloader=False, insecure_serving=True)
