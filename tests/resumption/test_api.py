"""The applications API: the pages' scope and filters, the services' transitions, their refusals
as HTTP (400 with the failing checks, 403, 404 outside the scope, 409 for a state that does not
allow the step), session or token authentication, and a valid OpenAPI schema.

The applications are the demo's (fugong.resumption.demo), seeded once per session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_fsm import TransitionNotAllowed
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from fugong.accounts.models import ApiToken, User
from fugong.audit.models import AuditEntry
from fugong.enterprises.choices import Sector, Size
from fugong.regions.models import Region
from fugong.resumption import services
from fugong.resumption.choices import Stage, Status, StepStatus
from fugong.resumption.models import Application

pytestmark = pytest.mark.django_db

API = "/api/v1/applications/"
HITECH = "441602-GXQ"
HESHAN = "440784"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def api_for(users: Callable[[str], User]) -> Callable[[str], APIClient]:
    def make(username: str) -> APIClient:
        client = APIClient()
        client.force_login(users(username))
        return client

    return make


def listed(client: APIClient, query: dict[str, Any] | None = None) -> set[str]:
    response = client.get(API, {**(query or {}), "page_size": 500})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None
    return {row["uuid"] for row in body["results"]}


def uuids(queryset: Any) -> set[str]:
    return {str(u) for u in queryset.values_list("uuid", flat=True)}


def waiting_on(department_name: str, town_code: str = HITECH) -> Application:
    """A demo application whose open step is the department's."""
    for application in Application.objects.filter(status=Status.DEPARTMENT_REVIEW, enterprise__town__code=town_code).order_by("pk"):
        step = services.pending_step(application)
        if step is not None and step.department is not None and step.department.name == department_name:
            return application
    raise AssertionError(f"the demo has no application waiting on {department_name}")


def in_hitech(status: str) -> Application:
    application = Application.objects.filter(status=status, enterprise__town__code=HITECH).order_by("pk").first()
    assert application is not None, f"the demo has no {status} application in 高新区"
    return application


def own_draft() -> Application:
    return Application.objects.get(enterprise__memberships__user__username="ent_admin", status=Status.DRAFT)


# -- reading, scoped ------------------------------------------------------------------------------------


def test_a_county_command_lists_exactly_its_countys_applications(api_for: Callable[[str], APIClient]) -> None:
    heshan = Region.objects.get(code=HESHAN)

    shown = listed(api_for("heshan_cmd"))

    assert shown == uuids(Application.objects.filter(enterprise__region__path__startswith=heshan.path))
    assert shown


def test_a_reviewer_lists_only_the_applications_routed_to_their_department(api_for: Callable[[str], APIClient]) -> None:
    shown = listed(api_for("jmb_reviewer"))

    routed = Application.objects.filter(steps__department__name="经贸办", steps__department__region__code=HITECH).distinct()
    assert shown == uuids(routed)
    assert str(waiting_on("经贸办").uuid) in shown


def test_an_enterprise_admin_lists_only_their_own_application(api_for: Callable[[str], APIClient]) -> None:
    assert listed(api_for("ent_admin")) == {str(own_draft().uuid)}


@pytest.mark.parametrize("username", ["employee", "gate_guard"])
def test_employees_and_gate_guards_get_no_list_and_no_application(api_for: Callable[[str], APIClient], username: str) -> None:
    client = api_for(username)

    assert client.get(API).status_code == 403
    assert client.get(f"{API}{own_draft().uuid}/").status_code == 404


def test_an_application_of_another_county_is_not_found(api_for: Callable[[str], APIClient]) -> None:
    hitech = in_hitech(Status.APPROVED)
    client = api_for("heshan_cmd")

    assert client.get(f"{API}{hitech.uuid}/").status_code == 404
    assert client.post(f"{API}{hitech.uuid}/suspend/", {"reason": "试图越权"}, format="json").status_code == 404


