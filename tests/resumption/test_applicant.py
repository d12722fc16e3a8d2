"""The enterprise's side of a resumption application: start, drafts over several sittings with the
checks panel, uploads, downloads by scope, submission (refused with reasons, then routed), and
no editing once submitted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from fugong.accounts.scope import scope_of
from fugong.enterprises.models import Enterprise
from fugong.regions.models import Region
from fugong.resumption.choices import Decision, Stage, Status, StepStatus
from fugong.resumption.models import Application, Attachment, RoutingRule
from fugong.resumption.routing import review_chain
from fugong.resumption.services import review_decide

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
HEADCOUNT = 50  # 30 local + 20 from another province: 7 days × 1 mask = 350 masks
MASKS_NEEDED = 350


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def enterprise(users: Any) -> Enterprise:
    """ent_admin's enterprise: 高新区 · 工业企业第1网格, an industrial enterprise."""
    (pk,) = scope_of(users("ent_admin")).enterprise_ids
    return Enterprise.objects.select_related("town", "region").get(pk=pk)


@pytest.fixture(autouse=True)
def _no_application_yet(enterprise: Enterprise) -> None:
    """The demo may leave ent_admin a draft to finish; these tests tell the story from the start."""
    Application.objects.filter(enterprise=enterprise).delete()


@pytest.fixture
def ent(client_for: Any) -> Client:
    return client_for("ent_admin")


def start(client: Client) -> Application:
    """Press "申请复工": the enterprise's application opens on its edit page."""
    response = client.post(reverse("resumption:start"))
    assert response.status_code == 302
    match = resolve(response["Location"])
    assert match.view_name == "resumption:edit"
    return Application.objects.get(uuid=match.kwargs["uuid"])


def draft_form(*, masks: int = 400, commitment: bool = True, planned_days: int = 5, **overrides: Any) -> dict[str, Any]:
    """What an enterprise types on the edit page: a realistic, complete application by default."""
    planned = timezone.localtime(timezone.now() + timedelta(days=planned_days)).replace(hour=8, minute=0)
    first_day = planned.date()
    data: dict[str, Any] = {
        "draft": "1",
        "action": "save",
        "planned_start": planned.strftime("%Y-%m-%dT%H:%M"),
        "special_reason": "",
        "production_plan": "先开两条生产线，满负荷前逐步增加班次。",
        "raw_materials": "主要原料库存可用 20 天，供应商已复工。",
        "logistics": "本地物流公司点对点运输。",
        "orders_on_hand": "on",
        "equipment_checked": "on",
        "leadership_head": "张总经理",
        "leadership_members": "李副总（物资）、王主任（测温登记）",
        "risk_assessment": "人员来源以本地为主，外省返岗 20 人先隔离观察 14 天。",
        "disinfection_measures": "车间、办公室每日两次消毒并登记。",
        "commuting_measures": "提倡自驾，点对点不超过 6 小时。",
        "canteen_measures": "错峰就餐、间隔 1 米以上、每餐消毒。",
        "dormitory_rooms": "10",
        "dormitory_residents": "30",
        "dormitory_measures": "每间不超过 3 人，每日通风消毒。",
        "shuttle_bus_count": "1",
        "shuttle_bus_measures": "测温登记、备用口罩、每趟消毒。",
        "observation_room": "on",
        "observation_room_location": "东门值班室旁",
        "observation_single_room": "on",
        "observation_suits": "on",
        "observation_goggles": "on",
        "observation_medical_kit": "on",
        "m-mask": str(masks), "m-gloves": "200", "m-suit": "5", "m-goggles": "5", "m-thermometer": "6", "m-alcohol": "20",
        "m-disinfectant": "50", "m-sprayer": "2",
        "plan-TOTAL_FORMS": "3", "plan-INITIAL_FORMS": "0", "plan-MIN_NUM_FORMS": "0", "plan-MAX_NUM_FORMS": "200",
        "plan-0-return_date": first_day.isoformat(), "plan-0-origin": "local", "plan-0-count": "30",
        "plan-1-return_date": (first_day + timedelta(days=2)).isoformat(), "plan-1-origin": "other_province", "plan-1-count": "20",
        "plan-2-return_date": "", "plan-2-origin": "", "plan-2-count": "",
    }
    if commitment:
        data["commitment_signed"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def fresh(application: Application) -> Application:
    """Read again (the FSM-protected status forbids refresh_from_db)."""
    return Application.objects.get(pk=application.pk)


def upload(client: Client, application: Application, name: str, content: bytes, kind: str = "prevention_plan") -> Any:
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("resumption:attachment-upload", args=[application.uuid]), {"kind": kind, "file": file}, follow=True)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def complete(client: Client, application: Application) -> None:
    """Save the full form and upload every document the checks ask for."""
    assert client.post(reverse("resumption:edit", args=[application.uuid]), draft_form()).status_code == 302
    for kind in ("prevention_plan", "emergency_plan", "commitment", "bus_list"):
        upload(client, application, f"{kind}.pdf", PDF, kind)


