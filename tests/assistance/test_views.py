"""The help pages: lists hold exactly what each role may see, filters and exports, forms keep what
was typed and say in Chinese what to fix, objects outside the scope are not found, and the steps
of a request through the pages."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fugong.assistance.choices import Channel, RequestStatus
from fugong.assistance.models import HelpRequest, Position, RoutingRule
from fugong.assistance.services import help_request_answer, position_create
from fugong.enterprises.models import Enterprise
from fugong.regions.models import Region
from tests.assistance.conftest import GRID1, HESHAN, HITECH

pytestmark = pytest.mark.django_db


def _listed(client: Client, url: str, **params: str) -> set[int]:
    """Every pk the list shows, across pages (taken from the row links)."""
    import re

    found: set[int] = set()
    page = 1
    while True:
        html = client.get(url, {**params, "page": page}).content.decode()
        found |= {int(pk) for pk in re.findall(r'href="/assistance/(?:labour/)?(\d+)/"', html)}
        if f"page={page + 1}" not in html:
            return found
        page += 1


def _subtree(code: str) -> str:
    return Region.objects.get(code=code).path


@pytest.mark.parametrize("username", ["hitech_cmd", "jmb_reviewer", "grid_officer", "ent_admin", "heshan_cmd"])
def test_request_list_holds_exactly_the_requests_in_scope(client_for: Callable[[str], Client], username: str, own: Enterprise) -> None:
    requests = list(HelpRequest.objects.select_related("enterprise__region", "department"))
    expected = {
        "hitech_cmd": {r.pk for r in requests if r.enterprise.region.path.startswith(_subtree(HITECH))},
        "jmb_reviewer": {r.pk for r in requests if r.department is not None and r.department.name == "经贸办"
                         and r.enterprise.region.path.startswith(_subtree(HITECH))},
        "grid_officer": {r.pk for r in requests if r.enterprise.region.path.startswith(_subtree(GRID1))},
        "ent_admin": {r.pk for r in requests if r.enterprise_id == own.pk},
        "heshan_cmd": {r.pk for r in requests if r.enterprise.region.path.startswith(_subtree(HESHAN))},
    }[username]
    assert expected, "the demo gives every role something to see"
    assert _listed(client_for(username), reverse("assistance:requests")) == expected


@pytest.mark.parametrize("username", ["employee", "gate_guard"])
def test_employees_and_gate_guards_have_no_help_pages(client_for: Callable[[str], Client], username: str) -> None:
    client = client_for(username)
    for name in ("assistance:requests", "assistance:positions", "assistance:labour-summary", "assistance:rules"):
        assert client.get(reverse(name)).status_code == 403


def test_request_outside_the_scope_is_not_found(client_for: Callable[[str], Client], own: Enterprise) -> None:
    heshan = HelpRequest.objects.filter(enterprise__region__path__startswith=_subtree(HESHAN)).first()
    neighbours = HelpRequest.objects.filter(enterprise__region__path__startswith=_subtree(HITECH)).exclude(enterprise=own).first()
    assert heshan and neighbours
    assert client_for("hitech_cmd").get(reverse("assistance:request", args=[heshan.pk])).status_code == 404
    assert client_for("ent_admin").get(reverse("assistance:request", args=[neighbours.pk])).status_code == 404
    # and a write to it changes nothing
    response = client_for("ent_admin").post(reverse("assistance:request-confirm", args=[neighbours.pk]), {"solved": "yes"})
    assert response.status_code == 404


def test_filters_by_category_status_and_overdue(client_for: Callable[[str], Client]) -> None:
    client = client_for("hitech_cmd")
    scoped = HelpRequest.objects.filter(enterprise__region__path__startswith=_subtree(HITECH))
    assert _listed(client, reverse("assistance:requests"), category="finance") == set(scoped.filter(category="finance").values_list("pk", flat=True))
    assert _listed(client, reverse("assistance:requests"), status="closed") == set(scoped.filter(status="closed").values_list("pk", flat=True))
    overdue = set(scoped.overdue().values_list("pk", flat=True))  # type: ignore[attr-defined]
    assert overdue, "the demo has overdue requests"
    assert _listed(client, reverse("assistance:requests"), due="overdue") == overdue
    assert _listed(client, reverse("assistance:requests"), channel="hotline") == set(scoped.filter(channel="hotline").values_list("pk", flat=True))


def test_list_shows_averages_per_department_and_category(client_for: Callable[[str], Client]) -> None:
    response = client_for("hitech_cmd").get(reverse("assistance:requests"))
    html = response.content.decode()
    assert 'data-testid="by-department"' in html and "高新区经贸办" in html
    assert 'data-testid="by-category"' in html and "平均首次答复用时" in html
    # the enterprise sees its own figures, not the departments' table
    assert 'data-testid="by-department"' not in client_for("ent_admin").get(reverse("assistance:requests")).content.decode()


def test_export_holds_the_filtered_requests_with_masked_callers(client_for: Callable[[str], Client]) -> None:
    response = client_for("hitech_cmd").get(reverse("assistance:requests"), {"export": "xlsx", "channel": "hotline"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    header, body = rows[0], rows[1:]
    hotline = HelpRequest.objects.filter(enterprise__region__path__startswith=_subtree(HITECH), channel=Channel.HOTLINE)
    assert len(body) == hotline.count() >= 2
    phones = [row[header.index("来电号码")] for row in body]
    assert all("****" in phone for phone in phones)
    assert not any(r.caller_phone in str(row) for r in hotline for row in body)


def test_filing_form_keeps_input_and_says_what_is_missing(client_for: Callable[[str], Client]) -> None:
    response = client_for("ent_admin").post(reverse("assistance:request-create"), {"category": "finance", "title": "急需贷款", "description": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="急需贷款"' in html
    assert "该字段是必填项" in html


def test_enterprise_files_and_is_sent_to_its_request(client_for: Callable[[str], Client], own: Enterprise) -> None:
    response = client_for("ent_admin").post(reverse("assistance:request-create"),
                                            {"enterprise": own.pk, "category": "finance", "title": "急需贷款", "description": "流动资金紧张。"})
    created = HelpRequest.objects.filter(enterprise=own, title="急需贷款").get()
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()


def test_enterprise_cannot_pick_another_enterprise(client_for: Callable[[str], Client], neighbour: Enterprise) -> None:
    response = client_for("ent_admin").post(reverse("assistance:request-create"),
                                            {"enterprise": neighbour.pk, "category": "finance", "title": "急需贷款", "description": "x"})
    assert response.status_code == 200
    assert not HelpRequest.objects.filter(enterprise=neighbour, title="急需贷款").exists()


def test_hotline_page_records_the_caller(client_for: Callable[[str], Client], other_grid: Enterprise) -> None:
    client = client_for("hitech_cmd")
    missing = client.post(reverse("assistance:request-hotline"), {"enterprise": other_grid.pk, "category": "logistics", "title": "货车受阻",
                                                                  "description": "卡口受阻。"})
    assert "该字段是必填项" in missing.content.decode() and 'value="货车受阻"' in missing.content.decode()
    response = client.post(reverse("assistance:request-hotline"), {"enterprise": other_grid.pk, "category": "logistics", "title": "货车受阻",
                                                                   "description": "卡口受阻。", "caller_name": "刘先生", "caller_phone": "13902761234"})
    assert response.status_code == 302
    created = HelpRequest.objects.get(title="货车受阻", enterprise=other_grid)
    assert created.channel == Channel.HOTLINE and created.caller_name == "刘先生"


def test_answer_then_confirm_through_the_pages_shows_the_times(client_for: Callable[[str], Client], own: Enterprise) -> None:
    request = HelpRequest.objects.filter(enterprise=own, status=RequestStatus.FILED).first()
    if request is None:
        client_for("ent_admin").post(reverse("assistance:request-create"),
                                     {"enterprise": own.pk, "category": "finance", "title": "急需贷款", "description": "流动资金紧张。"})
        request = HelpRequest.objects.get(enterprise=own, title="急需贷款")
    assert request.department is not None and request.department.name == "经贸办"
    reviewer = client_for("jmb_reviewer")
    empty = reviewer.post(reverse("assistance:request-answer", args=[request.pk]), {"answer": ""})
    assert empty.status_code == 200 and "该字段是必填项" in empty.content.decode()
    assert reviewer.post(reverse("assistance:request-answer", args=[request.pk]), {"answer": "已对接农商行。"}).status_code == 302
    # the grid officer reads it but may not answer or confirm
    assert client_for("grid_officer").get(request.get_absolute_url()).status_code == 200
    assert client_for("grid_officer").post(reverse("assistance:request-confirm", args=[request.pk]), {"solved": "yes"}).status_code == 403
    enterprise = client_for("ent_admin")
    no_note = enterprise.post(reverse("assistance:request-confirm", args=[request.pk]), {"solved": "no"})
    assert "请说明还有哪些问题没有解决" in no_note.content.decode()
    assert enterprise.post(reverse("assistance:request-confirm", args=[request.pk]), {"solved": "yes"}).status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.CLOSED and request.resolution_seconds is not None
    html = enterprise.get(request.get_absolute_url()).content.decode()
    assert "已办结" in html and 'data-testid="resolution-time">—' not in html


def test_reviewer_of_another_department_cannot_answer(client_for: Callable[[str], Client], own: Enterprise) -> None:
    request = HelpRequest.objects.filter(department__name="经贸办", status=RequestStatus.FILED).first()
    assert request is not None
    # 源城区工信局 covers 高新区 but was not routed this request: not in its list either
    assert client_for("gxj_reviewer").post(reverse("assistance:request-answer", args=[request.pk]), {"answer": "x"}).status_code == 404


def test_overdue_badge_on_the_list(client_for: Callable[[str], Client], own: Enterprise) -> None:
    HelpRequest.objects.filter(enterprise=own).update(answer_due_at=timezone.now() - timedelta(hours=1), status=RequestStatus.FILED)
    html = client_for("ent_admin").get(reverse("assistance:requests")).content.decode()
    assert 'data-testid="overdue"' in html


# -- routing rules ---------------------------------------------------------------------------------


def test_command_officer_sees_own_rules_and_the_county_rules_read_only(client_for: Callable[[str], Client]) -> None:
    html = client_for("hitech_cmd").get(reverse("assistance:rules")).content.decode()
    assert 'data-testid="inherited-rule-table"' in html and "中小企业发展促进中心" in html
    county_rule = RoutingRule.objects.filter(region__code="441602").first()
    assert county_rule is not None
    assert client_for("hitech_cmd").get(reverse("assistance:rule-edit", args=[county_rule.pk])).status_code == 404
    assert client_for("county_cmd").get(reverse("assistance:rule-edit", args=[county_rule.pk])).status_code == 200


def test_rule_form_refuses_a_department_that_does_not_serve_the_region(client_for: Callable[[str], Client]) -> None:
    from fugong.regions.models import Department

    heshan_gxj = Department.objects.get(region__code=HESHAN, name="工信局")
    response = client_for("admin").post(reverse("assistance:rule-create"), {"region": Region.objects.get(code=HITECH).pk, "category": "other",
                                                                            "department": heshan_gxj.pk, "note": "测试"})
    assert response.status_code == 200 and "辖区不包括" in response.content.decode()
    assert not RoutingRule.objects.filter(note="测试").exists()


# -- the labour ledger -----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["hitech_cmd", "jmb_reviewer", "grid_officer", "ent_admin"])
def test_position_list_holds_exactly_the_positions_in_scope(client_for: Callable[[str], Client], username: str, own: Enterprise) -> None:
    positions = list(Position.objects.select_related("enterprise__region"))
    expected = {
        "hitech_cmd": {p.pk for p in positions if p.enterprise.region.path.startswith(_subtree(HITECH))},
        "jmb_reviewer": {p.pk for p in positions if p.enterprise.region.path.startswith(_subtree(HITECH))},
        "grid_officer": {p.pk for p in positions if p.enterprise.region.path.startswith(_subtree(GRID1))},
        "ent_admin": {p.pk for p in positions if p.enterprise_id == own.pk},
    }[username]
    assert expected
    client = client_for(username)
    client.get(reverse("assistance:positions"))
    found = set()
    page = 1
    import re
    while True:
        html = client.get(reverse("assistance:positions"), {"page": page}).content.decode()
        found |= {int(pk) for pk in re.findall(r'href="/assistance/labour/(\d+)/"', html)}
        if f"page={page + 1}" not in html:
            break
        page += 1
    assert found == expected


def test_position_list_search_filter_and_masked_export(client_for: Callable[[str], Client]) -> None:
    client = client_for("hitech_cmd")
    scoped = Position.objects.filter(enterprise__region__path__startswith=_subtree(HITECH))
    response = client.get(reverse("assistance:positions"), {"status": "open", "q": "普工"})
    expected = scoped.filter(status="open", title__contains="普工").count()
    assert f"共 {expected} 个岗位" in response.content.decode()
    export = client.get(reverse("assistance:positions"), {"export": "xlsx", "sector": "industry"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert len(rows) - 1 == scoped.filter(enterprise__sector="industry").count()
    phone_column = rows[0].index("联系电话")
    assert all("****" in row[phone_column] for row in rows[1:])


def test_labour_summary_and_its_export(client_for: Callable[[str], Client]) -> None:
    from fugong.assistance.selectors import open_positions

    client = client_for("hitech_cmd")
    html = client.get(reverse("assistance:labour-summary")).content.decode()
    total = open_positions([_subtree(HITECH)])
    assert f'data-testid="by-town-open-total">{total}<' in html
    export = client.get(reverse("assistance:labour-summary"), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[-1][0] == "合计" and rows[-1][-1] == total


def test_position_form_keeps_input_with_chinese_errors(client_for: Callable[[str], Client], own: Enterprise) -> None:
    data = {"enterprise": own.pk, "title": "电焊工", "count": "5", "start_date": timezone.localdate().isoformat(), "wage_min": "8000",
            "wage_max": "5000", "contact_name": "李四", "contact_phone": "13800001111", "status": "open"}
    response = client_for("ent_admin").post(reverse("assistance:position-create"), data)
    html = response.content.decode()
    assert response.status_code == 200 and 'value="电焊工"' in html and "月薪上限不能低于下限" in html
    data["wage_max"] = "9000"
    assert client_for("ent_admin").post(reverse("assistance:position-create"), data).status_code == 302


def test_progress_form_refuses_more_filled_than_wanted(client_for: Callable[[str], Client], own: Enterprise, users: Any) -> None:
    position = position_create(enterprise=own, data={"title": "普工", "count": 4, "start_date": timezone.localdate(), "contact_name": "李四",
                                                      "contact_phone": "13800001111"}, acting_user=users("ent_admin"))
    response = client_for("hitech_cmd").post(reverse("assistance:position-progress", args=[position.pk]), {"matched_count": "6", "filled_count": "5"})
    assert response.status_code == 200 and "不能超过需求人数" in response.content.decode()
    assert client_for("jmb_reviewer").post(reverse("assistance:position-progress", args=[position.pk]),
                                           {"matched_count": "1", "filled_count": "1"}).status_code == 403
    assert client_for("grid_officer").get(reverse("assistance:position-edit", args=[position.pk])).status_code == 403


def test_contact_phone_full_only_for_those_who_call(client_for: Callable[[str], Client], own: Enterprise, users: Any) -> None:
    position = position_create(enterprise=own, data={"title": "普工", "count": 4, "start_date": timezone.localdate(), "contact_name": "李四",
                                                      "contact_phone": "13800001111"}, acting_user=users("ent_admin"))
    assert "13800001111" in client_for("ent_admin").get(position.get_absolute_url()).content.decode()
    assert "13800001111" in client_for("hitech_cmd").get(position.get_absolute_url()).content.decode()
    grid = client_for("grid_officer").get(position.get_absolute_url()).content.decode()
    assert "13800001111" not in grid and "138****1111" in grid


def test_answer_is_refused_when_already_answered(client_for: Callable[[str], Client], own: Enterprise, users: Any) -> None:
    request = HelpRequest.objects.filter(department__name="经贸办", status=RequestStatus.FILED).first()
    assert request is not None
    help_request_answer(help_request=request, answer="已办理。", acting_user=users("jmb_reviewer"))
    response = client_for("jmb_reviewer").post(reverse("assistance:request-answer", args=[request.pk]), {"answer": "再次"})
    assert response.status_code == 302
    assert HelpRequest.objects.get(pk=request.pk).answer == "已办理。"


def test_the_callers_number_is_full_only_for_the_command_over_the_enterprise(client_for: Callable[[str], Client], own: Enterprise,
                                                                              rules: Any, file_request: Callable[..., HelpRequest]) -> None:
    # Given a 12345 call about 高新区's enterprise, routed to 高新区经贸办 (finance)
    call = file_request(own, "finance", by="hitech_cmd", channel=Channel.HOTLINE, caller_name="刘先生", caller_phone="13902761234")
    assert call.department is not None
    # And an officer with two hats: command of a town of 鹤山市, reviewer at 高新区经贸办
    from fugong.accounts.choices import Role
    from fugong.accounts.models import Membership, User

    two_hats = User.objects.create_user(username="two_hats", password="x", display_name="两个身份")
    Membership.objects.create(user=two_hats, role=Role.COMMAND, region=Region.objects.filter(parent__code=HESHAN).order_by("code").first())
    Membership.objects.create(user=two_hats, role=Role.REVIEWER, department=call.department)
    two = Client()
    two.force_login(two_hats)
    url = reverse("assistance:request", args=[call.pk])
    # Then 高新区's command reads the number in full; the reviewer, a command officer elsewhere, masked
    assert "13902761234" in client_for("hitech_cmd").get(url).content.decode()
    page = two.get(url)
    assert page.status_code == 200
    assert "13902761234" not in page.content.decode() and call.caller_phone_masked in page.content.decode()