def test_the_detail_shows_what_was_filed_the_current_steps_and_the_notice(api_for: Callable[[str], APIClient]) -> None:
    approved = in_hitech(Status.APPROVED)

    body = api_for("hitech_cmd").get(f"{API}{approved.uuid}/").json()

    assert body["status"] == "approved" and body["status_display"] == "已批准复工"
    assert body["notice_number"] == approved.notice.number
    assert body["notice"]["number"] == approved.notice.number
    assert {r["item"] for r in body["reserves"]} >= {"mask", "thermometer"}
    assert body["returning_headcount"] == sum(e["count"] for e in body["return_plan"]) > 0
    assert [s["round"] for s in body["steps"]] == [approved.submission_count] * len(body["steps"])
    assert [s["status"] for s in body["steps"]] == [StepStatus.APPROVED] * len(body["steps"])
    assert body["steps"][-1]["stage"] in (Stage.TOWN, Stage.COUNTY)
    assert body["checks"] is None  # filed: the checks are history, not advice
    assert body["current_step"] is None


def test_a_draft_shows_its_checks_with_the_mask_shortfall(api_for: Callable[[str], APIClient]) -> None:
    body = api_for("ent_admin").get(f"{API}{own_draft().uuid}/").json()

    masks = next(c for c in body["checks"] if c["code"] == "masks")
    assert (masks["ok"], masks["blocking"], masks["level"]) == (False, True, "error")
    assert "缺" in masks["message"]
    assert body["notice"] is None and body["notice_number"] is None


def test_the_list_says_where_each_application_waits(api_for: Callable[[str], APIClient]) -> None:
    waiting = waiting_on("经贸办")

    rows = api_for("jmb_reviewer").get(API, {"status": "department_review", "page_size": 500}).json()["results"]

    row = next(r for r in rows if r["uuid"] == str(waiting.uuid))
    assert row["current_step"]["stage"] == "department"
    assert row["current_step"]["department"] == "经贸办"
    assert row["town"] == HITECH and row["town_name"] == "高新区"


def test_the_list_costs_the_same_queries_for_5_rows_as_for_100(api_for: Callable[[str], APIClient]) -> None:
    client = api_for("admin")
    client.get(API, {"page_size": 1})  # sessions, scope and policy reads warm up

    with CaptureQueriesContext(connection) as few:
        assert len(client.get(API, {"page_size": 5}).json()["results"]) == 5
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(API, {"page_size": 100}).json()["results"]) > 5

    assert len(many) == len(few)


# -- filters, shared with the list page ----------------------------------------------------------------------


def town_id(name: str) -> int:
    return Region.objects.get(name=name, level="town").pk


QUERIES: list[tuple[str, Callable[[], dict[str, Any]]]] = [
    ("status", lambda: {"status": Status.APPROVED}),
    ("town", lambda: {"town": town_id("高新区")}),
    ("sector", lambda: {"sector": Sector.INDUSTRY}),
    ("size", lambda: {"size": Size.ABOVE}),
    ("q", lambda: {"q": "河源市"}),
    ("town+status+size", lambda: {"town": town_id("高新区"), "status": Status.APPROVED, "size": Size.BELOW}),
]


@pytest.mark.parametrize("query", [q for _, q in QUERIES], ids=[name for name, _ in QUERIES])
def test_the_api_and_the_list_page_give_the_same_applications_for_the_same_query(api_for: Callable[[str], APIClient], client_for: Any,
                                                                                 query: Callable[[], dict[str, Any]]) -> None:
    params = query()

    from_api = listed(api_for("county_cmd"), params)
    page = client_for("county_cmd").get("/applications/", params)

    assert page.status_code == 200
    assert from_api == {str(a.uuid) for a in page.context["page"].paginator.object_list}
    assert from_api


def test_each_filter_keeps_only_what_it_names(api_for: Callable[[str], APIClient]) -> None:
    client = api_for("admin")

    assert listed(client, {"status": Status.SUSPENDED}) == uuids(Application.objects.filter(status=Status.SUSPENDED))
    assert listed(client, {"town": town_id("共和镇")}) == uuids(Application.objects.filter(enterprise__town__name="共和镇"))
    assert listed(client, {"sector": Sector.RESTAURANT}) == uuids(Application.objects.filter(enterprise__sector=Sector.RESTAURANT))
    assert listed(client, {"size": Size.ABOVE}) == uuids(Application.objects.filter(enterprise__size=Size.ABOVE))


