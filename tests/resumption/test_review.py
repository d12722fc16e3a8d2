"""The reviewers' and command officers' side: queue, decisions, returns and resubmissions, the
county step, rejection, illegal transitions, suspension and reinstatement, exports, query counts.

Applications are built through the services, as an enterprise would build them: started, saved
with complete data, documents attached (real PDF magic bytes), submitted. 高新区 routes with the
street variant (街道版): a 规上工业 enterprise goes to 高新区经贸办 (jmb_reviewer), then to the
高新区 command (hitech_cmd), then — for early or special cases — to 源城区 (county_cmd)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership, Notification, User
from fugong.audit.models import AuditEntry
from fugong.enterprises.choices import Sector, Size
from fugong.enterprises.models import Enterprise
from fugong.policy.parameters import SHANGHAI
from fugong.regions.choices import DepartmentKind
from fugong.regions.models import Department, Region
from fugong.resumption import seeds, services
from fugong.resumption.choices import Stage, Status, StepStatus
from fugong.resumption.models import Application, ReviewStep, RoutingRule, Suspension
from fugong.resumption.selectors import review_queue

pytestmark = pytest.mark.django_db

HITECH = "441602-GXQ"
RESERVES = {"mask": 2000, "thermometer": 5, "disinfectant": 20, "alcohol": 10, "gloves": 200}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# -- building applications through the services -------------------------------------------------

def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def complete_data(planned: datetime, **overrides: Any) -> dict[str, Any]:
    data = {
        "planned_start": planned, "special_reason": "", "production_plan": "两班倒，日产 2 万件", "raw_materials": "库存 15 天",
        "logistics": "本地物流", "orders_on_hand": True, "equipment_checked": True, "risk_assessment": "已评估",
        "disinfection_measures": "每日两次消毒", "commuting_measures": "自驾为主", "leadership_head": "张总",
        "leadership_members": "李四：物资；王五：测温", "canteen_measures": "错峰就餐", "dormitory_rooms": 10,
        "dormitory_residents": 20, "dormitory_measures": "每间不超过 2 人", "shuttle_bus_count": 0, "shuttle_bus_measures": "",
        "observation_room": True, "observation_room_location": "一号楼 101", "observation_single_room": True,
        "observation_suits": True, "observation_goggles": True, "observation_medical_kit": True, "commitment_signed": True,
    }
    data.update(overrides)
    return data


def build(enterprise: Enterprise, acting_user: User, *, planned: datetime | None = None, at: datetime | None = None,
          **overrides: Any) -> Application:
    """Start, fill, attach and submit: the application waits on its first department."""
    planned = planned or timezone.now() + timedelta(days=5)
    application = services.application_start(enterprise=enterprise, acting_user=acting_user)
    services.application_save(application=application, acting_user=acting_user, data=complete_data(planned, **overrides),
                              reserves=RESERVES, return_plan=[(planned.date(), "local", 20), (planned.date(), "same_city", 10)])
    for kind in ("prevention_plan", "emergency_plan", "commitment", "bus_list"):
        services.attachment_add(application=application, kind=kind, upload=pdf(f"{kind}.pdf"), acting_user=acting_user)
    return services.application_submit(application=application, acting_user=acting_user, at=at)


def reload(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def decide(client: Client, application: Application, decision: str, comment: str = "材料齐全，同意。", **extra: Any) -> Any:
    step = services.pending_step(reload(application))
    data = {"decision": decision, "comment": comment, "step": step.pk if step else "", **extra}
    return client.post(reverse("resumption:decide", args=[application.uuid]), data)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def world(settings: Any, tmp_path: Any, users: Callable[[str], User]) -> dict[str, Any]:
    """The street routing for 高新区, a 规上工业 enterprise for ent_admin, and an 安监办 reviewer."""
    settings.MEDIA_ROOT = tmp_path
    hitech = Region.objects.get(code=HITECH)
    seeds.install(RoutingRule, variant="街道版", region=hitech)
    ent_admin = users("ent_admin")
    enterprise = Membership.objects.get(user=ent_admin, role=Role.ENTERPRISE).enterprise
    # Fixed facts of the applicant, whatever the random demo gave it: 规上工业, not in a park, not essential.
    Enterprise.objects.filter(pk=enterprise.pk).update(sector=Sector.INDUSTRY, size=Size.ABOVE, in_park=False, essential_category="",
                                                       has_dormitory=False, has_shuttle_bus=False)
    enterprise.refresh_from_db()
    safety, _ = Department.objects.get_or_create(region=hitech, name="安监办", defaults={"kind": DepartmentKind.SAFETY})
    ajb, created = User.objects.get_or_create(username="ajb_reviewer", defaults={"display_name": "高新区安监办 赵科员"})
    if created:
        Membership.objects.create(user=ajb, role=Role.REVIEWER, department=safety)
    return {"enterprise": enterprise, "ent_admin": ent_admin, "hitech": hitech}


@pytest.fixture
def submitted(world: dict[str, Any]) -> Application:
    return build(world["enterprise"], world["ent_admin"])


def other_hitech_enterprises(count: int) -> list[Enterprise]:
    """More 规上工业 enterprises of 高新区 (routed to 经贸办 too) with no application of the demo's."""
    own = Membership.objects.filter(role=Role.ENTERPRISE, user__username="ent_admin").values("enterprise_id")
    rows = list(Enterprise.objects.filter(town__code=HITECH, applications__isnull=True)
                .exclude(pk__in=own).order_by("pk")[:count])
    Enterprise.objects.filter(pk__in=[e.pk for e in rows]).update(sector=Sector.INDUSTRY, size=Size.ABOVE, in_park=False, essential_category="",
                                                                  has_dormitory=False, has_shuttle_bus=False)
    for row in rows:
        row.refresh_from_db()
    assert len(rows) == count
    return rows