# -- start and drafts ---------------------------------------------------------------------------

def test_enterprise_admin_starts_one_application_and_gets_the_same_one_again(ent: Client, enterprise: Enterprise) -> None:
    application = start(ent)
    assert application.enterprise == enterprise and application.status == Status.DRAFT
    assert start(ent) == application
    assert Application.objects.filter(enterprise=enterprise).count() == 1


def test_start_is_post_only_and_refused_to_officials(ent: Client, client_for: Any, enterprise: Enterprise) -> None:
    count = Application.objects.count()
    assert ent.get(reverse("resumption:start")).status_code == 405
    assert client_for("hitech_cmd").post(reverse("resumption:start"), {"enterprise": enterprise.pk}).status_code == 403
    assert Application.objects.count() == count


def test_edit_page_shows_the_sections_and_the_checks(ent: Client, enterprise: Enterprise) -> None:
    application = start(ent)
    html = ent.get(reverse("resumption:edit", args=[application.uuid])).content.decode()
    for title in ("计划与生产", "防控组织", "物资储备", "返岗计划", "隔离观察室", "承诺"):
        assert title in html
    assert "14 天内未到过重点疫区" in html  # the commitment text carries the policy's commitment_days
    assert 'data-testid="checks-panel"' in html
    assert 'type="datetime-local"' in html
    assert "口罩（只）" in html  # each material with its unit
    # Sections about things the enterprise does not have are left out.
    assert ('id="sec-canteen"' in html) == enterprise.has_canteen
    assert ('id="sec-dormitory"' in html) == enterprise.has_dormitory
    assert ('id="sec-shuttle_bus"' in html) == enterprise.has_shuttle_bus


def test_save_draft_keeps_the_application_and_shows_the_mask_shortfall(ent: Client) -> None:
    application = start(ent)
    edit = reverse("resumption:edit", args=[application.uuid])

    response = ent.post(edit, draft_form(masks=300))

    assert response.status_code == 302 and response["Location"] == edit
    application = fresh(application)
    assert application.status == Status.DRAFT
    assert application.leadership_head == "张总经理"
    assert application.returning_headcount == HEADCOUNT
    assert {r.item: r.quantity for r in application.reserves.all()}["mask"] == 300
    html = ent.get(edit).content.decode()
    assert f"缺 {MASKS_NEEDED - 300} 只" in html
    assert 'data-code="masks" data-level="error"' in html
    assert "草稿已保存" in html

    ent.post(edit, draft_form(masks=MASKS_NEEDED))
    html = ent.get(edit).content.decode()
    assert 'data-code="masks" data-level="ok"' in html
    assert "缺 " not in html


def test_an_incomplete_draft_is_saved_and_the_checks_say_what_is_missing(ent: Client) -> None:
    application = start(ent)
    edit = reverse("resumption:edit", args=[application.uuid])
    data = {"leadership_head": "张总经理", "plan-TOTAL_FORMS": "3", "plan-INITIAL_FORMS": "0", "action": "save"}

    assert ent.post(edit, data).status_code == 302

    application = fresh(application)
    assert application.leadership_head == "张总经理"
    html = ent.get(edit).content.decode()
    assert "请填写计划复工时间" in html
    assert "请填写返岗人员计划" in html
    assert "须设置隔离观察室" in html


