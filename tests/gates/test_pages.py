"""The gate pages: a guard's phone page (scan, visitors, vehicles; htmx answers), the list of a
user's gates, and the gate's log with filters and the Excel ledger."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership
from fugong.gates.choices import Direction, Outcome
from fugong.gates.models import Passage
from fugong.gates.services import gate_scan, vehicle_record, visitor_record
from fugong.health.models import Alert
from tests.gates.conftest import days_ago

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "scan-form"}


@pytest.fixture(autouse=True)
def _empty_log(db: Any) -> None:
    """These tests count what they record: the demo's log is set aside (rolled back with the test)."""
    Passage.objects.all().delete()


def html(response: Any) -> str:
    return response.content.decode()


# -- the list of gates ----------------------------------------------------------------------------


def test_gate_guard_with_one_gate_goes_straight_to_its_page(gate_client, east_gate):
    response = gate_client.get(reverse("gates:index"))
    assert response.status_code == 302 and response["Location"] == reverse("gates:gate", args=[east_gate.pk])
    assert f'href="{reverse("gates:index")}"' in html(gate_client.get(reverse("home")))


def test_officers_and_the_enterprise_see_their_gates_with_todays_figures(client_for, east_gate, checkpoint, guard):
    # Given one more visitor in and one more refused at 东门 today (besides the demo's)
    today = Passage.objects.filter(gate=east_gate, date=timezone.localdate())
    before = (today.filter(direction="in", outcome="allowed").count(), today.filter(outcome="refused").count(), today.filter(fever=True).count())
    visitor_record(gate=east_gate, direction=Direction.IN, name="钱多多", phone="13812345678", purpose="送货", temperature="36.5", acting_user=guard)
    visitor_record(gate=east_gate, direction=Direction.IN, name="孙丽", phone="13800001111", purpose="洽谈", temperature="38.0", acting_user=guard)
    # When each opens the gate list
    seen = {}
    for username in ("hitech_cmd", "county_cmd", "grid_officer", "ent_admin", "heshan_cmd"):
        response = client_for(username).get(reverse("gates:index"))
        assert response.status_code == 200
        seen[username] = {gate.pk: counts for gate, counts in response.context["rows"]}
    # Then the town and the grid see 东门 only (the checkpoint is the county's), the county both, 鹤山 neither
    assert set(seen["hitech_cmd"]) == set(seen["grid_officer"]) == set(seen["ent_admin"]) == {east_gate.pk}
    assert {east_gate.pk, checkpoint.pk} <= set(seen["county_cmd"])
    assert not {east_gate.pk, checkpoint.pk} & set(seen["heshan_cmd"])
    counts = seen["hitech_cmd"][east_gate.pk]
    assert (counts.entered, counts.refused, counts.fevers) == (before[0] + 1, before[1] + 1, before[2] + 1)


@pytest.mark.parametrize("username", ["jmb_reviewer", "employee"])
def test_reviewers_and_employees_have_no_gate_pages(client_for, east_gate, username):
    client = client_for(username)
    for url in (reverse("gates:index"), reverse("gates:gate", args=[east_gate.pk]), reverse("gates:log", args=[east_gate.pk])):
        assert client.get(url).status_code == 403
    # and the menu does not offer them (a gate guard's does)
    assert f'href="{reverse("gates:index")}"' not in html(client.get(reverse("home")))


# -- the phone page -------------------------------------------------------------------------------


def test_scan_page_offers_the_camera_the_code_field_temperature_and_the_two_buttons(gate_client, east_gate):
    response = gate_client.get(reverse("gates:gate", args=[east_gate.pk]))
    assert response.status_code == 200
    page = html(response)
    assert "vendor/jsqr-1.4.0/jsQR.js" in page and "data-qr-scanner" in page
    assert 'name="token"' in page and 'inputmode="decimal"' in page
    assert 'name="direction" value="in"' in page and 'name="direction" value="out"' in page
    assert 'id="pane-visitor"' in page and 'id="pane-vehicle"' in page
    # Strict CSP: no inline script, style or handler
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " style=" not in page and "onclick" not in page