# -- who sees what ------------------------------------------------------------------------------

def test_routed_reviewer_sees_the_application_in_the_queue(world: dict[str, Any], client_for: Callable[[str], Client]) -> None:
    client = client_for("jmb_reviewer")
    before = client.get(reverse("resumption:queue")).context["counts"]
    submitted = build(world["enterprise"], world["ent_admin"])
    response = client.get(reverse("resumption:queue") + f"?q={submitted.number}")
    assert response.status_code == 200
    assert submitted.number and submitted.number in response.content.decode()
    assert b'data-testid="queue-row"' in response.content
    assert "主管部门审核（经贸办）" in response.content.decode()
    after = response.context["counts"]  # the counts are of the whole queue, whatever the filter
    assert (after.department, after.town, after.county) == (before.department + 1, before.town, before.county)
    assert f'data-testid="count-department">{after.department}<' in response.content.decode()


@pytest.mark.parametrize("username", ["ajb_reviewer", "gxj_reviewer", "hitech_cmd", "county_cmd", "heshan_cmd"])
def test_nobody_else_has_it_in_the_queue_while_the_department_reviews(submitted: Application, username: str,
                                                                       client_for: Callable[[str], Client]) -> None:
    # The town's step exists from submission on, but it is not hitech_cmd's turn yet.
    response = client_for(username).get(reverse("resumption:queue") + f"?q={submitted.number}")
    assert response.status_code == 200
    assert f'data-number="{submitted.number}"' not in response.content.decode()
    assert response.context["page"].paginator.count == 0
    assert submitted.pk not in set(review_queue(User.objects.get(username=username)).values_list("pk", flat=True))


@pytest.mark.parametrize("username", ["grid_officer", "ent_admin", "employee", "gate_guard"])
def test_queue_is_refused_to_roles_that_do_not_review(username: str, client_for: Callable[[str], Client]) -> None:
    assert client_for(username).get(reverse("resumption:queue")).status_code == 403


@pytest.mark.parametrize("username", ["heshan_cmd", "gxj_reviewer", "ajb_reviewer", "employee"])
def test_decide_outside_scope_is_404_and_changes_nothing(submitted: Application, username: str,
                                                         client_for: Callable[[str], Client]) -> None:
    client = client_for(username)
    assert client.get(reverse("resumption:decide", args=[submitted.uuid])).status_code == 404
    assert decide(client, submitted, "approve").status_code == 404
    assert reload(submitted).status == Status.DEPARTMENT_REVIEW


