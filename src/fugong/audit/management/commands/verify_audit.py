"""``fugong verify_audit``: check the audit chain; exit non-zero if anything was changed.

With ``--anchor-file FILE`` (keep it outside the database server, e.g. on the backup host) the
command also checks every (seq, hash) recorded there by earlier runs, then appends the current
head. That catches what the chain alone cannot: the tail deleted and the head row rewritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fugong.audit.verification import check_anchors, verify_chain


def read_anchors(path: Path) -> list[tuple[int, str]]:
    if not path.exists():
        return []
    anchors = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split()
        if len(parts) != 2 or not parts[0].isdigit():
            raise CommandError(f"锚点文件第 {number} 行格式错误，应为“序号 哈希”。")
        anchors.append((int(parts[0]), parts[1]))
    return anchors


class Command(BaseCommand):
    help = "校验审计日志哈希链：发现篡改、删除、调序或截断时以非零状态退出。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--anchor-file", type=Path, help="库外存档的锚点文件：校验其中每个锚点，通过后追加当前链头")

    def handle(self, *args: Any, anchor_file: Path | None = None, **options: Any) -> None:
        report = verify_chain()
        if anchor_file is not None:
            report.problems.extend(check_anchors(read_anchors(anchor_file)))
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(f"审计链校验失败：共检查 {report.checked} 条，发现 {len(report.problems)} 处问题。")
        if anchor_file is not None and report.last_seq:
            with anchor_file.open("a", encoding="utf-8") as archive:
                archive.write(f"{report.last_seq} {report.last_hash}\n")
        self.stdout.write(self.style.SUCCESS(f"审计链完整：共 {report.checked} 条记录，链头第 {report.last_seq} 条 {report.last_hash[:16]}…"))
