"""The rules of protective materials: stock as movements, days of supply with the policy's
numbers, the forecast, the daily count, allocation proposals, and the allocation state machine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fugong.accounts.models import User
from fugong.enterprises.models import Enterprise
from fugong.materials.choices import AllocationStatus, MovementKind, StockpileMovementKind
from fugong.materials.models import Allocation, Material, StockCount, StockMovement, Stockpile, StockpileMovement
from fugong.materials.selectors import days_of_supply, materials_status, on_site_headcounts, runs_out_on, short_enterprises, stock_levels
from fugong.materials.services import (
    allocation_cancel,
    allocation_confirm,
    allocation_proposals,
    allocation_receive,
    allocations_create,
    movement_record,
    stock_count_submit,
    stockpile_movement_record,
)
from fugong.policy.models import PolicyVersion
from fugong.policy.parameters import SHANGHAI
from fugong.policy.services import current
from fugong.regions.models import Region
from tests.materials.conftest import ESSENTIAL, add_people

pytestmark = pytest.mark.django_db


def status_of(enterprise: Enterprise, code: str) -> object:
    return next(i for i in materials_status(enterprise, timezone.localdate()) if i.material.code == code)


# -- stock and days of supply ----------------------------------------------------------------------


def test_stock_is_the_sum_of_received_and_used_movements(make_enterprise: Callable[..., Enterprise], mask: Material, users: Callable) -> None:
    # Given an enterprise whose admin is ent_admin's kind of account (the platform admin here)
    enterprise = make_enterprise("物资甲公司")
    admin = users("admin")
    # When it receives 100 masks and uses 30
    movement_record(enterprise=enterprise, material=mask, kind=MovementKind.RECEIVED, quantity="100", acting_user=admin)
    used = movement_record(enterprise=enterprise, material=mask, kind=MovementKind.USED, quantity="30", acting_user=admin)
    # Then the use is written negative and the stock is 70
    assert used.quantity == Decimal(-30)
    assert stock_levels([enterprise.pk])[(enterprise.pk, mask.pk)] == Decimal(70)


def test_using_more_than_the_stock_is_refused_in_chinese(make_enterprise: Callable[..., Enterprise], mask: Material, stock: Callable,
                                                         admin: User) -> None:
    enterprise = make_enterprise("物资乙公司")
    stock(enterprise, mask, 20)
    with pytest.raises(ValidationError) as refused:
        movement_record(enterprise=enterprise, material=mask, kind=MovementKind.USED, quantity="21", acting_user=admin)
    assert "超过现有库存" in refused.value.message_dict["quantity"][0]
    with pytest.raises(ValidationError) as fractional:
        movement_record(enterprise=enterprise, material=mask, kind=MovementKind.RECEIVED, quantity="1.5", acting_user=admin)
    assert "整数" in fractional.value.message_dict["quantity"][0]


def test_days_of_supply_is_stock_over_headcount_times_the_policy_daily_use(make_enterprise: Callable[..., Enterprise], mask: Material,
                                                                           stock: Callable) -> None:
    # Given 10 people on site and 35 masks, the policy saying 1 mask a day and 7 days minimum
    enterprise = make_enterprise("物资丙公司", people=10)
    stock(enterprise, mask, 35)
    policy = current(enterprise.region)
    assert policy.masks_per_person_per_day == Decimal(1) and policy.material_reserve_days == 7
    # When its status is read
    item = status_of(enterprise, "mask")
    # Then 35 ÷ (10 × 1) = 3.5 days, under the minimum, running out in 3 days
    today = timezone.localdate()
    assert (item.headcount, item.daily_need, item.days) == (10, Decimal(10), Decimal("3.5"))  # type: ignore[attr-defined]
    assert item.below_minimum and item.runs_out_on == today + timedelta(days=3)  # type: ignore[attr-defined]


def test_a_county_policy_of_two_masks_a_day_halves_the_days(make_enterprise: Callable[..., Enterprise], mask: Material, stock: Callable,
                                                           admin: User) -> None:
    enterprise = make_enterprise("物资丁公司", people=10)
    stock(enterprise, mask, 200)
    assert status_of(enterprise, "mask").days == Decimal(20)  # type: ignore[attr-defined]
    county = Region.objects.get(code="441602")
    PolicyVersion.objects.create(region=county, version=99, effective_from=datetime(2020, 1, 1, tzinfo=SHANGHAI),
                                 values={"masks_per_person_per_day": "2", "material_reserve_days": 14}, created_by=admin)
    item = status_of(enterprise, "mask")
    assert item.days == Decimal(10) and item.minimum_days == 14 and item.below_minimum  # type: ignore[attr-defined]


def test_durable_items_and_an_enterprise_without_people_have_no_days(make_enterprise: Callable[..., Enterprise], stock: Callable) -> None:
    enterprise = make_enterprise("物资戊公司", people=0)
    thermometer = Material.objects.get(code="thermometer")
    stock(enterprise, thermometer, 3)
    assert status_of(enterprise, "thermometer").days is None  # type: ignore[attr-defined]
    assert status_of(enterprise, "mask").days is None and not status_of(enterprise, "mask").below_minimum  # type: ignore[attr-defined]
    assert days_of_supply(Decimal(0), Decimal(5)) == 0 and runs_out_on(Decimal("0.9"), timezone.localdate()) == timezone.localdate()


def test_people_held_in_isolation_or_not_yet_returned_are_not_on_site(make_enterprise: Callable[..., Enterprise]) -> None:
    enterprise = make_enterprise("物资己公司", people=4)
    today = timezone.localdate()
    add_people(enterprise, 2, return_date=today + timedelta(days=3))  # not back yet
    add_people(enterprise, 1, category="isolate_before_pass")  # waiting out an isolation
    assert on_site_headcounts([enterprise.pk], today)[enterprise.pk] == 4


def test_short_enterprises_keeps_those_under_the_minimum(make_enterprise: Callable[..., Enterprise], mask: Material, stock: Callable) -> None:
    short, enough = make_enterprise("短缺公司"), make_enterprise("充足公司")
    for material in Material.objects.all():
        stock(short, material, 1000)
        stock(enough, material, 1000)
    stock_count_submit(enterprise=short, counts={mask: "20"}, acting_user=User.objects.get(username="admin"))  # masks: 2 days
    found = set(short_enterprises(Enterprise.objects.filter(pk__in=[short.pk, enough.pk]), timezone.localdate()))
    assert found == {short}


# -- the daily count -------------------------------------------------------------------------------


def test_daily_count_writes_the_difference_once(make_enterprise: Callable[..., Enterprise], mask: Material, stock: Callable,
                                                admin: User) -> None:
    enterprise = make_enterprise("盘点公司")
    stock(enterprise, mask, 70)
    # When 50 are counted: one adjustment of -20
    first = stock_count_submit(enterprise=enterprise, counts={mask: "50"}, acting_user=admin)
    assert [m.quantity for m in first.adjustments] == [Decimal(-20)]
    # The same count again (a retried form) writes nothing new
    movements = StockMovement.objects.filter(enterprise=enterprise).count()
    again = stock_count_submit(enterprise=enterprise, counts={mask: "50"}, acting_user=admin)
    assert again.adjustments == [] and StockMovement.objects.filter(enterprise=enterprise).count() == movements
    assert StockCount.objects.filter(enterprise=enterprise).count() == 1
    # A correction of today's count moves the stock by the change
    stock_count_submit(enterprise=enterprise, counts={mask: "45"}, acting_user=admin)
    assert stock_levels([enterprise.pk])[(enterprise.pk, mask.pk)] == Decimal(45)
    assert StockCount.objects.get(enterprise=enterprise).counted == Decimal(45)


def test_daily_count_refuses_bad_numbers_next_to_the_item(make_enterprise: Callable[..., Enterprise], mask: Material, admin: User) -> None:
    enterprise = make_enterprise("盘点乙公司")
    with pytest.raises(ValidationError) as refused:
        stock_count_submit(enterprise=enterprise, counts={mask: "-3"}, acting_user=admin)
    assert "count-mask" in refused.value.message_dict
    with pytest.raises(ValidationError):
        stock_count_submit(enterprise=enterprise, counts={mask: ""}, acting_user=admin)


def test_only_the_enterprise_counts_its_stock(own_enterprise: Enterprise, mask: Material, users: Callable) -> None:
    with pytest.raises(PermissionDenied):
        stock_count_submit(enterprise=own_enterprise, counts={mask: "1"}, acting_user=users("hitech_cmd"))
    stock_count_submit(enterprise=own_enterprise, counts={mask: "1"}, acting_user=users("ent_admin"))


# -- proposals -------------------------------------------------------------------------------------


def test_proposals_put_essential_enterprises_first_then_the_shortest(make_enterprise: Callable[..., Enterprise], mask: Material,
                                                                     stock: Callable, hitech_pile: Stockpile) -> None:
    # Given four enterprises of 10 people (a week's need: 70 masks)
    essential = make_enterprise("保障食品公司", essential=ESSENTIAL)
    one_day, three_days, plenty = make_enterprise("一天公司"), make_enterprise("三天公司"), make_enterprise("充足公司")
    stock(essential, mask, 50)  # 5 days
    stock(one_day, mask, 10)
    stock(three_days, mask, 30)
    stock(plenty, mask, 100)
    # When proposals are computed for masks from the 高新区 stockpile
    proposals = allocation_proposals(stockpile=hitech_pile, material=mask, enterprises=[essential, one_day, three_days, plenty])
    # Then the essential one comes first, then by days of supply; each brought up to 7 days
    assert [p.enterprise for p in proposals] == [essential, one_day, three_days]
    assert [p.quantity for p in proposals] == [Decimal(20), Decimal(60), Decimal(40)]
    assert proposals[1].days == Decimal(1) and proposals[1].days_after == Decimal(7)


def test_proposals_are_capped_by_what_the_stockpile_has_left(make_enterprise: Callable[..., Enterprise], mask: Material, stock: Callable,
                                                             hitech_pile: Stockpile, admin: User) -> None:
    first, second, third = make_enterprise("甲", people=100), make_enterprise("乙", people=100), make_enterprise("丙", people=100)
    for enterprise in (first, second, third):
        stock(enterprise, mask, 100)  # 1 day each; 600 each to reach 7
    # 1,000 in the stockpile, 100 already confirmed elsewhere
    allocations_create(stockpile=hitech_pile, material=mask, lines=[(make_enterprise("丁"), 100)], confirm=True, acting_user=admin)
    proposals = allocation_proposals(stockpile=hitech_pile, material=mask, enterprises=[first, second, third])
    assert [p.needed for p in proposals] == [Decimal(600)] * 3
    assert [p.quantity for p in proposals] == [Decimal(600), Decimal(300), Decimal(0)]


def test_what_is_already_on_its_way_counts_toward_the_need(make_enterprise: Callable[..., Enterprise], mask: Material, stock: Callable,
                                                           hitech_pile: Stockpile, admin: User) -> None:
    enterprise = make_enterprise("在途公司")
    stock(enterprise, mask, 10)
    allocations_create(stockpile=hitech_pile, material=mask, lines=[(enterprise, 30)], acting_user=admin)
    [proposal] = allocation_proposals(stockpile=hitech_pile, material=mask, enterprises=[enterprise])
    assert (proposal.incoming, proposal.quantity) == (Decimal(30), Decimal(30))


def test_allocations_only_to_enterprises_of_the_stockpile_region(heshan_pile: Stockpile, mask: Material, own_enterprise: Enterprise,
                                                                 admin: User) -> None:
    with pytest.raises(ValidationError) as refused:
        allocations_create(stockpile=heshan_pile, material=mask, lines=[(own_enterprise, 10)], acting_user=admin)
    assert "不在" in str(refused.value)


def test_allocations_cannot_exceed_the_stockpile(hitech_pile: Stockpile, mask: Material, own_enterprise: Enterprise, admin: User) -> None:
    with pytest.raises(ValidationError) as refused:
        allocations_create(stockpile=hitech_pile, material=mask, lines=[(own_enterprise, 1001)], acting_user=admin)
    assert "超过储备库可调拨数量" in str(refused.value)


# -- the state machine -----------------------------------------------------------------------------


def test_proposed_confirmed_received_writes_both_books_once(hitech_pile: Stockpile, mask: Material, own_enterprise: Enterprise,
                                                            users: Callable) -> None:
    officer, receiver = users("hitech_cmd"), users("ent_admin")
    before = stock_levels([own_enterprise.pk]).get((own_enterprise.pk, mask.pk), Decimal(0))
    [allocation] = allocations_create(stockpile=hitech_pile, material=mask, lines=[(own_enterprise, 200)], acting_user=officer)
    assert allocation.status == AllocationStatus.PROPOSED
    # Receiving a proposal is refused; the officer confirms; the enterprise receives
    with pytest.raises(ValidationError):
        allocation_receive(allocation=allocation, acting_user=receiver)
    allocation = allocation_confirm(allocation=allocation, acting_user=officer)
    assert allocation.status == AllocationStatus.CONFIRMED and allocation.confirmed_by == officer
    result = allocation_receive(allocation=allocation, acting_user=receiver)
    assert result.received_now and result.allocation.status == AllocationStatus.RECEIVED
    assert stock_levels([own_enterprise.pk])[(own_enterprise.pk, mask.pk)] == before + 200
    assert StockpileMovement.objects.get(allocation=allocation).quantity == Decimal(-200)
    assert StockMovement.objects.get(allocation=allocation).kind == MovementKind.ALLOCATED
    # Received twice: nothing more is written
    again = allocation_receive(allocation=allocation, acting_user=receiver)
    assert not again.received_now
    assert StockMovement.objects.filter(allocation=allocation).count() == 1
    assert stock_levels([own_enterprise.pk])[(own_enterprise.pk, mask.pk)] == before + 200
    # and a received allocation can no longer be cancelled
    with pytest.raises(ValidationError):
        allocation_cancel(allocation=allocation, acting_user=officer)


def test_cancelled_allocation_cannot_be_confirmed_or_received(hitech_pile: Stockpile, mask: Material, own_enterprise: Enterprise,
                                                             admin: User) -> None:
    [allocation] = allocations_create(stockpile=hitech_pile, material=mask, lines=[(own_enterprise, 10)], acting_user=admin, confirm=True)
    allocation_cancel(allocation=allocation, acting_user=admin, reason="企业已自购")
    with pytest.raises(ValidationError):
        allocation_confirm(allocation=allocation, acting_user=admin)
    with pytest.raises(ValidationError):
        allocation_receive(allocation=allocation, acting_user=admin)
    assert Allocation.objects.get(pk=allocation.pk).cancel_reason == "企业已自购"


def test_confirming_beyond_the_stock_is_refused(hitech_pile: Stockpile, mask: Material, own_enterprise: Enterprise, admin: User) -> None:
    [proposal] = allocations_create(stockpile=hitech_pile, material=mask, lines=[(own_enterprise, 800)], acting_user=admin)
    stockpile_movement_record(stockpile=hitech_pile, material=mask, kind=StockpileMovementKind.ADJUSTED, quantity="-500", acting_user=admin)
    with pytest.raises(ValidationError) as refused:
        allocation_confirm(allocation=proposal, acting_user=admin)
    assert "不足" in str(refused.value)


def test_who_may_allocate_confirm_and_receive(hitech_pile: Stockpile, heshan_pile: Stockpile, mask: Material, own_enterprise: Enterprise,
                                              make_enterprise: Callable[..., Enterprise], users: Callable, admin: User) -> None:
    # A town's command cannot allocate from another county's stockpile; a grid officer not at all
    heshan_enterprise = Enterprise.objects.filter(region__path__contains="/440784/").order_by("pk").first()
    assert heshan_enterprise is not None
    with pytest.raises(PermissionDenied):
        allocations_create(stockpile=heshan_pile, material=mask, lines=[(heshan_enterprise, 1)], acting_user=users("hitech_cmd"))
    with pytest.raises(PermissionDenied):
        allocations_create(stockpile=hitech_pile, material=mask, lines=[(own_enterprise, 1)], acting_user=users("grid_officer"))
    # Another enterprise's admin cannot receive it; the county stockpile's allocation is not 高新区's to confirm
    other = make_enterprise("别家公司")
    [allocation] = allocations_create(stockpile=hitech_pile, material=mask, lines=[(other, 5)], acting_user=admin, confirm=True)
    with pytest.raises(PermissionDenied):
        allocation_receive(allocation=allocation, acting_user=users("ent_admin"))
    county_pile = Stockpile.objects.create(name="县级测试库", region=Region.objects.get(code="441602"))
    stockpile_movement_record(stockpile=county_pile, material=mask, kind="received", quantity=10, acting_user=admin)
    [proposal] = allocations_create(stockpile=county_pile, material=mask, lines=[(own_enterprise, 5)], acting_user=users("county_cmd"))
    with pytest.raises(PermissionDenied):
        allocation_confirm(allocation=proposal, acting_user=users("hitech_cmd"))
    assert allocation_confirm(allocation=proposal, acting_user=users("county_cmd")).status == AllocationStatus.CONFIRMED


def test_scoped_querysets(hitech_pile: Stockpile, heshan_pile: Stockpile, mask: Material, own_enterprise: Enterprise, admin: User,
                          users: Callable) -> None:
    [allocation] = allocations_create(stockpile=hitech_pile, material=mask, lines=[(own_enterprise, 5)], acting_user=admin)
    assert hitech_pile in Stockpile.objects.for_user(users("hitech_cmd")) and heshan_pile not in Stockpile.objects.for_user(users("hitech_cmd"))
    assert not Stockpile.objects.for_user(users("grid_officer")).exists()
    assert not Stockpile.objects.for_user(users("jmb_reviewer")).exists()
    for username in ("hitech_cmd", "grid_officer", "ent_admin"):
        assert allocation in Allocation.objects.for_user(users(username))
    for username in ("jmb_reviewer", "employee", "gate_guard", "heshan_cmd"):
        assert allocation not in Allocation.objects.for_user(users(username))