@pytest.mark.parametrize("username", ["hitech_cmd", "county_cmd", "grid_officer", "ent_admin"])
def test_decide_in_scope_but_not_your_step_is_403(submitted: Application, username: str, client_for: Callable[[str], Client]) -> None:
    client = client_for(username)
    assert client.get(reverse("resumption:decide", args=[submitted.uuid])).status_code == 403
    assert decide(client, submitted, "approve").status_code == 403
    assert reload(submitted).status == Status.DEPARTMENT_REVIEW
    assert services.pending_step(reload(submitted)).status == StepStatus.PENDING


def test_decide_page_shows_the_summary_checks_timeline_and_the_form(submitted: Application,
                                                                    client_for: Callable[[str], Client]) -> None:
    response = client_for("jmb_reviewer").get(reverse("resumption:decide", args=[submitted.uuid]))
    page = response.content.decode()
    assert response.status_code == 200
    for testid in ("summary", "checks-panel", "timeline", "decision-form", "decision-approve", "decision-return", "decision-reject",
                   "comment", "attachments"):
        assert f'data-testid="{testid}"' in page, testid
    assert "prevention_plan.pdf" in page
    assert f'name="step" value="{services.pending_step(submitted).pk}"' in page
    assert 'data-testid="changes"' not in page  # first submission: nothing to compare


# -- decisions ----------------------------------------------------------------------------------

@pytest.mark.parametrize("comment", ["", "   "])
def test_a_decision_without_comment_is_refused_in_chinese(submitted: Application, comment: str,
                                                          client_for: Callable[[str], Client]) -> None:
    client = client_for("jmb_reviewer")  # signing in is audited: before counting
    audit_before = AuditEntry.objects.count()
    response = decide(client, submitted, "approve", comment=comment)
    assert response.status_code == 200
    assert "请填写审核意见。" in response.content.decode()
    assert reload(submitted).status == Status.DEPARTMENT_REVIEW
    assert ReviewStep.objects.filter(application=submitted, status=StepStatus.APPROVED).count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_an_unknown_decision_is_refused(submitted: Application, client_for: Callable[[str], Client]) -> None:
    response = decide(client_for("jmb_reviewer"), submitted, "approve_everything", comment="好")
    assert response.status_code == 200
    assert "请选择审核结论。" in response.content.decode()
    assert reload(submitted).status == Status.DEPARTMENT_REVIEW


def test_return_then_resubmission_shows_the_reviewer_what_changed(
    world: dict[str, Any], submitted: Application, client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client_for("jmb_reviewer"), submitted, "return", comment="口罩储备偏少，生产计划请细化。")
    assert response.status_code == 302 and response.url == reverse("resumption:queue")
    application = reload(submitted)
    assert application.status == Status.RETURNED
    assert Notification.objects.filter(user=world["ent_admin"], title__contains="退回修改").exists()

    # The enterprise sees it returned in its own list, and nobody has it in a queue.
    own_list = client_for("ent_admin").get(reverse("resumption:list"))
    assert "退回修改" in own_list.content.decode() and application.number in own_list.content.decode()
    assert application.pk not in set(review_queue(User.objects.get(username="jmb_reviewer")).values_list("pk", flat=True))

    # It revises and resubmits: a new round routed to the same department.
    ent_admin = world["ent_admin"]
    services.application_save(application=application, acting_user=ent_admin,
                              data={"production_plan": "三班倒，日产 3 万件，分车间错峰"}, reserves={**RESERVES, "mask": 5000})
    services.application_submit(application=reload(application), acting_user=ent_admin)
    application = reload(application)
    assert application.status == Status.DEPARTMENT_REVIEW and application.submission_count == 2

    response = client_for("jmb_reviewer").get(reverse("resumption:decide", args=[application.uuid]))
    page = response.content.decode()
    assert 'data-testid="changes"' in page
    fields = {row["key"]: row for row in response.context["changes"]}
    assert fields["production_plan"]["label"] == "生产计划"
    assert fields["production_plan"]["old"] == "两班倒，日产 2 万件"
    assert fields["production_plan"]["new"] == "三班倒，日产 3 万件，分车间错峰"
    assert fields["reserves.mask"]["label"] == "物资储备·口罩"
    assert (fields["reserves.mask"]["old"], fields["reserves.mask"]["new"]) == ("2000只", "5000只")
    assert set(fields) == {"production_plan", "reserves.mask"}
    assert "三班倒，日产 3 万件，分车间错峰" in page and "物资储备·口罩" in page
    # The returned round is kept in the timeline, collapsed.
    assert 'data-testid="timeline-earlier"' in page and "口罩储备偏少" in page


