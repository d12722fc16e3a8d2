"""每日一张图表: the PDF of a county's or a town's figures of the day, with bar charts drawn as SVG
on the server. Generated every morning at the policy's ``daily_summary_hour`` (an hourly job picks
the counties whose hour it is, once per region and day) and on demand."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from fugong.accounts.scope import Scope
from fugong.audit.services import record
from fugong.command.charts import bar_chart
from fugong.command.choices import SummaryStatus
from fugong.command.models import DailySummary
from fugong.command.selectors import Place, dashboard_figures, place_of
from fugong.policy.parameters import SHANGHAI
from fugong.regions.choices import Level
from fugong.regions.models import Region

SUMMARY_LEVELS = (Level.COUNTY, Level.TOWN)


def place_for_region(region: Region) -> Place:
    if region.level == Level.TOWN:
        return place_of(Scope(), region)  # type: ignore[return-value]
    return Place((region.path,), str(region), Level.COUNTY, {}, "town", region.pk)


def _url_fetcher(font: Path) -> Any:
    """Only the font file and inline data: nothing in a PDF reaches the network or other files."""
    from weasyprint.urls import URLFetcher

    allowed = font.resolve().as_uri()

    class FontAndDataOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:") or url == allowed:
                return super().fetch(url, headers)
            raise ValueError(f"PDF 不加载外部资源：{url[:80]}")

    return FontAndDataOnly(allowed_protocols=("data", "file"), fail_on_errors=False)


def summary_context(region: Region, day: date) -> dict[str, Any]:
    place = place_for_region(region)
    figures = dashboard_figures(place, day, trend_days=7)
    totals = figures["totals"]
    areas = figures["areas"]
    trend = figures["trend"]
    charts = {
        "areas": bar_chart([a["name"] for a in areas], [("企业数", [a["enterprises"] for a in areas]), ("已复工", [a["resumed"] for a in areas])]),
        "rate": bar_chart([a["name"] for a in areas], [("复工率", [a["resumption_rate"] for a in areas])], unit="%"),
        "origin": bar_chart(["本地未外出", "本市其他区", "省内其他城市", "外省"],
                            [("返岗人数", [totals["returned_local"], totals["returned_same_city"], totals["returned_other_city"],
                                       totals["returned_other_province"]])], height=180),
        "isolation": bar_chart(["居家隔离", "企业观察区", "集中隔离点", "今日到期"],
                               [("人数", [totals["iso_home"], totals["iso_enterprise"], totals["iso_central"], totals["releases_due"]])],
                               height=180),
        "trend": bar_chart([d[5:] for d in trend["days"]], [("已复工企业", trend["total"]["resumed"])], height=180),
        "sizes": bar_chart([s["name"] for s in figures["sizes"]], [("复工率", [s["resumption_rate"] for s in figures["sizes"]])],
                           unit="%", width=300, height=160),
    }
    return {"region": region, "day": day, "figures": figures, "totals": totals, "areas": areas, "charts": charts,
            "sectors": figures["sectors"], "sizes": figures["sizes"], "generated_at": timezone.localtime()}


def render_summary_pdf(region: Region, day: date) -> tuple[bytes, dict[str, Any]]:
    from weasyprint import HTML  # imported on use: the library loads Pango at import time

    from fugong.resumption.notices import pdf_font_path

    context = summary_context(region, day)
    font = pdf_font_path()
    html = render_to_string("command/summary_pdf.html", {**context, "font_url": font.resolve().as_uri()})
    pdf = HTML(string=html, url_fetcher=_url_fetcher(font)).write_pdf()
    assert pdf is not None
    keep = ("enterprises", "resumed", "resumption_rate", "flag_red", "flag_yellow", "flag_green", "returned_total", "isolation_total",
            "fever_open", "rect_open", "help_open", "people_wanted")
    return pdf, {k: context["totals"].get(k) for k in keep}


def summary_generate(*, region: Region, day: date | None = None, acting_user: Any = None, request: Any = None,
                     refresh: bool = True) -> DailySummary:
    """Generate (again) the summary of ``region`` (a county or a town) for ``day`` (today): today's
    rollup of its towns is brought up to date first. The file of an earlier run is replaced."""
    from fugong.command.rollups import rollup_refresh

    if region.level not in SUMMARY_LEVELS:
        raise ValidationError({"region": "每日图表按县区或镇街生成。"})
    if acting_user is not None and not acting_user.has_perm("command.generate_summary"):
        raise PermissionDenied("只有指挥部可以生成每日图表。")
    day = day or timezone.localdate()
    if refresh and day == timezone.localdate():
        towns = Region.objects.filter(level=Level.TOWN, path__startswith=region.path).values_list("pk", flat=True)
        rollup_refresh(day=day, towns=list(towns))
    pdf, figures = render_summary_pdf(region, day)
    with transaction.atomic():
        summary = DailySummary.objects.select_for_update().filter(region=region, day=day).first()
        if summary is None:
            summary = DailySummary(region=region, day=day, created_by=acting_user if getattr(acting_user, "pk", None) else None)
        if summary.file:
            summary.file.delete(save=False)
        summary.figures, summary.status, summary.generated_at, summary.error = figures, SummaryStatus.DONE, timezone.now(), ""
        summary.file.save(f"{region.code}-{day:%Y%m%d}.pdf", ContentFile(pdf), save=False)
        summary.save()
        record(action="command.summary_generate", actor=acting_user, obj=summary, data={"region": region.code, "day": day.isoformat()},
               request=request)
    return summary


def regions_with_enterprises() -> Any:
    """The towns that have enterprises and their counties (the division data holds every county of
    the country; a summary of one without enterprises would be empty)."""
    from django.db.models import Q

    from fugong.enterprises.models import Enterprise

    towns = Enterprise.objects.order_by().values("town_id")
    return Region.objects.filter(Q(pk__in=towns) | Q(pk__in=Region.objects.filter(pk__in=towns).values("parent_id")),
                                 level__in=SUMMARY_LEVELS).order_by("path")


def summaries_due(now: datetime | None = None) -> list[DailySummary]:
    """The hourly job: for every county whose ``daily_summary_hour`` is the current hour, the
    summaries of the county and its towns for today that are not there yet (idempotent)."""
    from fugong.policy.services import current

    now = now or timezone.now()
    local = timezone.localtime(now, SHANGHAI)
    made: list[DailySummary] = []
    for county in regions_with_enterprises().filter(level=Level.COUNTY):
        if int(current(county, now).daily_summary_hour) != local.hour:
            continue
        regions = [county, *regions_with_enterprises().filter(level=Level.TOWN, path__startswith=county.path)]
        done = set(DailySummary.objects.filter(region__in=regions, day=local.date(), status=SummaryStatus.DONE).values_list("region_id", flat=True))
        refreshed = False
        for region in regions:
            if region.pk in done:
                continue
            made.append(summary_generate(region=region, day=local.date(), refresh=not refreshed))
            refreshed = True
    return made