def test_a_refused_form_keeps_what_was_typed_with_chinese_errors(ent: Client) -> None:
    application = start(ent)
    edit = reverse("resumption:edit", args=[application.uuid])
    data = draft_form(planned_start="2020-13-45 99:99", leadership_head="赵厂长", **{"plan-1-count": "", "m-mask": "-5"})

    response = ent.post(edit, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "请按“年-月-日 时:分”填写计划复工时间" in html
    assert "请填写人数" in html  # the half-filled return-plan row
    assert 'data-testid="form-errors"' in html
    assert 'value="赵厂长"' in html  # what was typed is still there
    assert "2020-13-45 99:99" in html
    application = fresh(application)
    assert application.leadership_head == ""  # and nothing half-saved


def test_a_return_plan_row_left_empty_is_ignored(ent: Client) -> None:
    application = start(ent)
    ent.post(reverse("resumption:edit", args=[application.uuid]), draft_form())
    assert application.return_plan.count() == 2
    # The page offers the saved rows plus empty ones (no JavaScript needed to add a row).
    html = ent.get(reverse("resumption:edit", args=[application.uuid])).content.decode()
    assert 'name="plan-TOTAL_FORMS" value="5"' in html
    assert 'data-formset-template="plan"' in html


# -- uploads and downloads ----------------------------------------------------------------------

def test_a_good_pdf_is_accepted(ent: Client) -> None:
    application = start(ent)

    response = upload(ent, application, "防控实施方案.pdf", PDF)

    attachment = Attachment.objects.get(application=application)
    assert attachment.kind == "prevention_plan"
    assert attachment.original_name == "防控实施方案.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert "已上传防控实施方案：防控实施方案.pdf" in messages_of(response)
    assert response.redirect_chain[-1][0].startswith(reverse("resumption:edit", args=[application.uuid]))


def test_a_png_renamed_pdf_is_refused_and_nothing_else_changes(ent: Client) -> None:
    application = start(ent)
    upload(ent, application, "plan.pdf", PDF)

    response = upload(ent, application, "photo.pdf", PNG)

    assert Attachment.objects.filter(application=application).count() == 1
    assert any("内容与扩展名 .pdf 不符" in m for m in messages_of(response))
    assert "内容与扩展名 .pdf 不符" in response.content.decode()


def test_a_file_over_ten_megabytes_is_refused(ent: Client) -> None:
    application = start(ent)

    response = upload(ent, application, "big.pdf", PDF + b"0" * (11 * 1024 * 1024))

    assert not Attachment.objects.filter(application=application).exists()
    assert any("超过单个文件 10 MB 的上限" in m for m in messages_of(response))


def test_a_file_of_a_forbidden_type_is_refused(ent: Client) -> None:
    application = start(ent)
    response = upload(ent, application, "run.exe", b"MZ\x90\x00")
    assert not Attachment.objects.filter(application=application).exists()
    assert any("类型不允许上传" in m for m in messages_of(response))


def test_a_path_traversal_name_is_stored_under_a_generated_name_and_shown_safely(ent: Client) -> None:
    application = start(ent)

    upload(ent, application, "../../x.pdf", PDF)

    attachment = Attachment.objects.get(application=application)
    assert attachment.original_name == "x.pdf"
    assert attachment.file.name.startswith(f"applications/{application.uuid}/")
    assert ".." not in attachment.file.name and "x.pdf" not in attachment.file.name
    html = ent.get(reverse("resumption:edit", args=[application.uuid])).content.decode()
    assert ">x.pdf</a>" in html
    assert "../../x.pdf" not in html


def test_uploading_from_the_edit_page_saves_what_was_typed_even_when_the_file_is_refused(ent: Client) -> None:
    application = start(ent)
    data = draft_form(leadership_head="钱经理")
    data.update(kind="prevention_plan", file=SimpleUploadedFile("photo.pdf", PNG))

    response = ent.post(reverse("resumption:attachment-upload", args=[application.uuid]), data, follow=True)

    application = fresh(application)
    assert application.leadership_head == "钱经理"
    assert not application.attachments.exists()
    assert any("内容与扩展名 .pdf 不符" in m for m in messages_of(response))


def test_download_is_for_the_enterprise_and_the_officers_in_scope_only(ent: Client, client_for: Any) -> None:
    application = start(ent)
    upload(ent, application, "方案.pdf", PDF)
    attachment = Attachment.objects.get(application=application)
    url = reverse("resumption:attachment-download", args=[application.uuid, attachment.uuid])

    for username, expected in (("ent_admin", 200), ("hitech_cmd", 200), ("county_cmd", 200), ("grid_officer", 200),
                               ("heshan_cmd", 404), ("gongh_grid", 404), ("employee", 404), ("gate_guard", 404)):
        response = client_for(username).get(url)
        assert response.status_code == expected, username
        if expected == 200:
            assert b"".join(response.streaming_content) == PDF
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"].startswith("attachment;")
            assert "filename*=utf-8''%E6%96%B9%E6%A1%88.pdf" in response["Content-Disposition"]
            assert response["X-Content-Type-Options"] == "nosniff"
    # The attachment is found only under its own application.
    other = Application.objects.create(enterprise=application.enterprise)
    assert ent.get(reverse("resumption:attachment-download", args=[other.uuid, attachment.uuid])).status_code == 404


def test_an_attachment_can_be_deleted_while_drafting(ent: Client) -> None:
    application = start(ent)
    upload(ent, application, "a.pdf", PDF)
    attachment = Attachment.objects.get(application=application)

    response = ent.post(reverse("resumption:attachment-delete", args=[application.uuid, attachment.uuid]))

    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=attachment.pk).exists()


