"""The printed documents of an approved application: the numbered resumption notice
(复工复产通知书) with a QR code to its public verification page, and the shuttle-bus letter
(通勤班车使用意见函). Rendered from HTML with WeasyPrint, which embeds a subset of the CJK font.

Plain functions of (object, base URL) → PDF bytes, so a view and a Celery task call them alike."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from fugong.core.qr import qr_data_uri
from fugong.policy.services import Policy, current
from fugong.resumption.choices import Status
from fugong.resumption.models import Application, Notice
from fugong.resumption.routing import county_of

FONT_FAMILY = "Noto Sans CJK SC"
FONT_HELP = "请安装 Noto CJK 字体（Debian: apt-get install fonts-noto-cjk），或用环境变量 FUGONG_PDF_FONT 指定字体文件路径。"


@cache
def _font_from_fontconfig() -> str:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return ""
    try:
        found = subprocess.run([fc_match, "-f", "%{file}", FONT_FAMILY], capture_output=True, text=True, timeout=10, check=False)  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return ""
    return found.stdout.strip()


def pdf_font_path() -> Path:
    """The CJK font file: settings.FUGONG_PDF_FONT, else what fontconfig offers for Noto Sans CJK SC."""
    configured = getattr(settings, "FUGONG_PDF_FONT", "") or ""
    if configured:
        if not Path(configured).is_file():
            raise ImproperlyConfigured(f"FUGONG_PDF_FONT={configured} 不是字体文件。{FONT_HELP}")
        return Path(configured)
    found = _font_from_fontconfig()
    # fc-match always answers with some font; one without CJK glyphs would print empty boxes.
    if not found or "cjk" not in Path(found).name.lower() or not Path(found).is_file():
        raise ImproperlyConfigured(f"找不到生成 PDF 所需的中文字体 {FONT_FAMILY}（fc-match 给出：{found or '无'}）。{FONT_HELP}")
    return Path(found)


def verification_url(notice: Notice, base_url: str) -> str:
    return urljoin(base_url, reverse("resumption:verify", args=[notice.token]))


def issuing_authority(application: Application) -> str:
    return f"{application.enterprise.town.name}新冠肺炎疫情防控指挥部"


def standing_requirements(application: Application, policy: Policy) -> list[str]:
    """What an approved enterprise keeps doing, with the numbers of the policy in force."""
    enterprise = application.enterprise
    masks = policy.masks_per_person_per_day
    items = [
        f"落实每日 {policy.checkins_per_day} 次（早晚）体温检测，体温 ≥ {policy.fever_threshold_celsius}℃ 或有咳嗽等症状者不得进入，"
        f"立即隔离并送发热门诊。",
        f"防控物资储备不少于返岗人员 {policy.material_reserve_days} 天用量（口罩每人每天不少于 {masks} 只），并持续补充。",
        "实行封闭管理，只留一个出入口，24 小时值守，进出人员、车辆登记测温。",
        f"返岗人员一人一档；市外返岗人员单人单间隔离观察 {policy.outside_city_isolation_days} 天，重点地区人员不得返岗。",
        "保持隔离观察室可用（单人单间，配防护服、护目镜、医药箱）；公共区域每日消毒并记录。",
        "每日向镇街指挥部报告在岗人数、返岗人数、隔离及发热情况（无异常的零报告）。",
    ]
    if enterprise.has_canteen:
        items.append(f"食堂错峰就餐，就餐间隔不少于 {policy.canteen_min_distance_cm} 厘米，每餐消毒。")
    if enterprise.has_dormitory or application.dormitory_rooms:
        items.append(f"宿舍每间不超过 {policy.dormitory_max_per_room} 人，出入登记。")
    if has_shuttle_bus(application):
        items.append("通勤班车测温登记、备用口罩、每趟消毒，凭通勤班车使用意见函运行。")
    items.append("发现疑似病例立即报告并配合处置；违反防控要求的，责令停工整改。")
    return items


def has_shuttle_bus(application: Application) -> bool:
    return application.shuttle_bus_count > 0 or application.enterprise.has_shuttle_bus


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


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported on use: the library loads Pango at import time

    font = pdf_font_path()
    html = render_to_string(template, {**context, "font_url": font.resolve().as_uri()})
    pdf = HTML(string=html, url_fetcher=_url_fetcher(font)).write_pdf()
    assert pdf is not None
    return pdf


def render_notice_pdf(notice: Notice, base_url: str) -> bytes:
    """The 复工复产通知书 of one notice; ``base_url`` is the site's address the QR code points to."""
    application = notice.application
    enterprise = application.enterprise
    policy = current(enterprise.region)
    url = verification_url(notice, base_url)
    return _pdf("resumption/notice_pdf.html", {
        "notice": notice,
        "application": application,
        "enterprise": enterprise,
        "county": county_of(enterprise),
        "authority": issuing_authority(application),
        "approved_on": timezone.localtime(application.decided_at or notice.issued_at),
        "issued_on": timezone.localtime(notice.issued_at),
        "planned_start": timezone.localtime(application.planned_start) if application.planned_start else None,
        "headcount": application.returning_headcount,
        "requirements": standing_requirements(application, policy),
        "verify_url": url,
        "qr": qr_data_uri(url),
    })


def bus_letter_available(application: Application) -> bool:
    return application.status == Status.APPROVED and has_shuttle_bus(application)


def render_bus_letter_pdf(application: Application, base_url: str) -> bytes:
    """The 通勤班车使用意见函 of an approved application that declares a shuttle bus."""
    enterprise = application.enterprise
    notice = getattr(application, "notice", None)
    url = verification_url(notice, base_url) if notice is not None else ""
    return _pdf("resumption/bus_letter_pdf.html", {
        "application": application,
        "enterprise": enterprise,
        "notice": notice,
        "authority": issuing_authority(application),
        "issued_on": timezone.localtime(),
        "bus_count": application.shuttle_bus_count,
        "measures": application.shuttle_bus_measures,
        "commuting": application.commuting_measures,
        "verify_url": url,
        "qr": qr_data_uri(url) if url else "",
    })
