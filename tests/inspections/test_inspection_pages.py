"""The inspection pages: the acceptance queue, the phone page (results, notes, photos, opinion,
signature), completion that approves or creates rectification items, re-inspection, the
rectification ledger, scoping (another county's officer gets 404) and refusals in Chinese."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fugong.accounts.models import User
from fugong.enterprises.models import Enterprise
from fugong.inspections.choices import InspectionStatus, RectificationStatus, Result, TemplateKind
from fugong.inspections.models import ChecklistTemplate, Inspection, InspectionPhoto, InspectionResult, RectificationItem
from fugong.inspections.services import applicable_items
from fugong.policy.services import current
from fugong.resumption.choices import Status
from fugong.resumption.models import Application, Notice
from tests.inspections.acceptance_flow import PDF, application_in_inspection, approved_application, png, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def application() -> Application:
    return application_in_inspection()


@pytest.fixture
def officer(client_for: Callable[[str], Client]) -> Client:
    return client_for("grid_officer")


def start(client: Client, application: Application) -> Inspection:
    response = client.post(reverse("inspections:start-acceptance", args=[application.uuid]))
    assert response.status_code == 302
    inspection = Inspection.objects.get(application=application, status=InspectionStatus.IN_PROGRESS)
    assert response["Location"] == reverse("inspections:detail", args=[inspection.uuid])
    return inspection


def all_results(inspection: Inspection, **overrides: tuple[str, str]) -> dict[str, str]:
    """Form fields for every item passed; ``overrides`` by item order, e.g. o5=("fail", "note")."""
    data = {}
    for item in applicable_items(inspection.template, inspection.enterprise):
        result, note = overrides.get(f"o{item.order}", (Result.PASS, ""))
        data[f"result-{item.pk}"] = result
        data[f"note-{item.pk}"] = note
    return data


def item_of(inspection: Inspection, order: int) -> Any:
    return next(i for i in applicable_items(inspection.template, inspection.enterprise) if i.order == order)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# -- the queue and the start ------------------------------------------------------------------------

def test_grid_officer_sees_the_application_awaiting_acceptance_and_starts_it(officer: Client, application: Application) -> None:
    # Given an application approved on paper, when the grid officer opens the inspection list
    page = officer.get(reverse("inspections:list"))
    # then it waits in 待验收 with a start button
    assert page.status_code == 200
    text = page.content.decode()
    assert "待验收" in text and application.enterprise.name in text
    assert reverse("inspections:start-acceptance", args=[application.uuid]) in text
    # and starting it opens the phone page with the 11 items, nothing checked yet
    inspection = start(officer, application)
    detail = officer.get(reverse("inspections:detail", args=[inspection.uuid]))
    html = detail.content.decode()
    assert "已检查 0/11" in html
    assert html.count('class="btn-check"') == 33  # 合格 / 不合格 / 不适用 for each of the 11 items
    assert html.count('capture="environment"') == 11 and 'accept="image/*"' in html
    assert reverse("inspections:complete", args=[inspection.uuid]) in html
    # and starting again continues the same inspection
    assert start(officer, application).pk == inspection.pk


def test_an_inspection_page_in_progress_keeps_results_and_shows_progress(officer: Client, application: Application) -> None:
    inspection = start(officer, application)
    first, second = item_of(inspection, 1), item_of(inspection, 2)
    response = officer.post(reverse("inspections:detail", args=[inspection.uuid]),
                            {f"result-{first.pk}": "pass", f"result-{second.pk}": "na", f"note-{second.pk}": "无此项"})
    assert response.status_code == 302
    assert dict(inspection.results.values_list("item_id", "result")) == {first.pk: "pass", second.pk: "na"}
    assert "已检查 2/11" in officer.get(reverse("inspections:detail", args=[inspection.uuid])).content.decode()


# -- a passed acceptance ---------------------------------------------------------------------------

def test_passed_acceptance_with_a_photo_approves_the_application_and_issues_the_notice(officer: Client, application: Application) -> None:
    inspection = start(officer, application)
    detail_url = reverse("inspections:detail", args=[inspection.uuid])
    # Given every item recorded as passed
    assert officer.post(detail_url, all_results(inspection)).status_code == 302
    assert "已检查 11/11" in officer.get(detail_url).content.decode()
    # When a photo of the gate checkpoint is taken for item 4
    gate = item_of(inspection, 4)
    response = officer.post(reverse("inspections:photo-upload", args=[inspection.uuid]), {"item": gate.pk, "image": png("门岗.png")})
    assert response.status_code == 302
    photo = InspectionPhoto.objects.get(result__inspection=inspection)
    assert photo.result.item_id == gate.pk
    # then its thumbnail is on the page and the photo is served inline as a PNG, not sniffed
    assert reverse("inspections:photo", args=[inspection.uuid, photo.uuid]) in officer.get(detail_url).content.decode()
    served = officer.get(reverse("inspections:photo", args=[inspection.uuid, photo.uuid]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png" and served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith("inline")
    assert b"".join(served.streaming_content) == png_bytes()
    # When the inspector gives the opinion, signs and confirms
    response = officer.post(reverse("inspections:complete", args=[inspection.uuid]),
                            {**all_results(inspection), "opinion": "防控措施落实到位，同意复工。", "signed_name": "李网格"})
    # then the application is approved, the notice issued, and the officer lands on the application
    application = Application.objects.get(pk=application.pk)
    notice = Notice.objects.get(application=application)
    assert application.status == Status.APPROVED
    assert response.status_code == 302 and response["Location"] == reverse("resumption:detail", args=[application.uuid])
    assert f"验收通过，已签发复工通知书 {notice.number}" in " ".join(messages_of(response))
    # and the inspection reads back read-only with results, photo, opinion and signature
    done = officer.get(detail_url).content.decode()
    assert "btn-check" not in done and "防控措施落实到位，同意复工。" in done and "李网格" in done
    assert reverse("inspections:photo", args=[inspection.uuid, photo.uuid]) in done
    assert notice.number in done
    # and a completed inspection can no longer be changed
    response = officer.post(detail_url, all_results(inspection, o1=(Result.FAIL, "改了")))
    assert response.status_code == 302 and "该检查已完成" in " ".join(messages_of(response))
    assert not inspection.results.filter(result=Result.FAIL).exists()


def test_the_photo_can_come_with_the_page_form_and_results_typed_are_saved_with_it(officer: Client, application: Application) -> None:
    inspection = start(officer, application)
    plan = item_of(inspection, 1)
    response = officer.post(reverse("inspections:photo-upload", args=[inspection.uuid]),
                            {f"result-{plan.pk}": "pass", f"note-{plan.pk}": "方案齐全", "item": plan.pk, f"image-{plan.pk}": png()})
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{plan.pk}")
    result = InspectionResult.objects.get(inspection=inspection, item=plan)
    assert (result.result, result.note, result.photos.count()) == ("pass", "方案齐全", 1)


def test_a_photo_before_any_result_is_refused_rather_than_recorded_as_passed(officer: Client, application: Application) -> None:
    inspection = start(officer, application)
    response = officer.post(reverse("inspections:photo-upload", args=[inspection.uuid]), {"item": item_of(inspection, 3).pk, "image": png()})
    assert response.status_code == 200
    assert "第 3 项：请先选择检查结果" in response.content.decode()
    assert not InspectionResult.objects.filter(inspection=inspection).exists()


# -- refusals ----------------------------------------------------------------------------------------

def test_a_fail_without_a_note_is_refused_in_chinese_and_what_was_typed_stays(officer: Client, application: Application) -> None:
    inspection = start(officer, application)
    data = all_results(inspection, o1=(Result.FAIL, ""), o2=(Result.PASS, "花名册已核对"))
    data["opinion"], data["signed_name"] = "待整改", "李网格"
    response = officer.post(reverse("inspections:detail", args=[inspection.uuid]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "第 1 项不合格，请写明问题" in html and "不合格项须写明问题。" in html
    assert "花名册已核对" in html and "待整改" in html and 'value="李网格"' in html
    first = item_of(inspection, 1)
    assert f'id="result-{first.pk}-fail" value="fail" autocomplete="off" checked' in html
    assert not inspection.results.exists()
    # Completing the same way is refused too, and nothing is approved
    response = officer.post(reverse("inspections:complete", args=[inspection.uuid]), data)
    assert response.status_code == 200 and "第 1 项不合格，请写明问题" in response.content.decode()
    application = Application.objects.get(pk=application.pk)
    assert application.status == Status.INSPECTION


def test_completion_says_which_items_are_missing_and_asks_for_the_signature(officer: Client, application: Application) -> None:
    inspection = start(officer, application)
    complete_url = reverse("inspections:complete", args=[inspection.uuid])
    first_three = {k: v for k, v in all_results(inspection).items() if int(k.split("-")[1]) in
                   {item_of(inspection, n).pk for n in (1, 2, 3)}}
    response = officer.post(complete_url, {**first_three, "opinion": "合格", "signed_name": "李网格"})
    assert response.status_code == 200
    assert "还有第 4、5、6、7、8、9、10、11 项未检查" in response.content.decode()
    response = officer.post(complete_url, {**all_results(inspection), "opinion": "合格", "signed_name": " "})
    assert response.status_code == 200 and "请检查人签名确认" in response.content.decode()
    # The results typed with the refused completion were kept (saved before completing)
    assert inspection.results.count() == 11
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.IN_PROGRESS


def test_a_png_that_is_really_a_pdf_is_refused(officer: Client, application: Application) -> None:
    inspection = start(officer, application)
    item = item_of(inspection, 4)
    officer.post(reverse("inspections:detail", args=[inspection.uuid]), {f"result-{item.pk}": "pass"})
    fake = SimpleUploadedFile("门岗.png", PDF, content_type="image/png")
    response = officer.post(reverse("inspections:photo-upload", args=[inspection.uuid]), {"item": item.pk, "image": fake})
    assert response.status_code == 200
    assert "内容与扩展名 .png 不符" in response.content.decode()
    assert not InspectionPhoto.objects.filter(result__inspection=inspection).exists()
    # and a document is not a photo at all
    response = officer.post(reverse("inspections:photo-upload", args=[inspection.uuid]),
                            {"item": item.pk, "image": SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")})
    assert "只接受 JPG、PNG 文件" in response.content.decode()
    assert not InspectionPhoto.objects.filter(result__inspection=inspection).exists()


# -- a failed acceptance, rectification and re-inspection -----------------------------------------------

def test_failed_acceptance_creates_a_rectification_item_and_a_second_acceptance_can_start(officer: Client, application: Application) -> None:
    inspection = start(officer, application)
    data = all_results(inspection, o5=(Result.FAIL, "口罩仅够 3 天"))
    response = officer.post(reverse("inspections:complete", args=[inspection.uuid]),
                            {**data, "opinion": "物资储备不足，整改后复验。", "signed_name": "李网格"})
    assert response.status_code == 302 and response["Location"] == reverse("inspections:detail", args=[inspection.uuid])
    # A rectification item with the policy's deadline; the application still waits for acceptance
    item = RectificationItem.objects.get(inspection=inspection)
    days = current(application.enterprise.region).rectification_days
    assert item.deadline == timezone.localdate() + timedelta(days=days)
    assert "口罩仅够 3 天" in item.description and item.status == RectificationStatus.OPEN
    assert "验收未通过" in " ".join(messages_of(response)) and f"{item.deadline:%m月%d日}前" in " ".join(messages_of(response))
    application = Application.objects.get(pk=application.pk)
    assert application.status == Status.INSPECTION and not Notice.objects.filter(application=application).exists()
    page = officer.get(reverse("inspections:detail", args=[inspection.uuid])).content.decode()
    assert "整改事项" in page and "口罩仅够 3 天" in page
    # The queue offers a re-inspection, which is a new acceptance
    listing = officer.get(reverse("inspections:list")).content.decode()
    assert "开始复验" in listing and "已验收未通过 1 次" in listing
    second = start(officer, application)
    assert second.pk != inspection.pk


def test_enterprise_answers_and_the_officer_verifies_or_reopens(client_for: Callable[[str], Client], officer: Client,
                                                                application: Application) -> None:
    inspection = start(officer, application)
    officer.post(reverse("inspections:complete", args=[inspection.uuid]),
                 {**all_results(inspection, o5=(Result.FAIL, "口罩不足"), o9=(Result.FAIL, "无废弃口罩回收桶")),
                  "opinion": "整改", "signed_name": "李网格"})
    first, second = RectificationItem.objects.filter(inspection=inspection).order_by("pk")
    enterprise = client_for("ent_admin")
    # The enterprise admin sees its items with an answer form, and no verify buttons
    page = enterprise.get(reverse("inspections:rectifications")).content.decode()
    assert reverse("inspections:rectification-answer", args=[first.pk]) in page
    assert reverse("inspections:rectification-verify", args=[first.pk]) not in page
    # An empty answer is refused in Chinese
    response = enterprise.post(reverse("inspections:rectification-answer", args=[first.pk]), {"answer": " "}, follow=True)
    assert "请填写整改情况" in response.content.decode()
    for item in (first, second):
        response = enterprise.post(reverse("inspections:rectification-answer", args=[item.pk]), {"answer": "已补充 2000 只口罩"})
        assert response.status_code == 302
    # The officer sees verify / reopen buttons, the enterprise cannot verify
    page = officer.get(reverse("inspections:rectifications")).content.decode()
    assert reverse("inspections:rectification-verify", args=[first.pk]) in page
    assert enterprise.post(reverse("inspections:rectification-verify", args=[first.pk]), {"accepted": "1"}).status_code == 403
    officer.post(reverse("inspections:rectification-verify", args=[first.pk]), {"accepted": "1"})
    officer.post(reverse("inspections:rectification-verify", args=[second.pk]), {"accepted": "0"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (RectificationStatus.VERIFIED, RectificationStatus.REOPENED)
    # A reopened item can be answered again
    assert reverse("inspections:rectification-answer", args=[second.pk]) in enterprise.get(reverse("inspections:rectifications")).content.decode()
    # The enterprise sees its inspection read only
    html = enterprise.get(reverse("inspections:detail", args=[inspection.uuid])).content.decode()
    assert "btn-check" not in html and "无废弃口罩回收桶" in html


def test_rectification_list_filters_overdue_and_exports(officer: Client, application: Application) -> None:
    inspection = start(officer, application)
    officer.post(reverse("inspections:complete", args=[inspection.uuid]),
                 {**all_results(inspection, o7=(Result.FAIL, "无消毒记录")), "opinion": "整改", "signed_name": "李网格"})
    item = RectificationItem.objects.get(inspection=inspection)
    url = reverse("inspections:rectifications")
    table = {"HX-Request": "true", "HX-Target": "list-table"}
    assert "无消毒记录" in officer.get(url, {"overdue": "false"}, headers=table).content.decode()
    assert "无消毒记录" not in officer.get(url, {"overdue": "true"}, headers=table).content.decode()
    RectificationItem.objects.filter(pk=item.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    overdue = officer.get(url, {"overdue": "true"}, headers=table).content.decode()
    assert "无消毒记录" in overdue and "已逾期" in overdue
    export = officer.get(url, {"overdue": "true", "export": "xlsx"})
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("企业名称", "镇街", "问题") and any("无消毒记录" in str(r[2]) and r[5] == "是" for r in rows[1:])


def test_inspection_list_filters_and_exports(officer: Client, application: Application) -> None:
    inspection = start(officer, application)
    url = reverse("inspections:list")
    assert application.enterprise.name in officer.get(url, {"status": "in_progress", "kind": "acceptance"}).content.decode()
    table = officer.get(url, {"status": "passed"}, headers={"HX-Request": "true", "HX-Target": "list-table"}).content.decode()
    assert reverse("inspections:detail", args=[inspection.uuid]) not in table and "待验收" not in table
    export = officer.get(url, {"kind": "acceptance", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "企业名称" and any(r[0] == application.enterprise.name for r in rows[1:])


# -- checks after resumption --------------------------------------------------------------------------

def test_officer_starts_a_post_resumption_check_and_an_inapplicable_one_is_refused(officer: Client) -> None:
    application = approved_application()
    enterprise = application.enterprise
    listing = officer.get(reverse("inspections:list"), {"find": enterprise.name[-6:]}).content.decode()
    assert reverse("inspections:start", args=[enterprise.pk]) in listing
    response = officer.post(reverse("inspections:start", args=[enterprise.pk]), {"kind": TemplateKind.POST_RESUMPTION})
    inspection = Inspection.objects.get(enterprise=enterprise, template__kind=TemplateKind.POST_RESUMPTION)
    assert response["Location"] == reverse("inspections:detail", args=[inspection.uuid])
    Enterprise.objects.filter(pk=enterprise.pk).update(has_canteen=False)
    response = officer.post(reverse("inspections:start", args=[enterprise.pk]), {"kind": TemplateKind.CANTEEN}, follow=True)
    assert "均不适用" in response.content.decode()
    assert not Inspection.objects.filter(enterprise=enterprise, template__kind=TemplateKind.CANTEEN).exists()
    response = officer.post(reverse("inspections:start", args=[enterprise.pk]), {"kind": TemplateKind.ACCEPTANCE}, follow=True)
    assert "请选择检查类型" in response.content.decode()


# -- scope ------------------------------------------------------------------------------------------------

def test_another_countys_officer_gets_404_on_the_inspection_and_its_photo(client_for: Callable[[str], Client], officer: Client,
                                                                          application: Application) -> None:
    inspection = start(officer, application)
    item = item_of(inspection, 4)
    officer.post(reverse("inspections:photo-upload", args=[inspection.uuid]), {f"result-{item.pk}": "pass", "item": item.pk, "image": png()})
    photo = InspectionPhoto.objects.get(result__inspection=inspection)
    for username in ("heshan_cmd", "gongh_grid"):
        stranger = client_for(username)
        assert stranger.get(reverse("inspections:detail", args=[inspection.uuid])).status_code == 404
        assert stranger.get(reverse("inspections:photo", args=[inspection.uuid, photo.uuid])).status_code == 404
        assert stranger.post(reverse("inspections:complete", args=[inspection.uuid]), {"opinion": "x", "signed_name": "x"}).status_code == 404
        assert stranger.post(reverse("inspections:start-acceptance", args=[application.uuid])).status_code == 404
        assert application.enterprise.name not in stranger.get(reverse("inspections:list")).content.decode()
    # A photo is reached only through its own inspection's address
    officer.post(reverse("inspections:start", args=[application.enterprise.pk]), {"kind": TemplateKind.POST_RESUMPTION})
    other = Inspection.objects.get(enterprise=application.enterprise, template__kind=TemplateKind.POST_RESUMPTION)
    assert officer.get(reverse("inspections:photo", args=[other.uuid, photo.uuid])).status_code == 404
    assert officer.get(reverse("inspections:photo", args=[inspection.uuid, photo.uuid])).status_code == 200


def test_people_of_the_enterprise_cannot_inspect(client_for: Callable[[str], Client], officer: Client, application: Application) -> None:
    inspection = start(officer, application)
    enterprise = client_for("ent_admin")
    assert enterprise.get(reverse("inspections:list")).status_code == 403
    assert enterprise.post(reverse("inspections:start-acceptance", args=[application.uuid])).status_code == 403
    assert enterprise.post(reverse("inspections:detail", args=[inspection.uuid]), all_results(inspection)).status_code == 403
    assert not inspection.results.exists()
    assert client_for("employee").get(reverse("inspections:detail", args=[inspection.uuid])).status_code == 404


# -- query counts ---------------------------------------------------------------------------------------

def test_the_lists_do_not_query_per_row(client_for: Callable[[str], Client]) -> None:
    command = client_for("hitech_cmd")

    def count(name: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert command.get(reverse(name)).status_code == 200
        return len(queries)

    before = {name: count(name) for name in ("inspections:list", "inspections:rectifications")}
    # Given twenty more inspections and rectification items across the town's enterprises
    enterprises = list(Enterprise.objects.filter(town__code="441602-GXQ")[:20])
    template = ChecklistTemplate.objects.get(kind=TemplateKind.POST_RESUMPTION, active=True)
    inspector = User.objects.get(username="grid_officer")
    made = Inspection.objects.bulk_create([Inspection(enterprise=e, template=template, inspector=inspector, status=InspectionStatus.FAILED)
                                           for e in enterprises])
    RectificationItem.objects.bulk_create([RectificationItem(enterprise=i.enterprise, inspection=i, description="未设置测温点",
                                                             deadline=timezone.localdate()) for i in made])
    # the pages ask the database as often as before
    assert {name: count(name) for name in before} == before