def test_a_town_outside_the_callers_scope_is_refused_as_a_filter(api_for: Callable[[str], APIClient]) -> None:
    response = api_for("heshan_cmd").get(API, {"town": town_id("高新区")})

    assert response.status_code == 400
    assert "town" in response.json()


# -- submitting ------------------------------------------------------------------------------------------------


def test_a_refused_submission_answers_400_with_the_failing_checks(api_for: Callable[[str], APIClient]) -> None:
    draft = own_draft()

    response = api_for("ent_admin").post(f"{API}{draft.uuid}/submit/")

    assert response.status_code == 400
    body = response.json()
    assert "请改正后再提交" in body["detail"]
    assert [c["code"] for c in body["checks"]] == ["masks"]
    assert "口罩储备不足" in body["checks"][0]["message"]
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


def test_once_the_masks_are_bought_the_draft_is_submitted_to_its_first_department(api_for: Callable[[str], APIClient],
                                                                                  users: Callable[[str], User]) -> None:
    # Given ent_admin bought enough masks
    draft = own_draft()
    services.application_save(application=draft, acting_user=users("ent_admin"), data={},
                              reserves={**{r.item: r.quantity for r in draft.reserves.all()}, "mask": 10_000})

    # When it submits through the API
    response = api_for("ent_admin").post(f"{API}{draft.uuid}/submit/")

    # Then the application waits on its first department, with a number, and the submission is audited
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "department_review" and body["number"]
    assert body["current_step"]["stage"] == "department"
    assert body["steps"][0]["status"] == "pending" and body["checks"] is None
    assert AuditEntry.objects.filter(action="application.submit", object_id=str(draft.pk)).exists()


def test_submitting_an_application_already_under_review_is_a_conflict(api_for: Callable[[str], APIClient],
                                                                       users: Callable[[str], User]) -> None:
    draft = own_draft()
    services.application_save(application=draft, acting_user=users("ent_admin"), data={}, reserves={"mask": 10_000})
    client = api_for("ent_admin")
    assert client.post(f"{API}{draft.uuid}/submit/").status_code == 200

    again = client.post(f"{API}{draft.uuid}/submit/")

    assert again.status_code == 409
    assert again.json()["detail"] == "申请当前状态为“主管部门审核中”，不能提交，未作任何更改。"


def test_only_the_enterprise_submits_its_application(api_for: Callable[[str], APIClient]) -> None:
    response = api_for("grid_officer").post(f"{API}{own_draft().uuid}/submit/")

    assert response.status_code == 403
    assert response.json()["detail"] == "只有本企业的防疫专员可以提交复工申请。"


# -- deciding ---------------------------------------------------------------------------------------------------