def test_approval_goes_department_then_town_then_inspection(
    world: dict[str, Any], submitted: Application, client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    jmb, town = client_for("jmb_reviewer"), client_for("hitech_cmd")
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(jmb, submitted, "approve")
    assert response.status_code == 302 and response.url == reverse("resumption:queue")
    assert any("已通过" in m for m in messages_of(response))
    assert reload(submitted).status == Status.TOWN_REVIEW
    hitech_cmd = User.objects.get(username="hitech_cmd")
    assert Notification.objects.filter(user=hitech_cmd, title__contains="待审核").exists()

    # Now it is the town's turn: in hitech_cmd's queue, out of the reviewer's and the county's.
    queue = town.get(reverse("resumption:queue") + f"?q={submitted.number}")
    assert submitted.number in queue.content.decode() and queue.context["counts"].town >= 1
    for other in ("county_cmd", "jmb_reviewer"):
        response = client_for(other).get(reverse("resumption:queue") + f"?q={submitted.number}")
        assert response.context["page"].paginator.count == 0, other
    assert jmb.get(reverse("resumption:decide", args=[submitted.uuid])).status_code == 403

    response = decide(town, submitted, "approve", comment="同意复工，请安排验收。")
    assert response.status_code == 302
    application = reload(submitted)
    assert application.status == Status.INSPECTION
    assert not application.needs_county
    assert [s.stage for s in application.steps.filter(round=1)] == [Stage.DEPARTMENT, Stage.TOWN]
    assert AuditEntry.objects.filter(action="application.approve", object_id=str(application.pk)).count() == 2


def test_early_essential_enterprise_needs_the_county(world: dict[str, Any], client_for: Callable[[str], Client]) -> None:
    Enterprise.objects.filter(pk=world["enterprise"].pk).update(essential_category="food")
    world["enterprise"].refresh_from_db()
    # Filed on 5 Feb 2020 for 8 Feb: 48 hours ahead, but before the general date (10 Feb).
    at = datetime(2020, 2, 5, 9, 0, tzinfo=SHANGHAI)
    application = build(world["enterprise"], world["ent_admin"], planned=datetime(2020, 2, 8, 8, 0, tzinfo=SHANGHAI), at=at)
    assert application.needs_county
    assert decide(client_for("jmb_reviewer"), application, "approve").status_code == 302
    assert decide(client_for("hitech_cmd"), application, "approve").status_code == 302
    application = reload(application)
    assert application.status == Status.COUNTY_REVIEW

    # The county's step: not the town's to decide, in the county's queue with its count.
    assert client_for("hitech_cmd").get(reverse("resumption:decide", args=[application.uuid])).status_code == 403
    queue = client_for("county_cmd").get(reverse("resumption:queue") + f"?q={application.number}")
    assert application.number in queue.content.decode()
    counts = queue.context["counts"]
    assert counts.county >= 1 and counts.town == 0 and counts.department == 0  # the county decides only county steps
    assert f'data-testid="count-county">{counts.county}<' in queue.content.decode()
    assert client_for("heshan_cmd").get(reverse("resumption:decide", args=[application.uuid])).status_code == 404

    assert decide(client_for("county_cmd"), application, "approve", comment="同意提前复工。").status_code == 302
    assert reload(application).status == Status.INSPECTION


def test_special_reason_needs_the_county_too(world: dict[str, Any], client_for: Callable[[str], Client]) -> None:
    application = build(world["enterprise"], world["ent_admin"], special_reason="承担市防疫物资应急生产任务")
    assert application.needs_county
    assert [s.stage for s in application.steps.all()] == [Stage.DEPARTMENT, Stage.TOWN, Stage.COUNTY]
    assert "承担市防疫物资应急生产任务" in client_for("jmb_reviewer").get(reverse("resumption:decide", args=[application.uuid])).content.decode()


def test_reject_ends_the_application_and_tells_the_enterprise(
    world: dict[str, Any], submitted: Application, client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client_for("jmb_reviewer"), submitted, "reject", comment="不属于可复工范围。")
    assert response.status_code == 302
    application = reload(submitted)
    assert application.status == Status.REJECTED and application.decided_at is not None
    assert not application.steps.filter(status=StepStatus.PENDING).exists()  # the town's step is superseded
    assert Notification.objects.filter(user=world["ent_admin"], title__contains="不予批准", body="不属于可复工范围。").exists()
    assert AuditEntry.objects.filter(action="application.reject", object_id=str(application.pk)).exists()


# -- illegal and repeated submissions ----------------------------------------------------------

def test_a_double_click_decides_once(submitted: Application, client_for: Callable[[str], Client]) -> None:
    jmb = client_for("jmb_reviewer")
    step = services.pending_step(submitted)
    data = {"decision": "approve", "comment": "同意。", "step": step.pk}
    first = jmb.post(reverse("resumption:decide", args=[submitted.uuid]), data)
    audit_after_first = AuditEntry.objects.count()
    second = jmb.post(reverse("resumption:decide", args=[submitted.uuid]), data)
    assert first.status_code == 302 and second.status_code == 302
    assert second.url == submitted.get_absolute_url()
    assert any("已经处理过了" in m for m in messages_of(second))
    application = reload(submitted)
    assert application.status == Status.TOWN_REVIEW  # the town's step was not approved by the second click
    assert application.steps.get(stage=Stage.TOWN).status == StepStatus.PENDING
    assert AuditEntry.objects.count() == audit_after_first


def test_a_stale_page_cannot_decide_the_next_step_even_for_someone_who_could(submitted: Application,
                                                                            client_for: Callable[[str], Client]) -> None:
    # The admin may decide every step; its stale page (the department's step) must not approve the town's.
    admin = client_for("admin")
    department_step = services.pending_step(submitted)
    assert decide(client_for("jmb_reviewer"), submitted, "approve").status_code == 302
    response = admin.post(reverse("resumption:decide", args=[submitted.uuid]),
                          {"decision": "approve", "comment": "同意。", "step": department_step.pk})
    assert response.status_code == 302
    assert any("已经处理过了" in m for m in messages_of(response))
    assert reload(submitted).status == Status.TOWN_REVIEW


def test_the_service_refuses_a_stale_step_too(submitted: Application, users: Callable[[str], User]) -> None:
    from django.core.exceptions import ValidationError

    step = services.pending_step(submitted)
    services.review_decide(application=submitted, decision="approve", comment="同意", acting_user=users("jmb_reviewer"))
    with pytest.raises(ValidationError, match="已经处理过了"):
        services.review_decide(application=reload(submitted), decision="approve", comment="同意", acting_user=users("admin"),
                               expected_step=step.pk)
    assert reload(submitted).status == Status.TOWN_REVIEW


def test_deciding_when_no_step_is_pending_says_so_and_changes_nothing(world: dict[str, Any], submitted: Application,
                                                                     client_for: Callable[[str], Client]) -> None:
    assert decide(client_for("jmb_reviewer"), submitted, "approve").status_code == 302
    assert decide(client_for("hitech_cmd"), submitted, "approve").status_code == 302
    assert reload(submitted).status == Status.INSPECTION
    client = client_for("hitech_cmd")
    audit_before = AuditEntry.objects.count()
    for method in ("get", "post"):
        response = getattr(client, method)(reverse("resumption:decide", args=[submitted.uuid]),
                                           {"decision": "reject", "comment": "再看看"} if method == "post" else None)
        assert response.status_code == 302 and response.url == submitted.get_absolute_url()
        assert any("没有待审核的环节" in m for m in messages_of(response))
    assert reload(submitted).status == Status.INSPECTION
    assert AuditEntry.objects.count() == audit_before


def test_suspending_an_application_that_is_not_approved_is_refused(submitted: Application,
                                                                   client_for: Callable[[str], Client]) -> None:
    county = client_for("county_cmd")
    audit_before = AuditEntry.objects.count()
    response = county.post(reverse("resumption:suspend", args=[submitted.uuid]), {"reason": "发生疫情"})
    assert response.status_code == 302 and response.url == submitted.get_absolute_url()
    assert any("只有“已批准复工”的申请可以停工" in m for m in messages_of(response))
    response = county.post(reverse("resumption:reinstate", args=[submitted.uuid]), {"reason": "整改完毕"})
    assert any("只有“已停工”的申请可以复产" in m for m in messages_of(response))
    assert reload(submitted).status == Status.DEPARTMENT_REVIEW
    assert not Suspension.objects.filter(application=submitted).exists()
    assert AuditEntry.objects.count() == audit_before


# -- suspension and reinstatement ---------------------------------------------------------------

@pytest.fixture
def approved(world: dict[str, Any], submitted: Application, users: Callable[[str], User]) -> Application:
    services.review_decide(application=submitted, decision="approve", comment="同意", acting_user=users("jmb_reviewer"))
    services.review_decide(application=reload(submitted), decision="approve", comment="同意", acting_user=users("hitech_cmd"))
    with transaction.atomic():
        services.notice_issue(application=reload(submitted), acting_user=users("grid_officer"))
    application = reload(submitted)
    assert application.status == Status.APPROVED
    return application


def test_county_command_suspends_and_reinstates_audited_and_notified(
    world: dict[str, Any], approved: Application, client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    county = client_for("county_cmd")
    with django_capture_on_commit_callbacks(execute=True):
        response = county.post(reverse("resumption:suspend", args=[approved.uuid]), {"reason": "员工确诊，立即停工消杀"})
    assert response.status_code == 302 and response.url == approved.get_absolute_url()
    assert any("已责令停工" in m for m in messages_of(response))
    assert reload(approved).status == Status.SUSPENDED
    assert Suspension.objects.get(application=approved).reason == "员工确诊，立即停工消杀"
    entry = AuditEntry.objects.get(action="application.suspend", object_id=str(approved.pk))
    assert entry.actor_name and entry.actor_id == User.objects.get(username="county_cmd").pk
    assert Notification.objects.filter(user=world["ent_admin"], title__startswith="停工通知").exists()

    # Suspending again is a clear refusal, not a second suspension.
    again = county.post(reverse("resumption:suspend", args=[approved.uuid]), {"reason": "再次"})
    assert any("只有“已批准复工”的申请可以停工" in m for m in messages_of(again))
    assert Suspension.objects.filter(application=approved).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = county.post(reverse("resumption:reinstate", args=[approved.uuid]), {"reason": "消杀完毕，复查合格"})
    assert response.status_code == 302
    assert reload(approved).status == Status.APPROVED
    suspension = Suspension.objects.get(application=approved)
    assert suspension.lifted_at is not None and suspension.lifted_reason == "消杀完毕，复查合格"
    assert AuditEntry.objects.filter(action="application.reinstate", object_id=str(approved.pk)).exists()
    assert Notification.objects.filter(user=world["ent_admin"], title__startswith="准予复产").exists()


def test_suspension_needs_a_reason(approved: Application, client_for: Callable[[str], Client]) -> None:
    response = client_for("county_cmd").post(reverse("resumption:suspend", args=[approved.uuid]), {"reason": "  "})
    assert response.status_code == 302
    assert any("请填写原因" in m for m in messages_of(response))
    assert reload(approved).status == Status.APPROVED


@pytest.mark.parametrize(("username", "status"), [("jmb_reviewer", 403), ("grid_officer", 403), ("ent_admin", 403),
                                                   ("heshan_cmd", 404), ("gxj_reviewer", 404)])
def test_only_the_command_may_suspend(approved: Application, username: str, status: int, client_for: Callable[[str], Client]) -> None:
    response = client_for(username).post(reverse("resumption:suspend", args=[approved.uuid]), {"reason": "停工"})
    assert response.status_code == status
    assert reload(approved).status == Status.APPROVED


def test_suspend_and_reinstate_accept_post_only(approved: Application, client_for: Callable[[str], Client]) -> None:
    client = client_for("county_cmd")
    assert client.get(reverse("resumption:suspend", args=[approved.uuid])).status_code == 405
    assert client.get(reverse("resumption:reinstate", args=[approved.uuid])).status_code == 405


# -- lists, filters, export, home --------------------------------------------------------------

def test_enterprise_admin_lists_only_its_own_applications(world: dict[str, Any], submitted: Application, users: Callable[[str], User],
                                                          client_for: Callable[[str], Client]) -> None:
    other = build(other_hitech_enterprises(1)[0], users("admin"))
    response = client_for("ent_admin").get(reverse("resumption:list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert submitted.number in page and other.number not in page
    assert {a.enterprise_id for a in response.context["page"]} == {world["enterprise"].pk}
    assert 'data-testid="filters"' not in page  # nothing to filter for one enterprise
    assert client_for("ent_admin").get(reverse("resumption:list") + "?export=xlsx").status_code == 403


def test_list_filters(world: dict[str, Any], submitted: Application, users: Callable[[str], User],
                      client_for: Callable[[str], Client]) -> None:
    other = build(other_hitech_enterprises(1)[0], users("admin"))
    services.review_decide(application=other, decision="return", comment="补材料", acting_user=users("jmb_reviewer"))
    client = client_for("hitech_cmd")

    def numbers(query: str) -> set[str]:
        response = client.get(reverse("resumption:list") + query)
        assert response.status_code == 200
        return {a.number for a in response.context["page"]}

    assert {submitted.number, other.number} <= numbers("")
    assert numbers(f"?q={submitted.number}") == {submitted.number}
    assert numbers(f"?q={world['enterprise'].uscc}") == {submitted.number}
    assert numbers(f"?q={world['enterprise'].name[:6]}") >= {submitted.number}
    assert other.number in numbers("?status=returned") and submitted.number not in numbers("?status=returned")
    assert submitted.number in numbers(f"?town={world['hitech'].pk}&sector=industry&size=above")
    assert numbers("?sector=restaurant") & {submitted.number, other.number} == set()
    # A refused filter value lists nothing, never everything.
    assert numbers("?status=nonsense") == set()


def test_overdue_is_flagged_counted_and_filtered(world: dict[str, Any], submitted: Application, users: Callable[[str], User],
                                                 client_for: Callable[[str], Client]) -> None:
    fresh = build(other_hitech_enterprises(1)[0], users("admin"))
    ReviewStep.objects.filter(pk=services.pending_step(submitted).pk).update(opened_at=timezone.now() - timedelta(hours=30))
    client = client_for("jmb_reviewer")
    response = client.get(reverse("resumption:queue") + f"?q={submitted.number}")
    assert response.context["due_hours"] == 24
    [row] = list(response.context["page"])
    assert row.is_overdue and row.waiting_hours == 30
    assert 'data-testid="overdue"' in response.content.decode()
    [row] = list(client.get(reverse("resumption:queue") + f"?q={fresh.number}").context["page"])
    assert not row.is_overdue and row.waiting_hours == 0
    # Longest waiting first.
    order = list(review_queue(User.objects.get(username="jmb_reviewer")).values_list("pk", flat=True))
    assert order.index(submitted.pk) < order.index(fresh.pk)
    # The overdue count is what the overdue filter lists.
    everything = client.get(reverse("resumption:queue"))
    only_overdue = client.get(reverse("resumption:queue") + "?overdue=true")
    not_overdue = client.get(reverse("resumption:queue") + "?overdue=false")
    assert everything.context["counts"].overdue == only_overdue.context["page"].paginator.count >= 1
    assert only_overdue.context["page"].paginator.count + not_overdue.context["page"].paginator.count == everything.context["page"].paginator.count
    assert client.get(reverse("resumption:queue") + f"?overdue=true&q={submitted.number}").context["page"].paginator.count == 1
    assert client.get(reverse("resumption:queue") + f"?overdue=true&q={fresh.number}").context["page"].paginator.count == 0
    assert client.get(reverse("resumption:queue") + f"?overdue=false&q={fresh.number}").context["page"].paginator.count == 1


def test_queue_answers_htmx_with_the_table_alone(submitted: Application, client_for: Callable[[str], Client]) -> None:
    response = client_for("jmb_reviewer").get(reverse("resumption:queue"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-table")
    page = response.content.decode()
    assert 'data-testid="application-table"' in page and "<html" not in page


def read_xlsx(content: bytes) -> list[list[Any]]:
    return [list(row) for row in load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)]


def test_queue_and_list_export_to_excel(world: dict[str, Any], submitted: Application, client_for: Callable[[str], Client]) -> None:
    ReviewStep.objects.filter(pk=services.pending_step(submitted).pk).update(opened_at=timezone.now() - timedelta(hours=5, minutes=10))
    response = client_for("jmb_reviewer").get(reverse("resumption:queue") + f"?export=xlsx&q={submitted.number}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(response.content)
    assert rows[0] == ["申请编号", "企业名称", "统一社会信用代码", "镇街", "行业", "规模", "状态", "计划复工时间", "返岗人数",
                       "最近提交时间", "当前环节", "已等待(小时)"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    enterprise = world["enterprise"]
    assert row["申请编号"] == submitted.number and row["企业名称"] == enterprise.name and row["统一社会信用代码"] == enterprise.uscc
    assert row["镇街"] == "高新区" and row["行业"] == enterprise.get_sector_display()
    assert row["状态"] == "主管部门审核中" and row["返岗人数"] == 30
    assert row["当前环节"] == "主管部门审核（经贸办）" and row["已等待(小时)"] == 5
    planned = timezone.localtime(reload(submitted).planned_start).replace(tzinfo=None, microsecond=0)
    assert row["计划复工时间"].replace(microsecond=0) == planned

    listed = client_for("hitech_cmd").get(reverse("resumption:list") + "?export=xlsx&status=department_review")
    numbers = [r[0] for r in read_xlsx(listed.content)[1:]]
    assert submitted.number in numbers


def test_queue_queries_do_not_grow_with_the_number_of_applications(
    world: dict[str, Any], submitted: Application, users: Callable[[str], User], client_for: Callable[[str], Client],
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for("jmb_reviewer")
    client.get(reverse("resumption:queue"))  # warm the session

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("resumption:queue")).status_code == 200
        return len(captured)

    before = client.get(reverse("resumption:queue")).context["page"].paginator.count
    one = queries()
    for enterprise in other_hitech_enterprises(6):
        build(enterprise, users("admin"))
    seven = queries()
    assert seven == one
    with django_assert_max_num_queries(15):
        client.get(reverse("resumption:queue") + "?overdue=false&sector=industry")
    assert client.get(reverse("resumption:queue")).context["page"].paginator.count == before + 6
    with django_assert_max_num_queries(15):
        client.get(reverse("resumption:list"))
    with django_assert_max_num_queries(15):
        client.get(reverse("resumption:queue") + "?export=xlsx")


def test_home_tells_reviewers_and_enterprises_what_is_next(world: dict[str, Any], client_for: Callable[[str], Client]) -> None:
    # The demo leaves ent_admin a draft; an enterprise without any application is offered to start one.
    Application.objects.filter(enterprise=world["enterprise"]).delete()
    home = client_for("ent_admin").get(reverse("home")).content.decode()
    assert f"为{world['enterprise'].name}申请复工" in home
    application = services.application_start(enterprise=world["enterprise"], acting_user=world["ent_admin"])
    assert "继续填写复工申请" in client_for("ent_admin").get(reverse("home")).content.decode()
    build(world["enterprise"], world["ent_admin"])
    assert "复工申请：主管部门审核中" in client_for("ent_admin").get(reverse("home")).content.decode()
    for username in ("jmb_reviewer", "hitech_cmd", "county_cmd"):
        waiting = review_queue(User.objects.get(username=username)).count()
        home = client_for(username).get(reverse("home")).content.decode()
        assert (f"{waiting} 件复工申请待您审核" if waiting else "暂无待您审核的复工申请") in home, username
    assert application.pk in set(review_queue(User.objects.get(username="jmb_reviewer")).values_list("pk", flat=True))
    grid_home = client_for("grid_officer").get(reverse("home")).content.decode()
    assert "待您审核" not in grid_home
