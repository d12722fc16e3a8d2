"""``fugong import_roster --enterprise <USCC> FILE``: import a roster from the command line.

Prints the imported and refused counts and writes the refused rows with their reasons beside
FILE (``<stem>-错误报告.xlsx``). Refused rows are the file's problem, not the command's: the exit
status is 0. A missing enterprise, an unreadable file or a file without the required headers is
a non-zero exit with a Chinese message. Runs as the system (audited as such), for operators.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fugong.enterprises.models import Enterprise
from fugong.workforce.importers import RosterImporter


def report_path(source: Path) -> Path:
    """Where the error report of ``source`` goes: beside it, ``<stem>-错误报告.xlsx``."""
    return source.with_name(f"{source.stem}-错误报告.xlsx")


class Command(BaseCommand):
    help = "导入企业花名册（.xlsx/.csv）：打印导入与拒绝行数，并在文件旁生成错误报告。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enterprise", required=True, metavar="USCC", help="企业的统一社会信用代码")
        parser.add_argument("file", type=Path, metavar="FILE", help="花名册文件（.xlsx、.xls 或 .csv）")

    def handle(self, *args: Any, enterprise: str, file: Path, **options: Any) -> None:
        code = enterprise.strip().upper()
        found = Enterprise.objects.filter(uscc=code).first()
        if found is None:
            raise CommandError(f"未找到统一社会信用代码为 {code} 的企业，请先登记企业或核对代码。")
        try:
            content = file.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"无法读取文件 {file}：文件不存在。") from None
        except IsADirectoryError:
            raise CommandError(f"无法读取文件 {file}：这是一个文件夹，请指定花名册文件。") from None
        except PermissionError:
            raise CommandError(f"无法读取文件 {file}：没有读取权限。") from None
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror or exc}") from None
        verbose = options.get("verbosity", 1) >= 2

        def progress(done: int, total: int) -> None:
            if verbose and total:
                self.stderr.write(f"进度 {done * 100 // total}%（{done}/{total} 步）")

        result = RosterImporter(enterprise=found, progress=progress).run(content, file.name)
        if result.error:
            raise CommandError(f"{file.name}：{result.error}")
        self.stdout.write(f"{found.name}：共 {result.rows} 行，导入 {result.imported} 行，拒绝 {len(result.refused)} 行（用时 {result.seconds:.1f} 秒）。")
        if result.ignored_headers:
            self.stdout.write(f"未识别而忽略的列：{'、'.join(result.ignored_headers)}")
        if result.warnings:
            self.stdout.write(f"已导入但需核对 {len(result.warnings)} 行（见错误报告第二页）。")
        if result.refused or result.warnings:
            target = report_path(file)
            try:
                target.write_bytes(result.error_report())
            except OSError as exc:
                raise CommandError(f"导入已完成，但无法写入错误报告 {target}：{exc.strerror or exc}") from None
            self.stdout.write(f"错误报告：{target}")
        else:
            self.stdout.write(self.style.SUCCESS("全部导入，没有错误。"))
