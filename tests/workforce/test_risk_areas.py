"""The risk-area list (风险地区): pages to add, edit and end an area, the Excel import with its
row-by-row report, and who may do what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fugong.accounts.models import User
from fugong.audit.models import AuditEntry
from fugong.regions.models import Region
from fugong.workforce.choices import ReevaluationTrigger, RiskLevel
from fugong.workforce.models import ReevaluationRun, RiskArea
from fugong.workforce.risk import PlaceResolver, RiskAreaImporter, risk_area_create, risk_area_end
from tests.workforce.factories import csv_bytes, read_sheets, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

HEADERS = ["地区", "区划代码", "风险等级", "起始日期", "截止日期", "依据"]


def row(place: str = "", code: str = "", level: str = "高风险", start: Any = "2020-01-23", end: Any = "", basis: str = "测试通告") -> dict[str, Any]:
    return {"地区": place, "区划代码": code, "风险等级": level, "起始日期": start, "截止日期": end, "依据": basis}


def admin() -> User:
    return User.objects.get(username="admin")


# -- places ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "code"), [("420100", "420100"), ("武汉市", "420100"), ("湖北省武汉市", "420100"), ("湖北省 武汉市 武昌区", "420106"),
                                             ("北京市朝阳区", "110105"), ("高新区", "441602-GXQ")])
def test_a_place_is_found_by_code_full_name_or_a_name_only_it_has(db: Any, typed: str, code: str) -> None:
    assert PlaceResolver().resolve(typed) == Region.objects.get(code=code).pk


@pytest.mark.parametrize(("typed", "said"), [("朝阳区", "个地区名为“朝阳区”"), ("火星市", "找不到地区“火星市”"), (" ", "请填写地区")])
def test_a_shared_or_unknown_name_is_refused_never_guessed(db: Any, typed: str, said: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        PlaceResolver().resolve(typed)
    assert said in refused.value.messages[0]


# -- pages -----------------------------------------------------------------------------------------


def test_command_officer_adds_a_risk_area_and_a_reevaluation_follows(client_for: Callable[[str], Client],
                                                                     django_capture_on_commit_callbacks: Any) -> None:
    client = client_for("hitech_cmd")
    form = client.get(reverse("workforce:risk-create"))
    assert form.status_code == 200 and '<option value="420100">湖北省 武汉市</option>' in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workforce:risk-create"), {"place": "湖北省黄冈市", "level": RiskLevel.HIGH, "valid_from": "2020-01-25",
                                                                   "source": "黄冈市防控指挥部通告"})
    assert response.status_code == 302
    area = RiskArea.objects.get(region__code="421100", valid_from=date(2020, 1, 25))
    assert area.created_by == User.objects.get(username="hitech_cmd")
    entry = AuditEntry.objects.filter(action="risk_area.create", object_id=str(area.pk)).get()
    assert entry.data["region"] == "421100" and entry.object_label == "风险地区"
    run = ReevaluationRun.objects.latest("created_at")
    assert (run.trigger, run.status) == (ReevaluationTrigger.RISK_AREAS, "done")
    listed = client.get(reverse("workforce:risk-list"), {"q": "黄冈"})
    assert [a.pk for a in listed.context["page"].paginator.object_list] == [area.pk]


def test_refused_form_keeps_what_was_typed_and_says_what_to_fix(client_for: Callable[[str], Client]) -> None:
    before = RiskArea.objects.count()
    response = client_for("hitech_cmd").post(reverse("workforce:risk-create"), {
        "place": "朝阳区", "level": RiskLevel.MEDIUM, "valid_from": "2020-02-10", "valid_to": "2020-02-01", "source": "某通告"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "个地区名为“朝阳区”" in form.errors["place"][0]
    assert form.errors["valid_to"] == ["截止日期不能早于起始日期。"]
    html = response.content.decode()
    assert 'value="朝阳区"' in html and 'value="某通告"' in html
    assert RiskArea.objects.count() == before


def test_editing_and_ending_a_risk_area_are_audited(client_for: Callable[[str], Client]) -> None:
    area = risk_area_create(region=Region.objects.get(code="330300"), level=RiskLevel.HIGH, valid_from=date(2020, 2, 1), acting_user=admin())
    client = client_for("hitech_cmd")
    edit = client.post(reverse("workforce:risk-edit", args=[area.pk]), {"place": "330300", "level": RiskLevel.MEDIUM, "valid_from": "2020-02-01",
                                                                       "source": "降为中风险"})
    assert edit.status_code == 302
    area.refresh_from_db()
    assert (area.level, area.source) == (RiskLevel.MEDIUM, "降为中风险")
    changed = AuditEntry.objects.filter(action="risk_area.update", object_id=str(area.pk)).latest("seq").data["changed"]
    assert changed["level"] == ["high", "medium"]
    end = client.post(reverse("workforce:risk-end", args=[area.pk]))
    assert end.status_code == 302
    area.refresh_from_db()
    assert area.valid_to == timezone.localdate()
    def listed(state: str) -> bool:
        return area in client.get(reverse("workforce:risk-list"), {"state": state, "q": "330300"}).context["page"].paginator.object_list

    assert (listed("current"), listed("ended")) == (True, False)  # ended today: it still counts today, not tomorrow


def test_an_area_cannot_end_before_it_began(db: Any) -> None:
    from django.core.exceptions import ValidationError

    area = risk_area_create(region=Region.objects.get(code="330300"), level=RiskLevel.HIGH,
                            valid_from=timezone.localdate() + timedelta(days=5), acting_user=admin())
    with pytest.raises(ValidationError, match="不能在此之前解除"):
        risk_area_end(area=area, acting_user=admin())


@pytest.mark.parametrize(("username", "list_status", "write_status"), [
    ("admin", 200, 200), ("hitech_cmd", 200, 200), ("grid_officer", 200, 403), ("jmb_reviewer", 403, 403),
    ("ent_admin", 403, 403), ("employee", 403, 403), ("gate_guard", 403, 403)])
def test_command_keeps_the_list_and_grid_officers_read_it(client_for: Callable[[str], Client], username: str, list_status: int,
                                                          write_status: int) -> None:
    client = client_for(username)
    assert client.get(reverse("workforce:risk-list")).status_code == list_status
    assert client.get(reverse("workforce:risk-create")).status_code == write_status
    assert client.get(reverse("workforce:risk-import")).status_code == write_status


# -- import ----------------------------------------------------------------------------------------


def test_import_adds_the_good_rows_and_reports_each_bad_one(client_for: Callable[[str], Client],
                                                           django_capture_on_commit_callbacks: Any) -> None:
    rows = [
        row("湖北省", "420000"),
        row("", "330300", "中风险", "2020/02/01", "2020-02-29"),
        row("湖北省孝感市", "", "高"),
        row("火星市", "", "高风险"),  # unknown
        row("朝阳区", "", "高风险"),  # shared name
        row("湖北省", "", "极高"),  # bad level
        row("", "411500", "高风险", "二月一日"),  # bad date
        row("", "411500", "高风险", "2020-02-10", "2020-02-01"),  # ends before it begins
        row("武汉市", "330300"),  # name and code disagree
        row("湖北省", "420000"),  # the first row again
    ]
    audit_before = AuditEntry.objects.filter(action="risk_area.import").count()
    client = client_for("hitech_cmd")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workforce:risk-import"),
                               {"file": SimpleUploadedFile("风险地区.xlsx", xlsx_bytes(rows, HEADERS))})
    result = response.context["result"]
    assert result.imported == 3
    reasons = {r.number: r.reason for r in result.refused}
    assert set(reasons) == {5, 6, 7, 8, 9, 10, 11}
    assert "找不到地区“火星市”" in reasons[5] and "朝阳区" in reasons[6] and "风险等级" in reasons[7]
    assert "起始日期" in reasons[8] and "截止日期不能早于起始日期" in reasons[9] and "不一致" in reasons[10] and "已在名单中" in reasons[11]
    assert RiskArea.objects.filter(region__code__in=["420000", "330300", "420900"], source="测试通告").count() == 3
    assert AuditEntry.objects.filter(action="risk_area.import").count() == audit_before + 1
    assert ReevaluationRun.objects.filter(trigger=ReevaluationTrigger.RISK_AREAS).latest("created_at").status == "done"
    # The error report lists the refused rows with their reasons
    report = client.get(reverse("workforce:risk-import-errors"))
    sheet = next(iter(read_sheets(report.content).values()))
    assert sheet[0] == ["行号", *HEADERS, "错误原因"]
    assert [line[0] for line in sheet[1:]] == [5, 6, 7, 8, 9, 10, 11]


def test_import_reads_csv_and_refuses_a_file_without_the_headers(db: Any) -> None:
    importer = RiskAreaImporter(acting_user=admin())
    good = importer.run(csv_bytes([row("", "330300", "中风险", "2020-02-01")], HEADERS), "名单.csv")
    assert (good.imported, good.refused, good.error) == (1, [], "")
    bad = importer.run(csv_bytes([{"名称": "湖北省"}], ["名称", "等级"]), "名单.csv")
    assert bad.error.startswith("表头缺少：地区或区划代码、风险等级、起始日期")
    broken = importer.run(b"not a workbook", "名单.xlsx")
    assert broken.imported == 0 and "无法读取" in broken.error


def test_grid_officer_may_not_import(db: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        RiskAreaImporter(acting_user=User.objects.get(username="grid_officer"))


def test_import_template_downloads_with_the_headers(client_for: Callable[[str], Client]) -> None:
    response = client_for("admin").get(reverse("workforce:risk-import-template"))
    assert response.status_code == 200
    assert next(iter(read_sheets(response.content).values()))[0] == HEADERS