def test_the_routed_reviewer_approves_and_the_application_moves_on(api_for: Callable[[str], APIClient]) -> None:
    application = waiting_on("经贸办")
    step = services.pending_step(application)
    assert step is not None

    response = api_for("jmb_reviewer").post(f"{API}{application.uuid}/decide/",
                                            {"decision": "approve", "comment": "材料齐全，同意上报。", "step": step.pk}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "town_review"
    step.refresh_from_db()
    assert (step.status, step.comment, step.decided_by.username) == (StepStatus.APPROVED, "材料齐全，同意上报。", "jmb_reviewer")
    assert response.json()["current_step"]["stage"] == "town"
    assert AuditEntry.objects.filter(action="application.approve", object_id=str(application.pk)).exists()


def test_a_return_needs_a_comment_and_goes_back_to_the_enterprise(api_for: Callable[[str], APIClient]) -> None:
    application = waiting_on("经贸办")
    client = api_for("jmb_reviewer")

    blank = client.post(f"{API}{application.uuid}/decide/", {"decision": "return", "comment": "  "}, format="json")
    assert blank.status_code == 400
    assert blank.json()["comment"] == ["请填写审核意见。"]

    returned = client.post(f"{API}{application.uuid}/decide/", {"decision": "return", "comment": "请补充食堂错峰就餐安排。"}, format="json")
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"


def test_a_decision_outside_the_choices_is_refused(api_for: Callable[[str], APIClient]) -> None:
    response = api_for("jmb_reviewer").post(f"{API}{waiting_on('经贸办').uuid}/decide/", {"decision": "maybe", "comment": "?"}, format="json")

    assert response.status_code == 400
    assert "decision" in response.json()


@pytest.mark.parametrize("username", ["ajb_reviewer", "gxj_reviewer", "heshan_gxj"])
def test_a_reviewer_of_another_department_does_not_even_see_the_application(api_for: Callable[[str], APIClient], username: str) -> None:
    # The application is visible to a reviewer only when it is routed to their department.
    application = waiting_on("经贸办")

    client = api_for(username)

    assert client.get(f"{API}{application.uuid}/").status_code == 404
    response = client.post(f"{API}{application.uuid}/decide/", {"decision": "approve", "comment": "同意"}, format="json")
    assert response.status_code == 404
    assert Application.objects.get(pk=application.pk).status == Status.DEPARTMENT_REVIEW


def test_the_town_command_sees_an_application_still_with_the_department_but_may_not_decide_it(api_for: Callable[[str], APIClient]) -> None:
    application = waiting_on("经贸办")

    response = api_for("hitech_cmd").post(f"{API}{application.uuid}/decide/", {"decision": "approve", "comment": "同意"}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "该环节不由您审核。"


def test_deciding_an_approved_application_is_a_conflict_in_chinese(api_for: Callable[[str], APIClient]) -> None:
    approved = in_hitech(Status.APPROVED)

    response = api_for("hitech_cmd").post(f"{API}{approved.uuid}/decide/", {"decision": "reject", "comment": "不同意"}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"] == "申请当前状态为“已批准复工”，没有待审核的环节，未作任何更改。"


def test_a_decision_on_a_step_already_decided_is_a_conflict(api_for: Callable[[str], APIClient]) -> None:
    # Given the reviewer's page showed the department step, and the application has moved on since
    application = waiting_on("经贸办")
    shown = services.pending_step(application)
    assert shown is not None
    client = api_for("jmb_reviewer")
    assert client.post(f"{API}{application.uuid}/decide/", {"decision": "approve", "comment": "同意", "step": shown.pk},
                       format="json").status_code == 200

    # When a second click posts the same step again, as hitech_cmd who now decides
    again = api_for("hitech_cmd").post(f"{API}{application.uuid}/decide/", {"decision": "approve", "comment": "同意", "step": shown.pk},
                                       format="json")

    assert again.status_code == 409
    assert "已经处理过了" in again.json()["detail"]


# -- suspension and reinstatement ----------------------------------------------------------------------------------


def test_the_town_command_suspends_and_reinstates_with_reasons(api_for: Callable[[str], APIClient]) -> None:
    approved = in_hitech(Status.APPROVED)
    client = api_for("hitech_cmd")

    suspended = client.post(f"{API}{approved.uuid}/suspend/", {"reason": "巡查发现宿舍每间住 6 人，责令停工整改。"}, format="json")
    assert suspended.status_code == 200, suspended.content
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["suspensions"][0]["reason"] == "巡查发现宿舍每间住 6 人，责令停工整改。"

    reinstated = client.post(f"{API}{approved.uuid}/reinstate/", {"reason": "整改到位，准予复产。"}, format="json")
    assert reinstated.status_code == 200
    assert reinstated.json()["status"] == "approved"
    assert reinstated.json()["suspensions"][0]["lifted_reason"] == "整改到位，准予复产。"


def test_a_suspension_needs_a_reason(api_for: Callable[[str], APIClient]) -> None:
    response = api_for("hitech_cmd").post(f"{API}{in_hitech(Status.APPROVED).uuid}/suspend/", {"reason": ""}, format="json")

    assert response.status_code == 400
    assert response.json()["reason"] == ["请填写原因。"]


@pytest.mark.parametrize(("action", "status", "message"), [
    ("suspend", Status.DRAFT, "只有“已批准复工”的申请可以停工，该申请当前为“草稿”，未作任何更改。"),
    ("reinstate", Status.APPROVED, "只有“已停工”的申请可以复产，该申请当前为“已批准复工”，未作任何更改。"),
])
def test_suspending_or_reinstating_in_the_wrong_state_is_a_conflict(api_for: Callable[[str], APIClient], action: str, status: str,
                                                                     message: str) -> None:
    application = in_hitech(status)

    response = api_for("hitech_cmd").post(f"{API}{application.uuid}/{action}/", {"reason": "测试"}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"] == message


def test_a_transition_the_state_machine_refuses_meanwhile_is_a_conflict(api_for: Callable[[str], APIClient],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a colleague suspended the enterprise a moment before (the service's transition refuses)
    approved = in_hitech(Status.APPROVED)

    def raced(**kwargs: Any) -> None:
        raise TransitionNotAllowed("Can't switch from state 'suspended' using method 'suspend'")

    monkeypatch.setattr(services, "application_suspend", raced)

    response = api_for("hitech_cmd").post(f"{API}{approved.uuid}/suspend/", {"reason": "测温点无人值守"}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"] == "申请当前状态为“已批准复工”，不能停工，未作任何更改。"


@pytest.mark.parametrize("username", ["jmb_reviewer", "grid_officer", "ent_admin"])
def test_only_a_command_suspends(api_for: Callable[[str], APIClient], username: str) -> None:
    # An application each of them can see
    application = {"jmb_reviewer": lambda: Application.objects.filter(status=Status.APPROVED, steps__department__name="经贸办").first(),
                   "grid_officer": lambda: Application.objects.filter(status=Status.APPROVED, enterprise__region__code=f"{HITECH}-IND01").first(),
                   "ent_admin": own_draft}[username]()
    assert application is not None, "the demo gives each of these users an application they can see"

    response = api_for(username).post(f"{API}{application.uuid}/suspend/", {"reason": "越权"}, format="json")

    assert response.status_code == 403


# -- authentication and schema ---------------------------------------------------------------------------------------


def test_a_token_works_like_a_session_for_reading_and_deciding(users: Callable[[str], User]) -> None:
    # Given an API token of 经贸办's reviewer, and no session (so no CSRF either)
    _, key = ApiToken.issue(user=users("jmb_reviewer"), name="测试", expires_at=timezone.now() + timedelta(days=1))
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    application = waiting_on("经贸办")

    # When it lists and decides
    assert str(application.uuid) in listed(client, {"status": "department_review"})
    response = client.post(f"{API}{application.uuid}/decide/", {"decision": "approve", "comment": "同意"}, format="json")

    # Then the token's user decided
    assert response.status_code == 200
    assert application.steps.get(status=StepStatus.APPROVED, round=application.submission_count).decided_by.username == "jmb_reviewer"


def test_without_credentials_nothing_is_answered() -> None:
    client = APIClient()

    assert client.get(API).status_code in (401, 403)
    assert client.post(f"{API}{own_draft().uuid}/submit/").status_code in (401, 403)


def test_the_schema_stays_valid_and_describes_the_actions(client_for: Any) -> None:
    response = client_for("county_cmd").get("/api/v1/schema/")
    schema = yaml.safe_load(response.content)

    validate_schema(schema)
    paths = schema["paths"]
    assert {f"{API}", f"{API}{{uuid}}/", f"{API}{{uuid}}/submit/", f"{API}{{uuid}}/decide/", f"{API}{{uuid}}/suspend/",
            f"{API}{{uuid}}/reinstate/"} <= set(paths)
    assert set(paths[API]) == {"get"}
    assert {p["name"] for p in paths[API]["get"]["parameters"]} >= {"q", "status", "town", "sector", "size", "overdue", "page", "ordering"}
    decide = paths[f"{API}{{uuid}}/decide/"]["post"]
    assert decide["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/DecisionRequest")
    assert {"200", "400", "403", "404", "409"} <= set(decide["responses"])
    submit = paths[f"{API}{{uuid}}/submit/"]["post"]
    assert submit["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/SubmissionRefused")
    decision = schema["components"]["schemas"]["DecisionRequest"]
    assert set(decision["required"]) == {"decision", "comment"}


@pytest.mark.parametrize("username", ["grid_officer", "ent_admin"])
def test_roles_that_never_review_are_refused_the_decision_whatever_the_state(api_for: Callable[[str], APIClient], username: str) -> None:
    response = api_for(username).post(f"{API}{own_draft().uuid}/decide/", {"decision": "approve", "comment": "同意"}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "只有主管部门审核员和指挥部可以审核。"
