"""``fugong verify_audit``: check the audit chain; exit 1 if anything was changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fugong.audit.verification import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链：发现篡改、删除、调序或截断时以非零状态退出。"

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(f"审计链校验失败：共检查 {report.checked} 条，发现 {len(report.problems)} 处问题。")
        self.stdout.write(self.style.SUCCESS(f"审计链完整：共 {report.checked} 条记录。"))
