"""Personal links (个人链接/二维码): the phone page a person opens without a password, its QR code
on the person's file, the sheet and print page of links, and the signed-in employee's own pages."""

from __future__ import annotations

import io
import time
from datetime import datetime

import pytest
from django.core import signing
from django.urls import reverse
from openpyxl import load_workbook

from fugong.policy.models import PolicyVersion
from fugong.policy.parameters import SHANGHAI
from fugong.regions.models import Region
from fugong.workforce.links import SALT, make_token
from fugong.workforce.views.declaration import INVALID_LINK, person_from_token

pytestmark = pytest.mark.django_db


def token_made_days_ago(person, days: int, monkeypatch: pytest.MonkeyPatch) -> str:
    """A token signed ``days`` days ago (Django's signing stamps it with time.time())."""
    now = time.time()
    with monkeypatch.context() as past:
        past.setattr(signing.time, "time", lambda: now - days * 86400)
        return make_token(person)


def test_a_valid_link_opens_the_persons_page_with_a_masked_greeting(client, staff):
    person = staff["colleague"]
    token = make_token(person)
    response = client.get(reverse("workforce:link-home", args=[token]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "李*，您好" in html and "李秀英" not in html and person.id_masked not in html
    assert reverse("workforce:link-declare", args=[token]) in html
    assert reverse("health:link-checkin", args=[token]) in html
    assert reverse("workforce:link-pass", args=[token]) in html
    # The token is the key: the page is neither cached, nor indexed, nor sent to other sites as a referrer
    assert response["Cache-Control"] == "private, no-store" and response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize("forge", ["altered", "other_salt", "garbage", "unknown_person"])
def test_a_forged_link_gets_the_friendly_not_found_page(client, staff, forge):
    person = staff["colleague"]
    token = {
        "altered": make_token(person)[:-2] + "xx",
        "other_salt": signing.dumps({"p": str(person.pk)}, salt="another.purpose"),
        "garbage": "not-a-token",
        "unknown_person": signing.dumps({"p": "00000000-0000-0000-0000-000000000000"}, salt=SALT, compress=False),
    }[forge]
    response = client.get(reverse("workforce:link-home", args=[token]))
    assert response.status_code == 404
    assert INVALID_LINK in response.content.decode()


def test_a_link_older_than_the_policy_allows_has_expired(client, staff, monkeypatch):
    # Given links made 13 and 15 days ago, under the seeds' 14 days
    person = staff["colleague"]
    fresh, stale = token_made_days_ago(person, 13, monkeypatch), token_made_days_ago(person, 15, monkeypatch)
    # Then the first still opens and the second is refused, as expired
    assert client.get(reverse("workforce:link-home", args=[fresh])).status_code == 200
    response = client.get(reverse("workforce:link-home", args=[stale]))
    assert response.status_code == 404 and INVALID_LINK in response.content.decode()
    assert client.get(reverse("workforce:link-declare", args=[stale])).status_code == 404


def test_a_county_that_keeps_links_longer_keeps_them_open(staff, monkeypatch):
    # Given 源城区 keeps personal links for 30 days (its own policy version)
    PolicyVersion.objects.create(region=Region.objects.get(code="441602"), version=99, values={"personal_link_days": 30},
                                 effective_from=datetime(2020, 1, 1, tzinfo=SHANGHAI), note="测试：链接保留30天")
    person = staff["colleague"]
    # Then a 20-day-old link of its enterprise's person still works; one of 鹤山市 (14 days) does not
    assert person_from_token(token_made_days_ago(person, 20, monkeypatch)) == person
    assert person_from_token(token_made_days_ago(staff["heshan"], 20, monkeypatch)) is None


def test_a_link_stops_working_when_the_record_is_removed(client, staff):
    token = make_token(staff["colleague"])
    staff["colleague"].delete()
    assert client.get(reverse("workforce:link-home", args=[token])).status_code == 404


def test_the_persons_file_offers_the_link_and_its_qr_code_to_the_enterprise_admin(client_for, staff):
    person = staff["colleague"]
    client = client_for("ent_admin")
    html = client.get(reverse("workforce:detail", args=[person.pk])).content.decode()
    assert 'data-testid="personal-link-url"' in html and "/p/" in html
    qr = client.get(reverse("workforce:link-qr", args=[person.pk]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert qr.content.lstrip().startswith(b"<svg")


def test_the_employee_is_not_shown_links_of_their_own_file_and_gets_no_qr(client_for, staff):
    client = client_for("employee")
    html = client.get(reverse("workforce:detail", args=[staff["employee"].pk])).content.decode()
    assert 'data-testid="personal-link"' not in html
    assert client.get(reverse("workforce:link-qr", args=[staff["employee"].pk])).status_code == 403


def test_the_sheet_of_links_has_one_working_link_per_person_of_the_enterprise(client, client_for, staff, own_enterprise):
    response = client_for("ent_admin").get(reverse("workforce:links-export"), {"q": "李秀英"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 1 and body[0][header.index("身份证号（脱敏）")] == staff["colleague"].id_masked
    link = body[0][header.index("个人链接")]
    token = link.split("/p/", 1)[1].strip("/")
    assert person_from_token(token) == staff["colleague"]
    assert client.get(link.split("testserver", 1)[1]).status_code == 200


def test_the_print_page_shows_a_qr_card_per_filtered_person_with_masked_names(client_for, staff, own_enterprise):
    response = client_for("ent_admin").get(reverse("workforce:links-print"))
    html = response.content.decode()
    assert response.status_code == 200
    cards = response.context["cards"]
    assert cards and all(card["person"].enterprise_id == own_enterprise.pk for card in cards)
    assert all(card["qr"].startswith("data:image/svg+xml") for card in cards)
    assert "李秀英" not in html


def test_reviewers_and_gates_get_no_sheet_or_print_page(client_for):
    for username in ("jmb_reviewer", "gate_guard", "employee"):
        client = client_for(username)
        assert client.get(reverse("workforce:links-export")).status_code == 403
        assert client.get(reverse("workforce:links-print")).status_code == 403


def test_the_signed_in_employee_reaches_the_same_pages_without_a_token(client_for, staff):
    client = client_for("employee")
    response = client.get(reverse("workforce:me"))
    html = response.content.decode()
    assert response.status_code == 200 and "张*，您好" in html
    assert reverse("workforce:me-declare") in html
    assert client.get(reverse("workforce:me-declare")).status_code == 200


def test_an_account_without_a_personal_record_has_no_own_pages(client_for):
    assert client_for("hitech_cmd").get(reverse("workforce:me")).status_code == 404