def test_scan_with_htmx_answers_big_and_green_and_the_form_is_ready_for_the_next_person(gate_client, east_gate, worker):
    issued = worker(east_gate.enterprise, "张晓明")
    response = gate_client.post(reverse("gates:scan", args=[east_gate.pk]), {"token": issued.token, "temperature": "36.5", "direction": "in"},
                                **HTMX)
    assert response.status_code == 200
    page = html(response)
    # The answer: 放行, the enterprise and the masked name, swapped in out of band with the figures
    assert 'data-outcome="allowed"' in page and "放行" in page and "张*" in page and "张晓明" not in page
    assert east_gate.enterprise.name in page
    assert 'id="gate-answer" aria-live="polite" hx-swap-oob="true"' in page and 'id="gate-counts" hx-swap-oob="true"' in page
    assert re.search(r'data-testid="count-in">1<', page)
    # The form comes back blank for the next person
    assert page.lstrip().startswith("<form") and issued.token not in page
    assert Passage.objects.filter(gate=east_gate, outcome=Outcome.ALLOWED, person=issued.person).count() == 1


def test_fever_at_the_scan_page_is_red_with_what_to_do_next(gate_client, east_gate, worker):
    issued = worker(east_gate.enterprise, "李秀英")
    page = html(gate_client.post(reverse("gates:scan", args=[east_gate.pk]), {"token": issued.token, "temperature": "38.1", "direction": "in"},
                                 **HTMX))
    assert 'data-outcome="refused"' in page and "禁止入内" in page
    assert "体温 38.1℃ 发热，禁止入内，已生成预警" in page and "留观室" in page and "发热门诊" in page
    assert Alert.objects.filter(person=issued.person).exists()


def test_refused_form_keeps_what_was_typed_and_says_what_to_fix(gate_client, east_gate, worker):
    issued = worker(east_gate.enterprise)
    before = Passage.objects.count()
    # Without JavaScript: the whole page, with the typed code kept and the field marked
    response = gate_client.post(reverse("gates:scan", args=[east_gate.pk]), {"token": issued.token, "temperature": "", "direction": "in"})
    page = html(response)
    assert response.status_code == 200 and "未登记，请改正" in page and "进门须测量体温" in page
    assert f'value="{issued.token}"' in page and "is-invalid" in page
    # The visitor form too, with htmx
    page = html(gate_client.post(reverse("gates:visitor", args=[east_gate.pk]),
                                 {"name": "钱多多", "phone": "1381234", "company": "顺达物流", "purpose": "", "temperature": "36.5", "direction": "in"},
                                 **HTMX))
    assert page.lstrip().startswith("<form") and 'value="钱多多"' in page and 'value="顺达物流"' in page
    assert "手机号“1381234”无效" in page and "请填写来访事由" in page
    assert Passage.objects.count() == before


def test_visitor_and_vehicle_forms_record_at_the_gate(gate_client, east_gate):
    visitor = gate_client.post(reverse("gates:visitor", args=[east_gate.pk]),
                               {"name": "钱多多", "phone": "13812345678", "company": "顺达物流", "purpose": "送货", "host": "仓库 刘主管",
                                "temperature": "36.5", "direction": "in"}, **HTMX)
    truck = gate_client.post(reverse("gates:vehicle", args=[east_gate.pk]),
                             {"plate": "粤p12345", "driver_name": "孙师傅", "cargo": "原材料", "passengers": "1", "temperature": "36.6",
                              "direction": "in"})
    assert 'data-outcome="allowed"' in html(visitor) and "钱*" in html(visitor)
    assert truck.status_code == 200 and "粤P12345" in html(truck)
    kinds = sorted(Passage.objects.filter(gate=east_gate).values_list("kind", flat=True))
    assert kinds == ["vehicle", "visitor"]


