"""The daily-report ledger of a day (企业日报报送情况) as Excel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from fugong.core.excel import write_xlsx
from fugong.enterprises.models import Enterprise
from fugong.health.models import DailyReport
from fugong.health.report_filters import state_of
from fugong.health.reports import returned_rows

HEADERS = ["企业名称", "统一社会信用代码", "镇街", "网格", "日期", "报送情况", "报送时间", "在岗人数", "今日返岗", "今日返岗（按来源地）",
           "隔离观察人数", "发热人数", "防控物资可用天数", "情况说明"]


def export_report_status(enterprises: QuerySet[Enterprise], day: date) -> bytes:
    """One row per enterprise that must report, with its report of ``day`` when filed."""
    reports = {r.enterprise_id: r for r in DailyReport.objects.filter(enterprise__in=enterprises.values("pk"), date=day)}

    def row(enterprise: Any) -> list[Any]:
        report = reports.get(enterprise.pk)
        state = state_of(getattr(enterprise, "report_status", None))
        filed = report is not None and state != "missing"
        returned = report.returned_today if filed and report else {}
        return [
            enterprise.name, enterprise.uscc, enterprise.town.name, enterprise.region.name, day, state.label,
            timezone.localtime(report.submitted_at) if filed and report and report.submitted_at else None,
            report.on_site if filed and report else None, sum(returned.values()) if filed else None,
            "；".join(f"{label} {count}" for label, count in returned_rows(returned)),
            report.in_isolation if filed and report else None, report.fever_cases if filed and report else None,
            report.materials_days if filed and report else None, report.note if filed and report else "",
        ]

    rows: Iterator[list[Any]] = (row(e) for e in enterprises.iterator(chunk_size=2000))
    return write_xlsx(HEADERS, rows, title=f"日报{day:%m%d}")
