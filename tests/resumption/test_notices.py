"""The numbered notice (复工复产通知书) and the shuttle-bus letter as PDFs, and the public page
the notice's QR code opens: valid / suspended / unknown, no personal data, no enumeration.

The PDFs are read back with ``pdftotext`` (Debian poppler-utils), so the test proves the CJK text
is really embedded and extractable, not just that some bytes came back."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fugong.accounts.models import User
from fugong.enterprises.models import Enterprise
from fugong.resumption import services
from fugong.resumption.models import Application, Notice
from fugong.resumption.notices import pdf_font_path, render_notice_pdf
from tests.inspections.acceptance_flow import application_in_inspection, approved_application, own_enterprise, pass_acceptance

pytestmark = pytest.mark.django_db

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (apt-get install poppler-utils)")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def pdf_text(content: bytes, tmp_path: Path) -> str:
    source = tmp_path / "document.pdf"
    source.write_bytes(content)
    done = subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True, check=True)
    return done.stdout.decode()


def flat(text: str) -> str:
    """pdftotext lays CJK text out with spaces and line breaks of its own."""
    return re.sub(r"\s+", "", text)


# -- the notice -----------------------------------------------------------------------------------------

@needs_pdftotext
def test_the_notice_pdf_carries_title_number_enterprise_and_the_verification_address(
    client_for: Callable[[str], Client], tmp_path: Path
) -> None:
    application = approved_application()
    notice = application.notice
    for username in ("ent_admin", "grid_officer", "hitech_cmd"):
        response = client_for(username).get(reverse("resumption:notice-pdf", args=[application.uuid]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
    text = flat(pdf_text(response.content, tmp_path))
    enterprise = application.enterprise
    assert "复工复产通知书" in text
    assert flat(notice.number) in text
    assert enterprise.name in text and enterprise.uscc in text
    assert "高新区新冠肺炎疫情防控指挥部" in text
    assert "核定返岗人数30人" in text  # 20 local + 10 from the same city
    assert "7天用量" in text and "每日2次" in text  # numbers from the policy in force
    assert f"http://testserver/applications/verify/{notice.token}/" in text
    assert enterprise.contact_phone not in text


def test_the_notice_embeds_the_cjk_font(tmp_path: Path) -> None:
    assert shutil.which("pdffonts"), "needs pdffonts: apt-get install poppler-utils (dev.py test and .ci/run install it)"
    application = approved_application()
    source = tmp_path / "notice.pdf"
    source.write_bytes(render_notice_pdf(application.notice, "https://fugong.example/"))
    fonts = subprocess.run(["pdffonts", str(source)], capture_output=True, check=True, text=True).stdout
    embedded = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert embedded and all(" yes yes yes " in line for line in embedded)  # embedded, subset, with a ToUnicode map


def test_no_notice_before_approval_and_none_outside_the_scope(client_for: Callable[[str], Client]) -> None:
    waiting = application_in_inspection()
    assert client_for("ent_admin").get(reverse("resumption:notice-pdf", args=[waiting.uuid])).status_code == 404
    pass_acceptance(waiting)
    approved = Application.objects.get(pk=waiting.pk)
    assert client_for("ent_admin").get(reverse("resumption:notice-pdf", args=[approved.uuid])).status_code == 200
    for username in ("heshan_cmd", "gongh_grid", "employee"):
        assert client_for(username).get(reverse("resumption:notice-pdf", args=[approved.uuid])).status_code == 404
    assert Client().get(reverse("resumption:notice-pdf", args=[approved.uuid])).status_code == 302  # to the login page


def test_a_revoked_notice_is_not_printed(client_for: Callable[[str], Client]) -> None:
    application = approved_application()
    Notice.objects.filter(pk=application.notice.pk).update(revoked_at=timezone.now())
    assert client_for("ent_admin").get(reverse("resumption:notice-pdf", args=[application.uuid])).status_code == 404


def test_a_missing_font_is_a_clear_error(settings: Any) -> None:
    settings.FUGONG_PDF_FONT = "/nonexistent/NotoSansCJK-Regular.ttc"
    with pytest.raises(ImproperlyConfigured, match="FUGONG_PDF_FONT"):
        pdf_font_path()
    settings.FUGONG_PDF_FONT = ""
    assert "cjk" in pdf_font_path().name.lower()


# -- the shuttle-bus letter ------------------------------------------------------------------------------

@needs_pdftotext
def test_the_bus_letter_is_there_when_a_bus_is_declared(client_for: Callable[[str], Client], tmp_path: Path) -> None:
    application = approved_application(shuttle_bus_count=2)
    response = client_for("ent_admin").get(reverse("resumption:bus-letter-pdf", args=[application.uuid]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content, tmp_path))
    assert "通勤班车使用意见函" in text and application.enterprise.name in text
    assert "2辆" in text and "每趟" in text and "备用口罩" in text and "测量体温并登记" in text


def test_no_bus_letter_before_approval(client_for: Callable[[str], Client]) -> None:
    waiting = application_in_inspection(shuttle_bus_count=2)
    assert client_for("ent_admin").get(reverse("resumption:bus-letter-pdf", args=[waiting.uuid])).status_code == 404


def test_no_bus_letter_for_an_approved_application_without_a_bus(client_for: Callable[[str], Client]) -> None:
    Enterprise.objects.filter(pk=own_enterprise().pk).update(has_shuttle_bus=False)
    application = approved_application(shuttle_bus_count=0)
    assert client_for("ent_admin").get(reverse("resumption:bus-letter-pdf", args=[application.uuid])).status_code == 404


# -- the public verification page -----------------------------------------------------------------------

def test_the_verification_page_is_public_says_valid_and_shows_no_personal_data(django_assert_max_num_queries: Any) -> None:
    application = approved_application()
    notice, enterprise = application.notice, application.enterprise
    anonymous = Client()
    with django_assert_max_num_queries(2):
        response = anonymous.get(reverse("resumption:verify", args=[notice.token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "有效" in html and notice.number in html and enterprise.name in html
    assert notice.issued_at.astimezone().strftime("%Y") in html
    for personal in (enterprise.contact_phone, enterprise.contact_name, enterprise.legal_representative, enterprise.uscc, "13800000004"):
        assert personal not in html
    assert response["Referrer-Policy"] == "no-referrer" and "no-cache" in response["Cache-Control"]


def test_the_verification_page_follows_suspension_and_reinstatement() -> None:
    application = approved_application()
    url = reverse("resumption:verify", args=[application.notice.token])
    command = User.objects.get(username="hitech_cmd")
    services.application_suspend(application=application, reason="发现发热员工未报告", acting_user=command)
    html = Client().get(url).content.decode()
    assert "企业已停工" in html and "发现发热员工" not in html
    services.application_reinstate(application=Application.objects.get(pk=application.pk), reason="整改完毕", acting_user=command)
    html = Client().get(url).content.decode()
    assert "有效" in html and "企业已停工" not in html


def test_an_unknown_or_malformed_token_says_the_notice_does_not_exist() -> None:
    approved_application()
    for token in ("A" * 24, "x", "../../etc/passwd", "A" * 200):
        response = Client().get(f"/applications/verify/{token}/")
        assert response.status_code == 404
        if len(token) < 100 and "/" not in token:
            assert "通知书不存在" in response.content.decode()