def test_gate_guard_cannot_see_another_gates_page_or_log_nor_record_at_it(gate_client, other_gate, worker):
    issued = worker(other_gate.enterprise)
    before = Passage.objects.count()
    assert gate_client.get(reverse("gates:gate", args=[other_gate.pk])).status_code == 404
    assert gate_client.get(reverse("gates:log", args=[other_gate.pk])).status_code == 404
    for name, data in (("gates:scan", {"token": issued.token, "temperature": "36.5", "direction": "in"}),
                       ("gates:visitor", {"name": "访客", "phone": "13800000000", "purpose": "送货", "temperature": "36.5", "direction": "in"}),
                       ("gates:vehicle", {"plate": "粤P12345", "driver_name": "司机", "temperature": "36.5", "direction": "in"})):
        assert gate_client.post(reverse(name, args=[other_gate.pk]), data).status_code == 404
    assert Passage.objects.count() == before


def test_officers_read_the_gate_page_but_do_not_record(client_for, east_gate, worker):
    issued = worker(east_gate.enterprise)
    client = client_for("grid_officer")
    page = html(client.get(reverse("gates:gate", args=[east_gate.pk])))
    assert "data-qr-scanner" not in page and "门岗值守人员操作" in page
    response = client.post(reverse("gates:scan", args=[east_gate.pk]), {"token": issued.token, "temperature": "36.5", "direction": "in"})
    assert response.status_code == 403
    assert not Passage.objects.filter(gate=east_gate).exists()


# -- the log --------------------------------------------------------------------------------------


@pytest.fixture
def logged(east_gate, guard, worker) -> dict[str, Any]:
    """Today at 东门: a worker in, a visitor in, a feverish visitor refused, a truck; two days ago a visitor."""
    issued = worker(east_gate.enterprise, "王建国")
    gate_scan(gate=east_gate, token=issued.token, temperature="36.4", direction=Direction.IN, acting_user=guard)
    visitor_record(gate=east_gate, direction=Direction.IN, name="钱多多", phone="13812345678", company="河源市顺达物流有限公司", purpose="送货",
                   temperature="36.5", acting_user=guard)
    visitor_record(gate=east_gate, direction=Direction.IN, name="孙丽", phone="13800001111", purpose="洽谈", temperature="38.0", acting_user=guard)
    vehicle_record(gate=east_gate, direction=Direction.IN, plate="粤P12345", driver_name="周师傅", cargo="原材料", temperature="36.6",
                   acting_user=guard)
    earlier = timezone.now() - timedelta(days=2)
    visitor_record(gate=east_gate, direction=Direction.IN, name="吴先生", phone="13800002222", purpose="维修", temperature="36.5", acting_user=guard,
                   at=earlier)
    return {"pass": issued}


def test_log_shows_today_by_default_with_the_days_figures(gate_client, east_gate, logged):
    response = gate_client.get(reverse("gates:log", args=[east_gate.pk]))
    assert response.status_code == 200
    shown = list(response.context["page"].paginator.object_list)
    assert len(shown) == 4 and all(p.date == timezone.localdate() for p in shown)
    counts = response.context["counts"]
    assert (counts.entered, counts.refused, counts.fevers, counts.visitors, counts.vehicles) == (3, 1, 1, 2, 1)
    # Every day, and a given day, on request
    assert gate_client.get(reverse("gates:log", args=[east_gate.pk]), {"date": ""}).context["page"].paginator.count == 5
    assert gate_client.get(reverse("gates:log", args=[east_gate.pk]), {"date": days_ago(2).isoformat()}).context["page"].paginator.count == 1


