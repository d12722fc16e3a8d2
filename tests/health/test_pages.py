"""The check-in pages: the employee's phone page (personal link and signed in), the enterprise's
table, the ledger with today's figures, who has not checked in, the alerts and their closing."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fugong.accounts.models import User
from fugong.audit.models import AuditEntry
from fugong.health.choices import AlertKind, AlertOutcome, AlertStatus, CheckInSource
from fugong.health.models import Alert, CheckIn
from fugong.health.services import checkin_record, current_slot
from fugong.health.views import FEVER_ADVICE, LINK_INVALID
from fugong.workforce.links import make_token
from fugong.workforce.models import Person

pytestmark = pytest.mark.django_db


def token_made_days_ago(person: Person, days: int, monkeypatch: pytest.MonkeyPatch) -> str:
    now = time.time()
    with monkeypatch.context() as past:
        past.setattr(signing.time, "time", lambda: now - days * 86400)
        return make_token(person)


def today_slot(person: Person) -> tuple[Any, int]:
    from fugong.health.services import cached_policy

    return current_slot(cached_policy(person.enterprise.region_id))


# -- the employee's phone page ----------------------------------------------------------------------

def test_a_personal_link_opens_todays_slots_and_the_form_without_a_password(client: Client, staff: dict[str, Person]) -> None:
    colleague = staff["colleague"]
    response = client.get(reverse("health:link-checkin", args=[make_token(colleague)]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "李*，您好" in html and "李秀英" not in html and colleague.id_masked not in html
    assert 'inputmode="decimal"' in html and "今日打卡" in html
    assert response["Cache-Control"] == "private, no-store" and response["X-Robots-Tag"].startswith("noindex")


def test_checking_in_by_the_link_records_the_current_slot_and_says_done(client: Client, staff: dict[str, Person]) -> None:
    colleague = staff["colleague"]
    day, slot = today_slot(colleague)
    response = client.post(reverse("health:link-checkin", args=[make_token(colleague)]), {"temperature": "36,6"})
    assert response.status_code == 200
    assert "已打卡" in response.content.decode()
    checkin = CheckIn.objects.get(person=colleague)
    assert (checkin.date, checkin.slot, checkin.temperature, checkin.source) == (day, slot, Decimal("36.6"), CheckInSource.SELF)
    assert checkin.recorded_by is None  # nobody signed in: the link acts for the person


def test_a_fever_by_the_link_tells_the_person_to_stop_work_and_raises_an_alert(client: Client, staff: dict[str, Person]) -> None:
    colleague = staff["colleague"]
    response = client.post(reverse("health:link-checkin", args=[make_token(colleague)]), {"temperature": "38.1", "cough": "on"})
    assert FEVER_ADVICE in response.content.decode()
    assert Alert.objects.get(person=colleague).kind == AlertKind.FEVER


def test_a_refused_temperature_keeps_what_was_typed_and_says_what_to_fix(client: Client, staff: dict[str, Person]) -> None:
    colleague = staff["colleague"]
    response = client.post(reverse("health:link-checkin", args=[make_token(colleague)]), {"temperature": "46", "symptoms": "头痛"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "体温应在 34.0–43.0℃ 之间" in html
    assert 'value="46"' in html and 'value="头痛"' in html
    assert not CheckIn.objects.filter(person=colleague).exists()


@pytest.mark.parametrize("forge", ["altered", "garbage", "unknown_person", "too_long"])
def test_a_forged_link_is_a_friendly_not_found(client: Client, staff: dict[str, Person], forge: str) -> None:
    person = staff["colleague"]
    token = {
        "altered": make_token(person)[:-2] + "xx",
        "garbage": "not-a-token",
        "unknown_person": signing.dumps({"p": "00000000-0000-0000-0000-000000000000"}, salt="fugong.workforce.personal-link.v1"),
        "too_long": make_token(person) + "x" * 400,
    }[forge]
    for method in ("get", "post"):
        response = getattr(client, method)(reverse("health:link-checkin", args=[token]), {"temperature": "36.5"} if method == "post" else {})
        assert response.status_code == 404
        assert LINK_INVALID in response.content.decode()
    assert not CheckIn.objects.filter(person=person).exists()


def test_a_link_older_than_the_policy_allows_has_expired(client: Client, staff: dict[str, Person], monkeypatch: pytest.MonkeyPatch) -> None:
    person = staff["colleague"]
    fresh, stale = token_made_days_ago(person, 13, monkeypatch), token_made_days_ago(person, 15, monkeypatch)
    assert client.get(reverse("health:link-checkin", args=[fresh])).status_code == 200
    assert client.get(reverse("health:link-checkin", args=[stale])).status_code == 404


def test_the_signed_in_employee_checks_in_on_their_own_page(client_for: Callable[[str], Client], staff: dict[str, Person]) -> None:
    client = client_for("employee")
    assert client.get(reverse("health:my-checkin")).status_code == 200
    response = client.post(reverse("health:my-checkin"), {"temperature": "36.4"})
    assert "已打卡" in response.content.decode()
    day, slot = today_slot(staff["employee"])
    checkin = CheckIn.objects.get(person=staff["employee"], date=day, slot=slot)
    assert (checkin.temperature, checkin.recorded_by) == (Decimal("36.4"), User.objects.get(username="employee"))


@pytest.mark.parametrize("username", ["ent_admin", "hitech_cmd", "gate_guard"])
def test_an_account_without_its_own_record_has_no_own_check_in_page(client_for: Callable[[str], Client], staff: dict[str, Person],
                                                                  username: str) -> None:
    response = client_for(username).get(reverse("health:my-checkin"))
    assert response.status_code == 404 and "未找到与您账号关联的人员档案" in response.content.decode()


def test_the_page_shows_the_history_of_the_last_days(client: Client, staff: dict[str, Person]) -> None:
    from datetime import timedelta

    from django.utils import timezone

    colleague = staff["colleague"]
    checkin_record(person=colleague, temperature="36.9", at=timezone.now() - timedelta(days=1), slot=1)
    html = client.get(reverse("health:link-checkin", args=[make_token(colleague)])).content.decode()
    assert "36.9℃" in html and "近 14 天记录" in html


# -- the enterprise's table -------------------------------------------------------------------------

def test_the_enterprise_sees_its_staff_on_site_and_saves_their_temperatures_at_once(client_for: Callable[[str], Client],
                                                                                     staff: dict[str, Person]) -> None:
    # Given ent_admin's table of its staff for the current slot
    client = client_for("ent_admin")
    page = client.get(reverse("health:bulk"), {"q": "李秀英"})
    assert page.status_code == 200
    assert [row["person"].pk for row in page.context["rows"]] == [staff["colleague"].pk]
    enterprise = staff["colleague"].enterprise
    day, slot = today_slot(staff["colleague"])
    # When it types two temperatures and submits
    response = client.post(reverse("health:bulk"), {"enterprise": enterprise.pk, "day": day.isoformat(), "slot": slot,
                                                    f"t-{staff['colleague'].pk}": "36.7", f"t-{staff['employee'].pk}": "37.8",
                                                    f"c-{staff['employee'].pk}": "on"})
    # Then both are saved for that slot by the enterprise, and the fever raised its alert
    assert response.status_code == 302
    saved = {c.person_id: c for c in CheckIn.objects.filter(date=day, slot=slot, person__in=[staff["colleague"], staff["employee"]])}
    assert saved[staff["colleague"].pk].temperature == Decimal("36.7")
    assert saved[staff["employee"].pk].source == CheckInSource.ENTERPRISE and saved[staff["employee"].pk].cough
    assert Alert.objects.get(person=staff["employee"]).kind == AlertKind.FEVER


def test_a_bad_row_keeps_its_value_and_reason_while_the_others_are_saved(client_for: Callable[[str], Client], staff: dict[str, Person]) -> None:
    client = client_for("ent_admin")
    enterprise = staff["colleague"].enterprise
    day, slot = today_slot(staff["colleague"])
    response = client.post(reverse("health:bulk"), {"enterprise": enterprise.pk, "day": day.isoformat(), "slot": slot, "q": "",
                                                    f"t-{staff['colleague'].pk}": "36.5", f"t-{staff['employee'].pk}": "3.65"})
    assert response.status_code == 200
    rows = {row["key"]: row for row in response.context["rows"]}
    bad = rows.get(str(staff["employee"].pk))
    if bad is not None:  # on the first page of the table
        assert bad["value"] == "3.65" and "体温应在" in bad["error"]
    assert "1 人未保存" in response.content.decode()
    assert CheckIn.objects.filter(person=staff["colleague"], date=day, slot=slot).exists()
    assert not CheckIn.objects.filter(person=staff["employee"], date=day, slot=slot).exists()


def test_an_officer_chooses_an_enterprise_of_the_jurisdiction_and_not_another(client_for: Callable[[str], Client], staff: dict[str, Person]) -> None:
    client = client_for("grid_officer")
    chooser = client.get(reverse("health:bulk"))
    assert chooser.status_code == 200 and "选择企业" in chooser.content.decode()
    assert client.get(reverse("health:bulk"), {"enterprise": staff["neighbour"].enterprise_id}).status_code == 200
    assert client.get(reverse("health:bulk"), {"enterprise": staff["heshan"].enterprise_id}).status_code == 404


def test_the_enterprise_cannot_open_another_enterprises_table(client_for: Callable[[str], Client], staff: dict[str, Person]) -> None:
    client = client_for("ent_admin")
    other = staff["neighbour"].enterprise_id
    assert client.get(reverse("health:bulk"), {"enterprise": other}).status_code == 404
    response = client.post(reverse("health:bulk"), {"enterprise": other, f"t-{staff['neighbour'].pk}": "36.5"})
    assert response.status_code == 404
    assert not CheckIn.objects.filter(person=staff["neighbour"]).exists()


def test_a_person_of_another_enterprise_slipped_into_the_form_is_not_saved(client_for: Callable[[str], Client],
                                                                         staff: dict[str, Person]) -> None:
    client = client_for("ent_admin")
    own = staff["colleague"].enterprise
    response = client.post(reverse("health:bulk"), {"enterprise": own.pk, f"t-{staff['neighbour'].pk}": "36.5"})
    assert response.status_code == 200 and "未保存" in response.content.decode()
    assert not CheckIn.objects.filter(person=staff["neighbour"]).exists()


# -- the ledger and who has not checked in ------------------------------------------------------------

def test_the_ledger_shows_todays_figures_and_filters_fevers(client_for: Callable[[str], Client], staff: dict[str, Person]) -> None:
    day, slot = today_slot(staff["colleague"])
    checkin_record(person=staff["colleague"], temperature="38.0", slot=slot, day=day)
    checkin_record(person=staff["employee"], temperature="36.5", slot=slot, day=day)
    client = client_for("ent_admin")
    response = client.get(reverse("health:checkins"), {"enterprise": staff["colleague"].enterprise_id})
    counts = response.context["counts"]
    assert counts.checked >= 2 and counts.fever >= 1 and counts.expected >= counts.checked
    fevers = client.get(reverse("health:checkins"), {"fever": "1"}).context["page"].paginator.object_list
    assert staff["colleague"].pk in {c.person_id for c in fevers}
    assert staff["employee"].pk not in {c.person_id for c in fevers}


def test_a_fever_measured_again_in_the_same_slot_shows_both_temperatures(client_for: Callable[[str], Client],
                                                                         staff: dict[str, Person]) -> None:
    checkin_record(person=staff["colleague"], temperature="38.0", slot=1)
    checkin_record(person=staff["colleague"], temperature="36.6", slot=1)  # re-measured at the gate
    html = client_for("ent_admin").get(reverse("health:checkins"), {"q": "李秀英"}).content.decode()
    assert "36.6℃" in html and "复测；曾 38.0℃ 发热" in html


def test_who_has_not_checked_in_leaves_the_list_once_they_have(client_for: Callable[[str], Client], staff: dict[str, Person]) -> None:
    client = client_for("ent_admin")
    missing = client.get(reverse("health:checkins-missing"), {"q": "李秀英"})
    assert [p.pk for p in missing.context["page"].paginator.object_list] == [staff["colleague"].pk]
    day, slot = today_slot(staff["colleague"])
    checkin_record(person=staff["colleague"], temperature="36.5", slot=slot, day=day)
    assert client.get(reverse("health:checkins-missing"), {"q": "李秀英"}).context["page"].paginator.count == 0


def test_the_ledger_of_an_enterprise_holds_only_its_staff(client_for: Callable[[str], Client], staff: dict[str, Person]) -> None:
    for person in staff.values():
        checkin_record(person=person, temperature="36.5", slot=1)
    shown = {c.person_id for c in client_for("ent_admin").get(reverse("health:checkins")).context["page"].paginator.object_list}
    assert {staff["colleague"].pk, staff["employee"].pk} <= shown
    assert staff["neighbour"].pk not in shown and staff["heshan"].pk not in shown


def test_the_export_masks_id_numbers(client_for: Callable[[str], Client], staff: dict[str, Person]) -> None:
    checkin_record(person=staff["colleague"], temperature="36.5", slot=1)
    response = client_for("ent_admin").get(reverse("health:checkins"), {"export": "xlsx", "q": "李秀英"})
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("身份证号")
    assert [row[column] for row in rows[1:]] == [staff["colleague"].id_masked]
    assert "*" in staff["colleague"].id_masked
    assert staff["colleague"].reveal_id_number() not in str(rows)


@pytest.mark.parametrize("username", ["jmb_reviewer", "employee", "gate_guard"])
def test_reviewers_employees_and_gates_get_no_ledger(client_for: Callable[[str], Client], db: Any, username: str) -> None:
    client = client_for(username)
    for name in ("health:checkins", "health:checkins-missing", "health:alerts", "health:bulk"):
        assert client.get(reverse(name)).status_code == 403


# -- alerts -------------------------------------------------------------------------------------------

def _alert(person: Person, temperature: str = "38.4") -> Alert:
    alert = checkin_record(person=person, temperature=temperature, slot=1).alert
    assert alert is not None
    return alert


def test_open_alerts_come_first(client_for: Callable[[str], Client], staff: dict[str, Person]) -> None:
    older = _alert(staff["colleague"])
    Alert.objects.filter(pk=older.pk).update(status=AlertStatus.CLOSED, outcome=AlertOutcome.CLEARED)
    newer = _alert(staff["employee"])
    listed = list(client_for("ent_admin").get(reverse("health:alerts")).context["page"].paginator.object_list)
    assert listed.index(newer) < listed.index(Alert.objects.get(pk=older.pk))
    assert all(a.status == AlertStatus.OPEN for a in listed[:listed.index(newer) + 1])


def test_the_alert_page_shows_the_person_masked_and_the_check_in(client_for: Callable[[str], Client], staff: dict[str, Person]) -> None:
    alert = _alert(staff["colleague"])
    html = client_for("grid_officer").get(alert.get_absolute_url()).content.decode()
    assert staff["colleague"].id_masked in html and staff["colleague"].reveal_id_number() not in html
    assert "38.4℃" in html and "确认处置" in html


def test_closing_on_the_page_keeps_the_note_when_the_outcome_is_missing(client_for: Callable[[str], Client], staff: dict[str, Person]) -> None:
    alert = _alert(staff["colleague"])
    client = client_for("ent_admin")
    response = client.post(reverse("health:alert-close", args=[alert.uuid]), {"note": "已联系家属"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "请选择处置结果" in html and "已联系家属" in html
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_closing_on_the_page_closes_it_with_the_outcome_and_audits(client_for: Callable[[str], Client], staff: dict[str, Person]) -> None:
    alert = _alert(staff["colleague"])
    response = client_for("ent_admin").post(reverse("health:alert-close", args=[alert.uuid]),
                                            {"outcome": AlertOutcome.ISOLATED, "note": "已安排至企业隔离观察室。"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.note) == (AlertStatus.CLOSED, AlertOutcome.ISOLATED, "已安排至企业隔离观察室。")
    assert AuditEntry.objects.filter(action="alert.close", object_id=str(alert.pk)).exists()


def test_an_open_fever_alert_offers_a_quarantine_placement(client_for: Callable[[str], Client], staff: dict[str, Person]) -> None:
    from fugong.health.views import _quarantine_link

    alert = _alert(staff["colleague"])
    html = client_for("ent_admin").get(alert.get_absolute_url()).content.decode()
    link = _quarantine_link(alert)
    assert ("安排隔离" in html) == bool(link)
    if link:
        assert link in html


def test_another_enterprises_alert_is_not_found(client_for: Callable[[str], Client], staff: dict[str, Person]) -> None:
    alert = _alert(staff["neighbour"])
    client = client_for("ent_admin")
    assert client.get(alert.get_absolute_url()).status_code == 404
    assert client.post(reverse("health:alert-close", args=[alert.uuid]), {"outcome": "cleared", "note": "x"}).status_code == 404
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_the_home_page_counts_the_alerts_waiting(client_for: Callable[[str], Client], staff: dict[str, Person]) -> None:
    _alert(staff["colleague"])
    waiting = Alert.objects.for_user(User.objects.get(username="ent_admin")).filter(status=AlertStatus.OPEN).count()
    html = client_for("ent_admin").get(reverse("home")).content.decode()
    assert f"{waiting} 条预警待处置" in html


# -- temperatures from a spreadsheet ------------------------------------------------------------------

def sheet(rows: list[list[Any]], headers: list[str] | None = None, *, title: str = "") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    if title:
        worksheet.append([title])
    worksheet.append(headers or ["姓名", "身份证号", "体温", "咳嗽", "其他症状"])
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("体温登记表.xlsx", buffer.getvalue())


def test_a_sheet_of_temperatures_saves_its_rows_and_lists_the_refused_ones(client_for: Callable[[str], Client],
                                                                           staff: dict[str, Person]) -> None:
    # Given a sheet with a title line, two good rows (one by ID number, one by record id), a wrong name,
    # a person of another enterprise, a bad temperature and a cough that is neither yes nor no
    colleague, newcomer, neighbour = staff["colleague"], staff["newcomer"], staff["neighbour"]
    headers = ["姓名", "身份证号", "人员编号", "体温(℃)", "咳嗽", "其他症状"]
    rows = [
        ["李秀英", colleague.reveal_id_number(), "", 36.6, "否", ""],
        ["王芳", "", str(newcomer.pk), "37.9", "是", "咽痛"],
        ["李秀", colleague.reveal_id_number(), "", 36.5, "", ""],
        ["陈建国", neighbour.reveal_id_number(), "", 36.5, "", ""],
        ["李秀英", colleague.reveal_id_number(), "", "高", "", ""],
        ["李秀英", colleague.reveal_id_number(), "", 36.5, "有点", ""],
    ]
    day, slot = today_slot(colleague)
    client = client_for("ent_admin")
    # When ent_admin uploads it for the current slot
    response = client.post(reverse("health:bulk"), {"enterprise": colleague.enterprise_id, "day": day.isoformat(), "slot": slot,
                                                    "upload": sheet(rows, headers, title="某某公司体温登记表")})
    # Then the two good rows are saved (the fever raised its alert), and each refused row says why, by its row number
    assert response.status_code == 200
    imported = response.context["imported"]
    assert (imported.rows, imported.saved, imported.alerts) == (6, 2, 1)
    reasons = {r.number: r.reason for r in imported.refused}
    assert set(reasons) == {5, 6, 7, 8}
    assert "姓名" in reasons[5] and "人员不存在或不在您的管辖范围" in reasons[6] and "体温" in reasons[7] and "咳嗽" in reasons[8]
    assert CheckIn.objects.get(person=colleague, date=day, slot=slot).temperature == Decimal("36.6")
    assert CheckIn.objects.get(person=newcomer, date=day, slot=slot).source == CheckInSource.ENTERPRISE
    assert not CheckIn.objects.filter(person=neighbour).exists()
    # And the refused rows can be downloaded with their reasons
    report = client.get(reverse("health:bulk-errors"))
    sheet_rows = list(load_workbook(io.BytesIO(report.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert [row[0] for row in sheet_rows[1:]] == [5, 6, 7, 8]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("体温.pdf", b"%PDF-1.4", "只接受"),
    ("体温.xlsx", b"not a workbook", "无法读取"),
    ("体温.csv", "姓名,体温\n张三,36.5\n".encode(), "表头"),
])
def test_a_file_that_is_not_a_sheet_of_temperatures_is_refused_with_a_reason(client_for: Callable[[str], Client], staff: dict[str, Person],
                                                                             name: str, content: bytes, message: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = CheckIn.objects.count()
    response = client_for("ent_admin").post(reverse("health:bulk"), {"enterprise": staff["colleague"].enterprise_id,
                                                                     "upload": SimpleUploadedFile(name, content)})
    assert message in response.context["imported"].error
    assert CheckIn.objects.count() == before


def test_the_template_has_the_headers_the_import_reads(client_for: Callable[[str], Client], db: Any) -> None:
    from fugong.health.importers import COLUMNS

    response = client_for("ent_admin").get(reverse("health:bulk-template"))
    headers = next(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert all(header in COLUMNS for header in headers) and {"体温", "身份证号"} <= set(headers)
