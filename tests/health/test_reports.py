"""The enterprise's daily report (日报告): figures from the data, confirmation, zero report, the
missing-report alert at the policy's cut-off, and the town's view of who has not reported."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from fugong.accounts.models import User
from fugong.audit.models import AuditEntry
from fugong.enterprises.choices import Sector, Size
from fugong.enterprises.models import Enterprise, Gate
from fugong.health.choices import AlertKind, AlertOutcome, AlertStatus, ReportStatus
from fugong.health.models import Alert, DailyReport
from fugong.health.reports import (
    check_missing_reports,
    daily_report_confirm,
    daily_report_figures,
    daily_report_fill,
    daily_report_zero,
    gate_entries,
    materials_days_of,
    must_report,
)
from fugong.health.services import alert_raise, checkin_record
from fugong.policy.parameters import SHANGHAI
from fugong.quarantine.choices import PlacementReason, QuarantineKind
from fugong.quarantine.services import placement_create, placement_release
from fugong.regions.models import Region
from fugong.resumption.choices import MaterialItem, Status
from fugong.resumption.models import Application, MaterialReserve
from fugong.workforce.models import Person
from fugong.workforce.services import pass_issue, person_create
from tests.workforce.factories import id_number

pytestmark = pytest.mark.django_db

GRID1 = "441602-GXQ-IND01"
HITECH = "441602-GXQ"
_serials = count(8000)
_uscc = count(1)


def new_uscc() -> str:
    from stdnum.cn import uscc

    body = f"9144160{next(_uscc) % 10}MR{next(_uscc):07d}"
    return body + uscc.calc_check_digit(body)


def approved_enterprise(region_code: str = GRID1, *, masks: int | None = 1000, name: str = "河源市日报测试电子有限公司") -> Enterprise:
    """A new enterprise of ``region_code`` with an approved resumption application (and ``masks``
    in its reserve), set up as the services would have left it."""
    region = Region.objects.get(code=region_code)
    town = region if region.level == "town" else region.ancestor_at("town")
    enterprise = Enterprise.objects.create(name=name, uscc=new_uscc(), sector=Sector.INDUSTRY, size=Size.BELOW, address="科技大道1号", region=region,
                                           town=town, legal_representative="赵一", contact_name="钱二", contact_phone="13900000000", headcount=20)
    application = Application.objects.create(enterprise=enterprise, status=Status.APPROVED, number=f"RPT-{enterprise.pk}",
                                             decided_at=timezone.now())
    if masks is not None:
        MaterialReserve.objects.create(application=application, item=MaterialItem.MASK, quantity=masks)
    return enterprise


def person(enterprise: Enterprise, name: str, **data: Any) -> Person:
    return person_create(enterprise=enterprise, acting_user=User.objects.get(username="admin"),
                         data={"name": name, "id_number": id_number(next(_serials), area="441625"), "phone": "13900000000",
                               "origin": "local_not_away", **data})


def at_local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def admin(users: Callable[[str], User]) -> User:
    return users("admin")


@pytest.fixture
def ent_admin_enterprise(db: Any) -> Enterprise:
    from fugong.accounts.models import Membership

    return Membership.objects.get(user__username="ent_admin", role="enterprise").enterprise  # type: ignore[return-value]


# -- the figures -----------------------------------------------------------------------------------


def test_the_report_figures_equal_the_data(admin: User) -> None:
    # Given an approved enterprise with 1,000 masks in reserve, and today:
    enterprise = approved_enterprise()
    today = timezone.localdate()
    now = timezone.now()
    # two workers checked in, one of them back today from another province
    back_from_afar = person(enterprise, "甲", return_date=today, origin="other_province")
    checkin_record(person=back_from_afar, temperature="36.5", at=now)
    checkin_record(person=person(enterprise, "乙"), temperature="36.6", at=now)
    # one came through the gate with their pass (back today, local)
    through_gate = person(enterprise, "丙", return_date=today)
    gate = Gate.objects.create(enterprise=enterprise, name="南门")
    from fugong.gates.services import gate_scan

    gate_scan(gate=gate, token=pass_issue(person=through_gate, acting_user=admin).token, temperature="36.4", direction="in", acting_user=admin)
    # one checked in with a fever
    fever = person(enterprise, "丁")
    checkin_record(person=fever, temperature="38.0", at=now)
    # one back today but not yet on site, one at home in isolation, one released from isolation yesterday
    person(enterprise, "戊", return_date=today)
    placement_create(person=person(enterprise, "己"), kind=QuarantineKind.HOME, reason=PlacementReason.OUTSIDE_CITY,
                     start=today - timedelta(days=3), acting_user=admin)
    released = placement_create(person=person(enterprise, "庚"), kind=QuarantineKind.HOME, reason=PlacementReason.OUTSIDE_CITY,
                                start=today - timedelta(days=15), acting_user=admin)
    placement_release(placement=released, on=today - timedelta(days=1), acting_user=admin)

    # When the report is filled in
    figures = daily_report_figures(enterprise, today)

    # Then each figure is what the data says
    assert gate_entries(enterprise, today) == {through_gate.pk}
    assert figures.on_site == 4  # 甲 乙 (check-ins), 丙 (gate), 丁 (fever check-in)
    assert figures.returned_today == {"other_province": 1, "local_not_away": 2}
    assert figures.in_isolation == 1
    assert figures.fever_cases == 1
    assert figures.materials_days == Decimal("250.0")  # 1000 masks ÷ (4 on site × 1 mask a day)
    assert figures.masks == 1000 and figures.abnormal


def test_figures_of_a_past_day_count_who_was_isolated_then(admin: User) -> None:
    enterprise = approved_enterprise()
    today = timezone.localdate()
    placement = placement_create(person=person(enterprise, "甲"), kind=QuarantineKind.HOME, reason=PlacementReason.CONTACT,
                                 start=today - timedelta(days=10), acting_user=admin)
    placement_release(placement=placement, on=today - timedelta(days=2), note="提前解除：排除密接。", acting_user=admin)
    assert daily_report_figures(enterprise, today - timedelta(days=5)).in_isolation == 1
    assert daily_report_figures(enterprise, today - timedelta(days=2)).in_isolation == 0
    assert daily_report_figures(enterprise, today - timedelta(days=11)).in_isolation == 0


def test_days_of_materials_are_unknown_without_a_reserve_or_anyone_on_site() -> None:
    assert materials_days_of(None, 10, Decimal("1")) is None
    assert materials_days_of(500, 0, Decimal("1")) is None
    assert materials_days_of(500, 10, Decimal("0")) is None
    assert materials_days_of(500, 30, Decimal("1")) == Decimal("16.6")
    enterprise = approved_enterprise(masks=None)
    assert daily_report_figures(enterprise, timezone.localdate()).materials_days is None


@given(masks=st.integers(0, 10_000_000), on_site=st.integers(1, 100_000), per_person=st.sampled_from(["0.5", "1", "2", "3"]))
def test_days_of_materials_never_overstate_the_reserve(masks: int, on_site: int, per_person: str) -> None:
    daily = on_site * Decimal(per_person)
    days = materials_days_of(masks, on_site, Decimal(per_person))
    assert days is not None
    assert days * daily <= masks
    assert (days + Decimal("0.1")) * daily > masks or days == Decimal("99999.9")


# -- filing ----------------------------------------------------------------------------------------


def test_the_enterprise_confirms_its_report_with_the_figures_and_it_is_audited(users: Callable[[str], User],
                                                                               ent_admin_enterprise: Enterprise) -> None:
    enterprise = ent_admin_enterprise
    checkin_record(person=person(enterprise, "欧阳娜娜"), temperature="36.5")
    expected = daily_report_figures(enterprise, timezone.localdate())
    report = daily_report_confirm(enterprise=enterprise, note="今日正常。", acting_user=users("ent_admin"))
    assert report.status == ReportStatus.CONFIRMED and report.note == "今日正常。" and report.submitted_at is not None
    assert (report.on_site, report.in_isolation, report.fever_cases) == (expected.on_site, expected.in_isolation, expected.fever_cases)
    entry = AuditEntry.objects.get(action="daily_report.confirm", object_id=str(report.pk))
    assert entry.data["on_site"] == expected.on_site and "欧阳娜娜" not in str(entry.payload())


def test_a_draft_is_filled_from_the_data_and_a_filed_report_is_kept_as_filed(users: Callable[[str], User]) -> None:
    enterprise = approved_enterprise()
    draft = daily_report_fill(enterprise=enterprise, day=timezone.localdate())
    assert (draft.status, draft.on_site) == (ReportStatus.DRAFT, 0)
    checkin_record(person=person(enterprise, "甲"), temperature="36.5")
    assert daily_report_fill(enterprise=enterprise, day=timezone.localdate()).on_site == 1
    daily_report_zero(enterprise=enterprise, acting_user=users("admin"))
    checkin_record(person=person(enterprise, "乙"), temperature="36.5")
    kept = daily_report_fill(enterprise=enterprise, day=timezone.localdate())
    assert (kept.status, kept.on_site) == (ReportStatus.ZERO, 1)


def test_a_zero_report_is_one_click_when_nothing_is_abnormal(client_for: Callable[[str], Client], ent_admin_enterprise: Enterprise) -> None:
    # Given ent_admin's enterprise with nobody isolated and no fever today
    Alert.objects.filter(enterprise=ent_admin_enterprise, kind=AlertKind.FEVER, date=timezone.localdate()).delete()
    from fugong.quarantine.models import Placement

    Placement.objects.filter(enterprise=ent_admin_enterprise).delete()
    # When its prevention officer presses 零报告
    response = client_for("ent_admin").post(reverse("health:report-zero", args=[ent_admin_enterprise.pk]))
    # Then today's report is a zero report
    assert response.status_code == 302
    report = DailyReport.objects.get(enterprise=ent_admin_enterprise, date=timezone.localdate())
    assert report.status == ReportStatus.ZERO and report.submitted_by == User.objects.get(username="ent_admin")


def test_a_zero_report_is_refused_when_someone_is_isolated(users: Callable[[str], User], admin: User) -> None:
    enterprise = approved_enterprise()
    placement_create(person=person(enterprise, "甲"), kind=QuarantineKind.HOME, reason=PlacementReason.CONTACT, acting_user=admin)
    with pytest.raises(ValidationError, match="不能零报告"):
        daily_report_zero(enterprise=enterprise, acting_user=admin)
    assert not DailyReport.objects.filter(enterprise=enterprise).exists()
    assert daily_report_confirm(enterprise=enterprise, acting_user=admin).in_isolation == 1


@pytest.mark.parametrize("username", ["hitech_cmd", "grid_officer", "jmb_reviewer", "employee", "gate_guard"])
def test_only_the_enterprise_files_its_report(users: Callable[[str], User], client_for: Callable[[str], Client],
                                              ent_admin_enterprise: Enterprise, username: str) -> None:
    with pytest.raises(PermissionDenied):
        daily_report_confirm(enterprise=ent_admin_enterprise, acting_user=users(username))
    assert client_for(username).post(reverse("health:report-confirm", args=[ent_admin_enterprise.pk])).status_code == 403
    assert not DailyReport.objects.filter(enterprise=ent_admin_enterprise, date=timezone.localdate(), status__in=["confirmed", "zero"]).exists()


def test_a_report_for_tomorrow_is_refused(admin: User) -> None:
    with pytest.raises(ValidationError, match="今天以后"):
        daily_report_confirm(enterprise=approved_enterprise(), day=timezone.localdate() + timedelta(days=1), acting_user=admin)


# -- the missing-report alert ----------------------------------------------------------------------


def test_the_missing_report_alert_is_raised_once_after_each_countys_cut_off_and_not_before() -> None:
    # Given an approved enterprise in 高新区 (源城区: 10:00) and one in 鹤山市 (9:00), on a March day of 2020
    heyuan = approved_enterprise(GRID1, name="河源市未报测试有限公司")
    heshan_grid = Region.objects.filter(path__contains="/440784/", level="grid").order_by("pk").first()
    assert heshan_grid is not None
    heshan = approved_enterprise(heshan_grid.code, name="鹤山市未报测试有限公司")
    day = date(2020, 3, 2)

    def alerted() -> set[int]:
        return set(Alert.objects.filter(kind=AlertKind.MISSING_REPORT, date=day, enterprise__in=[heyuan, heshan])
                   .values_list("enterprise_id", flat=True))

    # When the job runs before 9:00, then at 9:00, 9:59, 10:00 and again at 10:30
    check_missing_reports(at=at_local(day, 8, 59))
    before_nine = alerted()
    check_missing_reports(at=at_local(day, 9, 0))
    at_nine = alerted()
    check_missing_reports(at=at_local(day, 9, 59))
    at_nine_fifty_nine = alerted()
    raised_at_ten = check_missing_reports(at=at_local(day, 10, 0))
    again = check_missing_reports(at=at_local(day, 10, 30))

    # Then nothing before the cut-off, 鹤山市's at 9:00, 高新区's at 10:00, and nothing twice
    assert before_nine == set()
    assert at_nine == at_nine_fifty_nine == {heshan.pk}
    assert heyuan.pk in {alert.enterprise_id for alert in raised_at_ten} and heshan.pk not in {a.enterprise_id for a in raised_at_ten}
    assert again == []
    assert Alert.objects.filter(kind=AlertKind.MISSING_REPORT, date=day, enterprise__in=[heyuan, heshan]).count() == 2
    alert = Alert.objects.get(kind=AlertKind.MISSING_REPORT, date=day, enterprise=heyuan)
    assert alert.status == AlertStatus.OPEN and "10:00" in alert.detail


def test_no_alert_for_a_filed_report_or_an_enterprise_not_approved(admin: User) -> None:
    filed = approved_enterprise(name="河源市已报测试有限公司")
    daily_report_confirm(enterprise=filed, acting_user=admin)
    not_approved = approved_enterprise(name="河源市未批准测试有限公司")
    Application.objects.filter(enterprise=not_approved).update(status=Status.INSPECTION)
    raised = check_missing_reports(at=timezone.localtime().replace(hour=23, minute=0))
    enterprises = {alert.enterprise_id for alert in raised}
    assert filed.pk not in enterprises and not_approved.pk not in enterprises
    assert must_report(Enterprise.objects.filter(pk__in=[filed.pk, not_approved.pk])).get() == filed


def test_a_late_report_settles_the_missing_report_alert(users: Callable[[str], User], ent_admin_enterprise: Enterprise) -> None:
    today = timezone.localdate()
    alert = alert_raise(kind=AlertKind.MISSING_REPORT, enterprise=ent_admin_enterprise, detail="日报未在 10:00 前报送")
    daily_report_confirm(enterprise=ent_admin_enterprise, acting_user=users("ent_admin"))
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.date) == (AlertStatus.CLOSED, AlertOutcome.CLEARED, today)


def test_the_job_is_a_celery_task_scheduled_by_beat() -> None:
    from datetime import timedelta

    from fugong.celery import app
    from fugong.health.tasks import check_missing_reports as task

    scheduled = [entry for entry in app.conf.beat_schedule.values() if entry["task"] == "fugong.health.tasks.check_missing_reports"]
    assert [entry["schedule"] for entry in scheduled] == [timedelta(minutes=15)]
    assert task.name in app.tasks
    enterprise = approved_enterprise(name="河源市定时任务测试有限公司")
    result = task.apply(kwargs={"at": at_local(date(2020, 3, 3), 11).isoformat()}).get()
    assert enterprise.pk in result["enterprises"] and result["raised"] == len(result["enterprises"])


# -- the town's page -------------------------------------------------------------------------------


def test_the_town_sees_exactly_who_has_not_reported(client_for: Callable[[str], Client], admin: User) -> None:
    # Given two approved enterprises of 高新区, one of which confirmed today's report
    reported = approved_enterprise(name="河源市今日已报有限公司")
    silent = approved_enterprise(name="河源市今日未报有限公司")
    daily_report_confirm(enterprise=reported, acting_user=admin)
    today = timezone.localdate()
    # When 高新区's command filters 未报送
    response = client_for("hitech_cmd").get(reverse("health:report-status"), {"state": "missing", "page": 1})
    listed = {e.pk for e in response.context["page"].paginator.object_list}
    # Then the list is exactly 高新区's approved enterprises without a filed report today (worked out here)
    filed = DailyReport.objects.filter(enterprise=OuterRef("pk"), date=today, status__in=[ReportStatus.CONFIRMED, ReportStatus.ZERO])
    approved = Application.objects.filter(enterprise=OuterRef("pk"), status=Status.APPROVED)
    expected = set(Enterprise.objects.filter(town__code=HITECH).filter(Exists(approved)).exclude(Exists(filed)).values_list("pk", flat=True))
    assert listed == expected and silent.pk in listed and reported.pk not in listed
    # And the counts add up for the whole town
    counts = response.context["counts"]
    assert counts["total"] == counts["reported"] + counts["zero"] + counts["missing"]
    assert counts["missing"] == len(expected)
    assert not {e.town.code for e in response.context["page"].object_list} - {HITECH}


def test_the_status_page_exports_the_day(client_for: Callable[[str], Client], admin: User) -> None:
    enterprise = approved_enterprise(name="河源市导出日报有限公司")
    checkin_record(person=person(enterprise, "甲"), temperature="36.5")
    daily_report_confirm(enterprise=enterprise, acting_user=admin)
    response = client_for("hitech_cmd").get(reverse("health:report-status"), {"q": "导出日报", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:6] == ("企业名称", "统一社会信用代码", "镇街", "网格", "日期", "报送情况")
    assert len(rows) == 2 and rows[1][0] == enterprise.name and rows[1][5] == "已报送" and rows[1][7] == 1


def test_a_past_day_shows_the_reports_of_that_day(client_for: Callable[[str], Client], admin: User) -> None:
    enterprise = approved_enterprise(name="河源市补报测试有限公司")
    yesterday = timezone.localdate() - timedelta(days=1)
    daily_report_confirm(enterprise=enterprise, day=yesterday, acting_user=admin)
    client = client_for("hitech_cmd")
    then = client.get(reverse("health:report-status"), {"q": "补报测试", "date": yesterday.isoformat()})
    now = client.get(reverse("health:report-status"), {"q": "补报测试"})
    assert [e.state for e in then.context["page"].object_list] == ["reported"]
    assert [e.state for e in now.context["page"].object_list] == ["missing"]


def test_another_towns_enterprise_is_not_found_on_the_report_pages(client_for: Callable[[str], Client], ent_admin_enterprise: Enterprise) -> None:
    heshan = Enterprise.objects.filter(region__path__contains="/440784/").order_by("pk").first()
    neighbour = Enterprise.objects.filter(town__code=HITECH).exclude(pk=ent_admin_enterprise.pk).order_by("pk").first()
    assert heshan is not None and neighbour is not None
    assert client_for("hitech_cmd").get(reverse("health:report-enterprise", args=[heshan.pk])).status_code == 404
    assert client_for("ent_admin").get(reverse("health:report-enterprise", args=[neighbour.pk])).status_code == 404
    assert client_for("ent_admin").post(reverse("health:report-zero", args=[neighbour.pk])).status_code == 404
    assert client_for("jmb_reviewer").get(reverse("health:report-enterprise", args=[neighbour.pk])).status_code == 403
    assert client_for("hitech_cmd").get(reverse("health:report-status"), {"q": heshan.name}).context["page"].paginator.count == 0


def test_the_enterprise_page_shows_todays_figures_and_the_history(client_for: Callable[[str], Client], users: Callable[[str], User],
                                                                  ent_admin_enterprise: Enterprise) -> None:
    daily_report_confirm(enterprise=ent_admin_enterprise, day=timezone.localdate() - timedelta(days=1), acting_user=users("ent_admin"))
    response = client_for("ent_admin").get(reverse("health:report-mine"), follow=True)
    assert response.status_code == 200 and response.context["enterprise"] == ent_admin_enterprise
    assert response.context["can_file"] and response.context["figures"].day == timezone.localdate()
    assert response.context["history"][0].date == timezone.localdate() - timedelta(days=1)
    assert client_for("hitech_cmd").get(reverse("health:report-mine")).url == reverse("health:report-status")


# -- the API ---------------------------------------------------------------------------------------


def test_the_api_confirms_and_files_a_zero_report(client_for: Callable[[str], Client], admin: User) -> None:
    enterprise = approved_enterprise(name="河源市接口日报有限公司")
    client = client_for("admin")
    zero = client.post(reverse("api:daily-report-zero"), json.dumps({"enterprise": enterprise.pk}), content_type="application/json")
    assert zero.status_code == 200 and zero.json()["status"] == ReportStatus.ZERO
    placement_create(person=person(enterprise, "甲"), kind=QuarantineKind.HOME, reason=PlacementReason.CONTACT, acting_user=admin)
    refused = client.post(reverse("api:daily-report-zero"), json.dumps({"enterprise": enterprise.pk}), content_type="application/json")
    assert refused.status_code == 400 and "不能零报告" in refused.json()["detail"]
    confirmed = client.post(reverse("api:daily-report-confirm"), json.dumps({"enterprise": enterprise.pk, "note": "有一人居家隔离"}),
                            content_type="application/json")
    assert confirmed.status_code == 200 and confirmed.json()["in_isolation"] == 1
    listed = client_for("hitech_cmd").get(reverse("api:daily-report-list"), {"enterprise": enterprise.pk}).json()["results"]
    assert [row["status"] for row in listed] == [ReportStatus.CONFIRMED]
    assert client_for("heshan_cmd").get(reverse("api:daily-report-detail", args=[listed[0]["id"]])).status_code == 404
    assert client_for("hitech_cmd").post(reverse("api:daily-report-confirm"), json.dumps({"enterprise": enterprise.pk}),
                                         content_type="application/json").status_code == 403


def test_an_entry_at_a_checkpoint_is_not_an_entry_on_site(admin: User) -> None:
    from fugong.gates.services import gate_scan

    enterprise = approved_enterprise(name="河源市检查站测试有限公司")
    worker = person(enterprise, "甲")
    checkpoint = Gate.objects.get(name="源城区入城检查站")
    gate_scan(gate=checkpoint, token=pass_issue(person=worker, acting_user=admin).token, temperature="36.5", direction="in", acting_user=admin)
    assert gate_entries(enterprise, timezone.localdate()) == set()


def test_an_officer_who_reviews_here_and_serves_a_grid_elsewhere_sees_no_reports_here(ent_admin_enterprise: Enterprise) -> None:
    # Given a grid officer of 鹤山市 who is also a reviewer at 高新区经贸办
    from fugong.accounts.choices import Role
    from fugong.accounts.models import Membership
    from fugong.regions.models import Region

    two_hats = User.objects.create_user(username="two_hats", password="x", display_name="两个身份")
    Membership.objects.create(user=two_hats, role=Role.GRID,
                              region=Region.objects.filter(level="grid", path__contains="/440784/").order_by("code").first())
    Membership.objects.create(user=two_hats, role=Role.REVIEWER, department=Membership.objects.get(user__username="jmb_reviewer").department)
    client = Client()
    client.force_login(two_hats)
    # Then 高新区's enterprises, which they only review, are neither on their status page nor in its export nor openable
    assert client.get(reverse("health:report-enterprise", args=[ent_admin_enterprise.pk])).status_code == 404
    listed = client.get(reverse("health:report-status"), {"q": ent_admin_enterprise.name})
    assert listed.status_code == 200 and listed.context["page"].paginator.count == 0
    exported = load_workbook(io.BytesIO(client.get(reverse("health:report-status"), {"export": "xlsx"}).content)).active
    assert ent_admin_enterprise.name not in {row[0] for row in exported.iter_rows(values_only=True)}  # type: ignore[union-attr]