def test_log_filters_and_search_answer_htmx_with_the_table(client_for, east_gate, logged):
    client = client_for("ent_admin")
    url = reverse("gates:log", args=[east_gate.pk])
    assert client.get(url, {"outcome": "refused"}).context["page"].paginator.count == 1
    assert client.get(url, {"kind": "vehicle"}).context["page"].paginator.count == 1
    assert client.get(url, {"fever": "true"}).context["page"].paginator.count == 1
    assert client.get(url, {"q": "粤p1234"}).context["page"].paginator.count == 1
    assert client.get(url, {"q": "顺达"}).context["page"].paginator.count == 1
    table = client.get(url, {"kind": "visitor"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-table")
    assert "<html" not in html(table) and 'data-testid="passage-table"' in html(table)


def test_gate_guard_sees_names_masked_and_cannot_search_by_them(gate_client, east_gate, logged):
    url = reverse("gates:log", args=[east_gate.pk])
    page = html(gate_client.get(url))
    assert "钱*" in page and "钱多多" not in page and "13812345678" not in page and "138****5678" in page
    assert "王*" in page and "王建国" not in page
    assert gate_client.get(url, {"q": "钱多多"}).context["page"].paginator.count == 0


@pytest.mark.parametrize("username", ["ent_admin", "hitech_cmd", "grid_officer"])
def test_enterprise_and_officers_see_names_in_full_and_export_the_ledger(client_for, east_gate, logged, username):
    client = client_for(username)
    url = reverse("gates:log", args=[east_gate.pk])
    page = html(client.get(url))
    assert "钱多多" in page and "13812345678" in page and "王建国" in page
    assert client.get(url, {"q": "钱多多"}).context["page"].paginator.count == 1
    response = client.get(url, {"export": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 4
    names = {row[header.index("姓名/驾驶员")] for row in body}
    assert names == {"王建国", "钱多多", "孙丽", "周师傅"}
    fever_row = next(row for row in body if row[header.index("发热")] == "是")
    assert fever_row[header.index("结果")] == "禁止通行" and "38.0" in fever_row[header.index("说明")]


def test_gate_guard_may_not_export(gate_client, east_gate, logged):
    assert gate_client.get(reverse("gates:log", args=[east_gate.pk]), {"export": "xlsx"}).status_code == 403


def test_export_neutralises_formulas_typed_at_the_gate(client_for, east_gate, guard):
    visitor_record(gate=east_gate, direction=Direction.IN, name="张三", phone="13800003333", company="=HYPERLINK(\"http://x\")", purpose="送货",
                   temperature="36.5", acting_user=guard)
    response = client_for("ent_admin").get(reverse("gates:log", args=[east_gate.pk]), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[1][rows[0].index("来访单位")].startswith("'=")


def test_log_page_costs_the_same_few_queries_for_thirty_rows_as_for_three(client_for, east_gate, guard, django_assert_max_num_queries):
    for number in range(30):
        visitor_record(gate=east_gate, direction=Direction.IN, name=f"访客{number}", phone="13800004444", purpose="送货", temperature="36.5",
                       acting_user=guard)
    client = client_for("ent_admin")
    with django_assert_max_num_queries(20):
        assert client.get(reverse("gates:log", args=[east_gate.pk])).status_code == 200


def test_a_checkpoint_guard_sees_the_checkpoint_and_records_any_local_worker(client, checkpoint, own_enterprise, worker):
    # Given an account bound to the checkpoint
    from fugong.accounts.models import User

    guard = User.objects.create_user(username="cp_guard_test", password="x-Test-2020-x", display_name="检查站值守")
    Membership.objects.create(user=guard, role=Role.GATE, gate=checkpoint)
    client.force_login(guard)
    issued = worker(own_enterprise)
    # When they open the gates and scan a worker of 源城区
    assert client.get(reverse("gates:index"))["Location"] == reverse("gates:gate", args=[checkpoint.pk])
    page = html(client.post(reverse("gates:scan", args=[checkpoint.pk]), {"token": issued.token, "temperature": "36.5", "direction": "in"},
                            **HTMX))
    assert 'data-outcome="allowed"' in page and own_enterprise.name in page
    assert Passage.objects.filter(gate=checkpoint, person=issued.person, outcome=Outcome.ALLOWED).exists()
