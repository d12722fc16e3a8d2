"""The materials pages as the enterprise, the officers and those without a part in it use them."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fugong.accounts.models import User
from fugong.enterprises.models import Enterprise
from fugong.materials.choices import AllocationStatus
from fugong.materials.models import Allocation, Material, StockMovement, Stockpile
from fugong.materials.selectors import stock_levels
from fugong.materials.services import allocations_create, stock_count_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def short_own(own_enterprise: Enterprise, mask: Material, admin: User) -> Enterprise:
    """ent_admin's enterprise with 10 more people and masks for 2 days."""
    from tests.materials.conftest import add_people

    add_people(own_enterprise, 10)
    from django.utils import timezone

    from fugong.materials.selectors import materials_status

    need = next(i for i in materials_status(own_enterprise, timezone.localdate()) if i.material.code == "mask").daily_need
    stock_count_submit(enterprise=own_enterprise, counts={mask: str(int(need * 2))}, acting_user=admin)
    return own_enterprise


def test_enterprise_page_shows_a_red_badge_and_the_forecast_for_a_short_item(client_for: Callable[[str], Client], short_own: Enterprise) -> None:
    response = client_for("ent_admin").get(reverse("materials:enterprise", args=[short_own.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    row = next(i for i in response.context["items"] if i.material.code == "mask")
    assert row.below_minimum and row.days == Decimal(2)
    assert 'data-testid="days-short"' in html and "每日盘点" in html and "登记入库/领用" in html
    # The stock links to the movements behind it
    assert f'{reverse("materials:movements", args=[short_own.pk])}?material=mask' in html


def test_home_sends_the_enterprise_to_its_page_and_officers_to_the_list(client_for: Callable[[str], Client], own_enterprise: Enterprise) -> None:
    assert client_for("ent_admin").get(reverse("materials:home"))["Location"] == reverse("materials:enterprise", args=[own_enterprise.pk])
    assert client_for("hitech_cmd").get(reverse("materials:home"))["Location"] == reverse("materials:enterprises")


def test_movements_page_adds_up_to_the_stock(client_for: Callable[[str], Client], short_own: Enterprise, mask: Material) -> None:
    response = client_for("ent_admin").get(reverse("materials:movements", args=[short_own.pk]), {"material": "mask"})
    assert response.status_code == 200
    assert response.context["total"] == stock_levels([short_own.pk])[(short_own.pk, mask.pk)]
    assert all(m.material_id == mask.pk for m in response.context["page"])


def test_officers_see_the_page_read_only_and_others_are_refused(client_for: Callable[[str], Client], own_enterprise: Enterprise) -> None:
    url = reverse("materials:enterprise", args=[own_enterprise.pk])
    for username in ("hitech_cmd", "grid_officer"):
        response = client_for(username).get(url)
        assert response.status_code == 200 and response.context["count_form"] is None and response.context["movement_form"] is None
    for username in ("jmb_reviewer", "employee", "gate_guard"):
        assert client_for(username).get(url).status_code == 403
        assert client_for(username).get(reverse("materials:enterprises")).status_code == 403
        assert client_for(username).get(reverse("materials:allocations")).status_code == 403
    assert client_for("heshan_cmd").get(url).status_code == 404


def test_used_beyond_the_stock_keeps_the_input_and_says_why(client_for: Callable[[str], Client], short_own: Enterprise, mask: Material) -> None:
    before = StockMovement.objects.count()
    response = client_for("ent_admin").post(reverse("materials:movement-add", args=[short_own.pk]),
                                            {"kind": "used", "material": mask.pk, "quantity": "999999", "date": "2020-02-20", "note": "车间领用"})
    assert response.status_code == 200 and StockMovement.objects.count() == before
    html = response.content.decode()
    assert "超过现有库存" in html and 'value="999999"' in html and 'value="车间领用"' in html


def test_received_goods_are_recorded_from_the_form(client_for: Callable[[str], Client], short_own: Enterprise, mask: Material) -> None:
    before = stock_levels([short_own.pk])[(short_own.pk, mask.pk)]
    response = client_for("ent_admin").post(reverse("materials:movement-add", args=[short_own.pk]),
                                            {"kind": "received", "material": mask.pk, "quantity": "500", "date": "", "note": ""})
    assert (response.status_code == 200 and "此字段是必填项" in response.content.decode()) or "必填" in response.content.decode()
    from django.utils import timezone

    response = client_for("ent_admin").post(reverse("materials:movement-add", args=[short_own.pk]),
                                            {"kind": "received", "material": mask.pk, "quantity": "500", "date": timezone.localdate().isoformat()})
    assert response.status_code == 302
    assert stock_levels([short_own.pk])[(short_own.pk, mask.pk)] == before + 500


def test_the_count_form_refuses_a_fraction_of_a_mask_next_to_it(client_for: Callable[[str], Client], short_own: Enterprise) -> None:
    response = client_for("ent_admin").post(reverse("materials:count", args=[short_own.pk]), {"count-mask": "12.5", "count-alcohol": "3.5"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="error-count-mask"' in html and "请填写整数" in html and 'value="12.5"' in html


def test_counting_twice_changes_the_stock_once(client_for: Callable[[str], Client], short_own: Enterprise, mask: Material) -> None:
    client = client_for("ent_admin")
    url = reverse("materials:count", args=[short_own.pk])
    client.post(url, {"count-mask": "7"})
    after_first = StockMovement.objects.filter(enterprise=short_own).count()
    client.post(url, {"count-mask": "7"})
    assert StockMovement.objects.filter(enterprise=short_own).count() == after_first
    assert stock_levels([short_own.pk])[(short_own.pk, mask.pk)] == 7


def test_officers_list_filters_the_short_and_exports_them(client_for: Callable[[str], Client], short_own: Enterprise,
                                                          make_enterprise: Callable[..., Enterprise]) -> None:
    client = client_for("hitech_cmd")
    response = client.get(reverse("materials:enterprises"), {"state": "short"})
    assert response.status_code == 200
    listed = [s.enterprise for s in response.context["page"].paginator.object_list]
    assert short_own in listed and all(s.is_short for s in response.context["page"].paginator.object_list)
    assert all(e.town.code == "441602-GXQ" for e in listed)
    days = [s.shortest_days for s in response.context["page"].paginator.object_list]
    assert days == sorted(days)
    export = client.get(reverse("materials:enterprises"), {"state": "short", "export": "xlsx"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("企业", "镇街", "在岗人数", "最短可用天数", "短缺物资")
    assert {r[0] for r in rows[1:]} == {e.name for e in listed}
    assert client_for("ent_admin").get(reverse("materials:enterprises"), {"export": "xlsx"}).status_code == 403


def test_grid_officer_lists_only_the_grid(client_for: Callable[[str], Client]) -> None:
    response = client_for("grid_officer").get(reverse("materials:enterprises"))
    assert response.status_code == 200
    assert {s.enterprise.region.code for s in response.context["page"].paginator.object_list} == {"441602-GXQ-IND01"}


def test_propose_page_lists_the_short_and_confirms_the_selected(client_for: Callable[[str], Client], short_own: Enterprise, mask: Material,
                                                                hitech_pile: Stockpile) -> None:
    client = client_for("hitech_cmd")
    response = client.get(reverse("materials:propose"), {"stockpile": hitech_pile.pk, "material": mask.pk})
    assert response.status_code == 200
    proposal = next(p for p in response.context["proposals"] if p.enterprise == short_own)
    assert proposal.quantity > 0
    response = client.post(reverse("materials:propose"), {"stockpile": hitech_pile.pk, "material": mask.pk, "enterprise": [short_own.pk],
                                                          f"q-{short_own.pk}": "70", "action": "confirm"})
    assert response.status_code == 302
    allocation = Allocation.objects.get(stockpile=hitech_pile, enterprise=short_own)
    assert (allocation.status, allocation.quantity) == (AllocationStatus.CONFIRMED, Decimal(70))


def test_propose_page_keeps_typed_quantities_on_refusal(client_for: Callable[[str], Client], short_own: Enterprise, mask: Material,
                                                        hitech_pile: Stockpile) -> None:
    response = client_for("hitech_cmd").post(reverse("materials:propose"), {
        "stockpile": hitech_pile.pk, "material": mask.pk, "enterprise": [short_own.pk], f"q-{short_own.pk}": "5000", "action": "propose"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "超过储备库可调拨数量" in html and 'value="5000"' in html
    assert not Allocation.objects.filter(stockpile=hitech_pile).exists()


def test_receiving_twice_through_the_page_adds_the_goods_once(client_for: Callable[[str], Client], own_enterprise: Enterprise, mask: Material,
                                                              hitech_pile: Stockpile, admin: User) -> None:
    [allocation] = allocations_create(stockpile=hitech_pile, material=mask, lines=[(own_enterprise, 300)], acting_user=admin, confirm=True)
    before = stock_levels([own_enterprise.pk]).get((own_enterprise.pk, mask.pk), Decimal(0))
    client = client_for("ent_admin")
    incoming = client.get(reverse("materials:incoming"))
    assert allocation in incoming.context["waiting"]
    url = reverse("materials:allocation-receive", args=[allocation.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    assert stock_levels([own_enterprise.pk])[(own_enterprise.pk, mask.pk)] == before + 300
    assert Allocation.objects.get(pk=allocation.pk).status == AllocationStatus.RECEIVED


def test_ledger_filters_and_exports_what_went_where(client_for: Callable[[str], Client], own_enterprise: Enterprise, mask: Material,
                                                    hitech_pile: Stockpile, admin: User) -> None:
    allocations_create(stockpile=hitech_pile, material=mask, lines=[(own_enterprise, 40)], acting_user=admin)
    client = client_for("hitech_cmd")
    response = client.get(reverse("materials:allocations"), {"stockpile": hitech_pile.pk, "status": "proposed", "material": "mask"})
    assert response.status_code == 200
    rows = list(response.context["page"].paginator.object_list)
    assert [(a.enterprise, a.quantity) for a in rows] == [(own_enterprise, Decimal(40))]
    assert response.context["page"].object_list[0].can_confirm
    export = client.get(reverse("materials:allocations"), {"stockpile": hitech_pile.pk, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    data = list(sheet.iter_rows(values_only=True))
    assert data[0][:6] == ("建议时间", "储备库", "企业", "镇街", "物资", "数量")
    assert data[1][1:6] == ("测试储备库", own_enterprise.name, own_enterprise.town.name, "口罩", 40)
    # An enterprise sees only what was sent to it
    mine = client_for("ent_admin").get(reverse("materials:allocations"))
    assert {a.enterprise_id for a in mine.context["page"].paginator.object_list} <= {own_enterprise.pk}


def test_stockpile_pages_for_the_command_only(client_for: Callable[[str], Client], hitech_pile: Stockpile, heshan_pile: Stockpile,
                                              mask: Material) -> None:
    client = client_for("hitech_cmd")
    assert client.get(reverse("materials:stockpile", args=[hitech_pile.pk])).status_code == 200
    assert client.get(reverse("materials:stockpile", args=[heshan_pile.pk])).status_code == 404
    assert client_for("grid_officer").get(reverse("materials:stockpiles")).status_code == 403
    # Goods in through the form; a bad quantity keeps the input with a Chinese error
    response = client.post(reverse("materials:stockpile-receive", args=[hitech_pile.pk]), {"kind": "received", "material": mask.pk, "quantity": "abc"})
    assert response.status_code == 200 and "请填写数字" in response.content.decode()
    response = client.post(reverse("materials:stockpile-receive", args=[hitech_pile.pk]),
                           {"kind": "received", "material": mask.pk, "quantity": "7500", "note": "江门市下拨"})
    assert response.status_code == 302
    levels = {i.material.code: i.stock for i in client.get(reverse("materials:stockpile", args=[hitech_pile.pk])).context["items"]}
    assert levels["mask"] == Decimal(8500)
