"""The flags list (order, filters, export), a flag's history page, the public placard (no
personal data) and the daily summary PDF (the figures in it, generated on time and once)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from fugong.accounts.models import Membership
from fugong.command.choices import Flag
from fugong.command.models import DailySummary, EnterpriseFlag
from fugong.command.placard import placard_token
from fugong.command.rollups import rollup_refresh
from fugong.command.services import flags_refresh
from fugong.command.summaries import render_summary_pdf, summaries_due
from fugong.policy.parameters import SHANGHAI
from fugong.regions.models import Region
from fugong.workforce.models import Person

pytestmark = pytest.mark.django_db
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (apt-get install poppler-utils)")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_the_flags_list_puts_red_first_and_filters_by_reason(client_for: Callable[[str], Client]) -> None:
    flags_refresh()
    client = client_for("county_cmd")
    response = client.get("/command/flags/")
    colours = [f.flag for f in response.context["page"]]
    assert colours == sorted(colours, key=["red", "yellow", "green"].index)
    red = client.get("/command/flags/", {"flag": "red"}).context["page"]
    assert all(f.flag == Flag.RED for f in red)
    reason = client.get("/command/flags/", {"reason": "not_applied"}).context["page"]
    assert all("not_applied" in f.reason_codes for f in reason)
    export = client.get("/command/flags/", {"flag": "red", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None and sheet.max_row - 1 == red.paginator.count


def test_the_flags_list_shows_who_serves_the_enterprise(client_for: Callable[[str], Client]) -> None:
    flags_refresh()
    page = client_for("grid_officer").get("/command/flags/").context["page"]
    assert page.paginator.count > 0
    assert any(f.officers for f in page)


def test_a_flag_page_shows_its_history(client_for: Callable[[str], Client]) -> None:
    flag = EnterpriseFlag.objects.filter(enterprise__town__name="高新区").order_by("pk").first()
    assert flag is not None
    response = client_for("hitech_cmd").get(f"/command/flags/{flag.enterprise_id}/")
    assert response.status_code == 200 and len(response.context["history"]) >= 1


def test_the_public_placard_shows_no_personal_data(client: Client) -> None:
    enterprise = Membership.objects.get(user__username="ent_admin").enterprise
    assert enterprise is not None
    response = client.get(f"/command/placard/{placard_token(enterprise)}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert enterprise.name in text
    for person in Person.objects.filter(enterprise=enterprise):
        assert person.name not in text and person.phone not in text and person.id_masked not in text
    assert enterprise.contact_phone not in text and enterprise.legal_representative not in text
    assert client.get(f"/command/placard/{enterprise.pk}:forged/").status_code == 404


def test_the_enterprise_admin_opens_its_own_placard_with_its_qr(client_for: Callable[[str], Client]) -> None:
    client = client_for("ent_admin")
    response = client.get("/command/placard/mine/", follow=True)
    assert response.status_code == 200
    assert b'data-testid="placard-qr"' in response.content and b"data:image/svg+xml" in response.content


def pdf_text(content: bytes, tmp_path: Path) -> str:
    source = tmp_path / "summary.pdf"
    source.write_bytes(content)
    return re.sub(r"\s+", "", subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True, check=True).stdout.decode())


@needs_pdftotext
def test_the_summary_pdf_carries_the_figures(tmp_path: Path) -> None:
    rollup_refresh()
    town = Region.objects.get(level="town", name="高新区")
    pdf, figures = render_summary_pdf(town, timezone.localdate())
    text = pdf_text(pdf, tmp_path)
    assert "高新区复工复产每日图表" in text
    # The figures row under the labels' row (pdftotext reads a table row by row).
    assert "企业总数已复工复工率红旗黄旗绿旗" in text
    assert f"{figures['enterprises']}{figures['resumed']}{figures['resumption_rate']}%{figures['flag_red']}" in text
    assert "返岗人员来源" in text and "各地复工情况" in text


def test_summaries_are_generated_at_the_policy_hour_once(client_for: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch) -> None:
    # The scheduling, not the drawing (test_the_summary_pdf_carries_the_figures): a PDF per region is slow.
    monkeypatch.setattr("fugong.command.summaries.render_summary_pdf", lambda region, day: (b"%PDF-1.4 test", {"enterprises": 1}))
    today = timezone.localdate()
    assert summaries_due(datetime.combine(today, datetime.min.time().replace(hour=3), tzinfo=SHANGHAI)) == []
    at_seven = datetime.combine(today, datetime.min.time().replace(hour=7, minute=5), tzinfo=SHANGHAI)
    made = summaries_due(at_seven)
    assert made and all(s.file for s in made)
    assert summaries_due(at_seven) == []  # once a day
    county = client_for("county_cmd")
    listed = county.get("/command/summaries/").context["page"]
    assert listed.paginator.count >= 1
    yuancheng = next(s for s in made if s.region.name == "源城区")
    assert county.get(f"/command/summaries/{yuancheng.pk}/pdf/").status_code == 200
    heshan = next(s for s in made if s.region.name == "鹤山市")
    assert county.get(f"/command/summaries/{heshan.pk}/pdf/").status_code == 404  # another county's
    assert client_for("hitech_cmd").get(f"/command/summaries/{yuancheng.pk}/pdf/").status_code == 404  # above the town


def test_the_command_generates_a_summary_on_demand(client_for: Callable[[str], Client]) -> None:
    town = Region.objects.get(level="town", name="高新区")
    response = client_for("hitech_cmd").post("/command/summaries/generate/", {"region": town.pk})
    assert response.status_code == 302
    assert DailySummary.objects.filter(region=town, day=timezone.localdate()).exists()
    assert client_for("jmb_reviewer").post("/command/summaries/generate/", {"region": town.pk}).status_code == 403