def test_deleting_an_attachment_from_the_edit_page_keeps_what_was_typed(ent: Client) -> None:
    # Given a draft with a document, and a leader's name typed but not yet saved
    application = start(ent)
    upload(ent, application, "a.pdf", PDF)
    attachment = Attachment.objects.get(application=application)

    # When the delete button of the edit form posts the whole form
    response = ent.post(reverse("resumption:attachment-delete", args=[application.uuid, attachment.uuid]),
                        draft_form(leadership_head="孙厂长"))

    # Then the document is gone and the typed name is kept
    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    application.refresh_from_db(fields=["leadership_head"])
    assert application.leadership_head == "孙厂长"


# -- submission ---------------------------------------------------------------------------------

def test_submission_is_refused_with_the_reasons_while_incomplete(ent: Client) -> None:
    application = start(ent)
    ent.post(reverse("resumption:edit", args=[application.uuid]), draft_form(masks=100, commitment=False))

    response = ent.post(reverse("resumption:submit", args=[application.uuid]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "暂不能提交" in html
    assert 'data-testid="refused-item" data-code="masks"' in html
    assert f"缺 {MASKS_NEEDED - 100} 只" in html
    assert 'data-testid="refused-item" data-code="commitment"' in html
    assert "须签署承诺书" in html
    assert 'data-testid="refused-item" data-code="attachments"' in html
    assert "请上传：防控实施方案、应急预案、承诺书（签章）" in html
    application = fresh(application)
    assert application.status == Status.DRAFT and application.submission_count == 0
    assert not application.steps.exists()


def test_a_complete_application_is_submitted_and_routed(ent: Client, enterprise: Enterprise) -> None:
    application = start(ent)
    complete(ent, application)

    response = ent.post(reverse("resumption:submit", args=[application.uuid]), follow=True)

    application = fresh(application)
    assert application.status == Status.DEPARTMENT_REVIEW
    assert application.submission_count == 1 and application.number
    assert not application.needs_county
    # The chain comes from the routing rules as data: the street variant when the demo has
    # attached it to 高新区, else the county variant installed everywhere.
    hitech = Region.objects.get(code="441602-GXQ")
    street = RoutingRule.objects.filter(region=hitech, variant="街道版").exists()
    if street and enterprise.in_park:
        expected_kinds = ["park", "economy"]  # a park tenant goes to the park operator first, whatever its size
    else:
        expected_kinds = ({"above": ["economy"], "below": ["safety"]} if street else {"above": ["industry"], "below": ["sme"]})[enterprise.size]
    rule, departments = review_chain(enterprise)
    assert rule.chain == expected_kinds
    assert [d.kind for d in departments] == expected_kinds
    steps = list(application.steps.order_by("order"))
    assert [(s.stage, s.department_id) for s in steps[:-1]] == [(Stage.DEPARTMENT, d.pk) for d in departments]
    assert (steps[-1].stage, steps[-1].region_id) == (Stage.TOWN, enterprise.town_id)
    assert [s.status for s in steps] == [StepStatus.PENDING] * len(steps)
    assert f"已提交，等待{departments[0]}审核。" in messages_of(response)
    html = response.content.decode()
    assert 'data-testid="status-badge" data-status="department_review"' in html
    assert html.count('data-testid="timeline-step"') == len(steps)
    assert 'data-testid="checks-panel"' not in html


def test_save_and_submit_in_one_go(ent: Client) -> None:
    application = start(ent)
    complete(ent, application)
    response = ent.post(reverse("resumption:edit", args=[application.uuid]), draft_form(action="submit"))
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    application = fresh(application)
    assert application.status == Status.DEPARTMENT_REVIEW


def test_nothing_can_be_changed_after_submission(ent: Client, client_for: Any) -> None:
    application = start(ent)
    complete(ent, application)
    ent.post(reverse("resumption:submit", args=[application.uuid]))
    attachment = application.attachments.first()
    assert attachment is not None
    edit = reverse("resumption:edit", args=[application.uuid])

    get = ent.get(edit, follow=True)
    post = ent.post(edit, draft_form(leadership_head="改过的"))
    uploaded = upload(ent, application, "late.pdf", PDF)
    deleted = ent.post(reverse("resumption:attachment-delete", args=[application.uuid, attachment.uuid]))
    resubmitted = ent.post(reverse("resumption:submit", args=[application.uuid]))

    assert get.redirect_chain == [(application.get_absolute_url(), 302)]
    assert "申请当前状态为“主管部门审核中”，不能修改。" in messages_of(get)
    assert post.status_code == deleted.status_code == resubmitted.status_code == 302
    assert uploaded.redirect_chain[0][0] == application.get_absolute_url()
    application = fresh(application)
    assert application.leadership_head == "张总经理"
    assert application.attachments.count() == 4
    assert application.submission_count == 1
    # An official is not the enterprise: the edit page is simply not theirs.
    assert client_for("hitech_cmd").get(edit).status_code == 403


# -- the detail page ----------------------------------------------------------------------------

def test_detail_is_scoped_and_shows_actions_by_permission(ent: Client, client_for: Any) -> None:
    application = start(ent)
    complete(ent, application)
    url = application.get_absolute_url()

    html = ent.get(url).content.decode()
    assert 'data-testid="status-badge" data-status="draft"' in html
    assert 'data-testid="checks-panel"' in html
    assert 'data-testid="submit-button"' in html and 'data-testid="edit-link"' in html
    assert "满足 50 人 7 天用量" in html

    officer = client_for("hitech_cmd").get(url).content.decode()
    assert 'data-testid="submit-button"' not in officer and 'data-testid="edit-link"' not in officer
    assert client_for("heshan_cmd").get(url).status_code == 404
    assert client_for("employee").get(url).status_code == 404


def test_the_reviewer_sees_the_decide_link_and_what_changed_after_a_return(ent: Client, client_for: Any, users: Any) -> None:
    application = start(ent)
    complete(ent, application)
    ent.post(reverse("resumption:submit", args=[application.uuid]))
    review_decide(application=application, decision=Decision.RETURN, comment="口罩请按 10 天备足。", acting_user=users("admin"))

    edit_html = ent.get(reverse("resumption:edit", args=[application.uuid])).content.decode()
    assert "口罩请按 10 天备足。" in edit_html  # the return comment is shown where the enterprise edits
    ent.post(reverse("resumption:edit", args=[application.uuid]), draft_form(masks=500, action="submit"))
    application = fresh(application)
    assert application.status == Status.DEPARTMENT_REVIEW and application.submission_count == 2

    officer = client_for("admin").get(application.get_absolute_url()).content.decode()
    assert 'data-testid="changes"' in officer
    assert "口罩 400只" in officer and "口罩 500只" in officer
    assert 'data-testid="timeline-earlier"' in officer  # the first round, collapsed
    assert 'data-testid="decide-link"' in officer
    assert 'data-testid="changes"' not in ent.get(application.get_absolute_url()).content.decode()


def test_detail_reads_a_fixed_number_of_queries_however_many_rounds(ent: Client, client_for: Any, users: Any,
                                                                      django_assert_max_num_queries: Any) -> None:
    application = start(ent)
    complete(ent, application)
    ent.post(reverse("resumption:submit", args=[application.uuid]))
    admin = client_for("admin")
    counts = []
    for masks in (500, 600):
        review_decide(application=application, decision=Decision.RETURN, comment="请补充。", acting_user=users("admin"))
        ent.post(reverse("resumption:edit", args=[application.uuid]), draft_form(masks=masks, action="submit"))
        admin.get(application.get_absolute_url())  # warm the per-session caches
        with django_assert_max_num_queries(30) as captured:
            response = admin.get(application.get_absolute_url())
        counts.append(len(captured.captured_queries))  # read now: every request resets the query log
    assert fresh(application).submission_count == 3
    assert counts[0] == counts[1], "one more round must not cost more queries"
    assert response.content.decode().count('data-testid="timeline-earlier"') == 2
