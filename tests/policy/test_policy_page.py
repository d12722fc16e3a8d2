"""The /policy/ page: the admin publishes the base policy; a county's command officer its overrides."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fugong.audit.models import AuditEntry
from fugong.policy.models import PolicyVersion
from fugong.policy.services import current
from fugong.regions.models import Region

HEYUAN, HESHAN = "441602", "440784"


def form_data(region: Region | None = None, note: str = "依据第5号通告调整", effective_from: str = "2020-03-01T00:00", **changes: Any):
    """What the policy form posts: every parameter as shown, with ``changes`` typed over it."""
    data: dict[str, str] = {"effective_from": effective_from, "note": note}
    for key, value in current(region).values.items():
        if isinstance(value, datetime):
            value = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        data[f"p_{key}"] = str(value)
    for key, value in changes.items():
        data[f"p_{key}"] = str(value)
    return data


def versions(code: str | None) -> int:
    return PolicyVersion.objects.filter(region__code=code).count() if code else PolicyVersion.objects.filter(region=None).count()


@pytest.mark.django_db
def test_admin_sees_the_base_policy_with_its_values(client_for):
    response = client_for("admin").get("/policy/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "全域基础政策" in page
    assert "申请须提前(小时)" in page
    assert 'value="48"' in page


@pytest.mark.django_db
def test_admin_publishes_a_new_base_version_from_the_page(client_for):
    # Given the admin on the base policy
    client = client_for("admin")
    before = versions(None)
    # When they change the notice period to 24 hours and publish
    response = client.post("/policy/", form_data(application_lead_hours=24))
    # Then a new base version is in force from the chosen time and they are told so
    assert response.status_code == 302
    assert versions(None) == before + 1
    newest = PolicyVersion.objects.filter(region=None).order_by("-version").first()
    assert newest.values["application_lead_hours"] == 24
    assert newest.note == "依据第5号通告调整"
    assert timezone.localtime(newest.effective_from).strftime("%Y-%m-%d %H:%M") == "2020-03-01 00:00"
    assert "已发布" in client.get(response["Location"]).content.decode()
    assert AuditEntry.objects.filter(action="policy.publish", actor_name="系统管理员").exists()


@pytest.mark.django_db
def test_heshan_command_sees_their_county_by_default(client_for):
    response = client_for("heshan_cmd").get("/policy/")
    assert response.status_code == 200
    assert response.context["county"].code == HESHAN
    assert response.context["may_publish"] is True


@pytest.mark.django_db
def test_heshan_command_publishes_a_heshan_override(client_for):
    # Given 鹤山市's command officer
    client = client_for("heshan_cmd")
    heshan = Region.objects.get(code=HESHAN)
    before = versions(HESHAN)
    # When they move the daily report deadline to 8:00
    response = client.post(f"/policy/?county={HESHAN}", form_data(heshan, daily_report_deadline_hour=8))
    # Then 鹤山市 has a new version holding just that, and the base policy is unchanged
    assert response.status_code == 302
    assert versions(HESHAN) == before + 1
    assert PolicyVersion.objects.filter(region=heshan).order_by("-version").first().values == {"daily_report_deadline_hour": 8}
    assert current(heshan, timezone.make_aware(datetime(2020, 3, 2))).daily_report_deadline_hour == 8
    assert current(None).daily_report_deadline_hour == 10


@pytest.mark.django_db
def test_heshan_command_cannot_publish_the_base_policy(client_for):
    # Given 鹤山市's command officer posting the policy form without a county
    client = client_for("heshan_cmd")
    base_before = versions(None)
    # When they try to change the notice period for everyone
    client.post("/policy/", form_data(application_lead_hours=1))
    # Then the base policy has no new version and still asks 48 hours
    assert versions(None) == base_before
    assert current(None).application_lead_hours == 48


@pytest.mark.django_db
def test_heshan_command_cannot_see_or_change_another_countys_policy(client_for):
    client = client_for("heshan_cmd")
    before = versions(HEYUAN)
    assert client.get(f"/policy/?county={HEYUAN}").status_code == 404
    response = client.post(f"/policy/?county={HEYUAN}", form_data(daily_report_deadline_hour=8))
    assert response.status_code == 404
    assert versions(HEYUAN) == before


@pytest.mark.django_db
def test_a_town_command_officer_reads_the_policy_but_cannot_publish(client_for):
    # Given the 高新区 (a town) command officer, who has no county to override
    client = client_for("hitech_cmd")
    # Then they see the base policy, without a form
    page = client.get("/policy/")
    assert page.status_code == 200
    assert page.context["may_publish"] is False
    assert 'name="p_application_lead_hours"' not in page.content.decode()
    # And a crafted post is refused
    before = versions(None)
    assert client.post("/policy/", form_data(application_lead_hours=1)).status_code == 403
    assert versions(None) == before


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["grid_officer", "jmb_reviewer", "ent_admin", "employee", "gate_guard"])
def test_other_roles_cannot_open_the_policy_page(client_for, username):
    assert client_for(username).get("/policy/").status_code == 403


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/policy/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_refused_form_keeps_what_was_typed_and_says_in_chinese_what_to_fix(client_for):
    # Given the admin who typed an impossible notice period and a bad temperature
    client = client_for("admin")
    before = versions(None)
    data = form_data(application_lead_hours=9999, fever_threshold_celsius="三十七", note="我的说明文字")
    # When they publish
    response = client.post("/policy/", data)
    # Then nothing is published
    assert response.status_code == 200
    assert versions(None) == before
    page = response.content.decode()
    # And the page says what to fix, in Chinese, next to the fields
    assert "请修改标红的项目" in page
    form = response.context["form"]
    assert "720" in " ".join(form.errors["p_application_lead_hours"])
    assert "数" in " ".join(form.errors["p_fever_threshold_celsius"])
    # And what they typed is still there
    assert 'value="9999"' in page
    assert 'value="三十七"' in page
    assert "我的说明文字" in page
    assert 'value="2020-03-01T00:00"' in page


@pytest.mark.django_db
def test_a_missing_note_is_asked_for(client_for):
    response = client_for("admin").post("/policy/", form_data(note=""))
    assert response.status_code == 200
    assert "必填项" in " ".join(response.context["form"].errors["note"])


@pytest.mark.django_db
def test_the_heshan_page_shows_the_county_value_and_where_it_comes_from(client_for):
    response = client_for("heshan_cmd").get(f"/policy/?county={HESHAN}")
    form = response.context["form"]
    assert form["p_daily_report_deadline_hour"].value() == 9
    assert "鹤山市" in form.fields["p_daily_report_deadline_hour"].source
    assert form["p_fever_threshold_celsius"].value() == Decimal("37.3")
