"""Writes of protective materials: an enterprise's received and used goods, its daily stock count,
a stockpile's goods in and corrections, and the allocations from a stockpile (proposed by need,
confirmed, received, cancelled).

Every write is a movement row (nothing holds a running total), so each figure on a page can be
traced to the rows behind it. Each service checks the permission again, refuses in Chinese, and
writes an audit entry (ids and quantities only) in the same transaction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from fugong.audit.services import record
from fugong.enterprises.models import Enterprise
from fugong.materials.choices import (
    ALLOCATION_TRANSITIONS,
    MANUAL_KINDS,
    STOCKPILE_MANUAL_KINDS,
    AllocationStatus,
    MovementKind,
    StockpileMovementKind,
)
from fugong.materials.models import Allocation, Material, StockCount, StockMovement, Stockpile, StockpileMovement
from fugong.materials.selectors import (
    ZERO,
    incoming_quantities,
    item_status,
    on_site_headcounts,
    policy_on,
    reserved_quantities,
    stock_levels,
    stockpile_levels,
)
from fugong.regions.models import Region

MAX_QUANTITY = Decimal("9999999999")


def _user_or_none(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def clean_quantity(value: Any, material: Material, *, field: str = "quantity", allow_negative: bool = False,
                   allow_zero: bool = False) -> Decimal:
    """A quantity as a Decimal of at most two places; whole for items counted in pieces."""
    try:
        quantity = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "请填写数字。"}) from None
    if not quantity.is_finite() or abs(quantity) > MAX_QUANTITY:
        raise ValidationError({field: "数量超出范围。"})
    if quantity != quantity.quantize(Decimal("0.01")):
        raise ValidationError({field: "数量最多保留两位小数。"})
    if material.whole_units and quantity != quantity.to_integral_value():
        raise ValidationError({field: f"{material.name}按{material.unit}计，请填写整数。"})
    if quantity < 0 and not allow_negative:
        raise ValidationError({field: "数量不能为负数。"})
    if quantity == 0 and not allow_zero:
        raise ValidationError({field: "数量须大于 0。"})
    return quantity


def _not_future(day: date, field: str = "date") -> None:
    if day > timezone.localdate():
        raise ValidationError({field: "日期不能晚于今天。"})


def _fmt(quantity: Decimal, material: Material) -> str:
    shown = quantity.normalize()
    return f"{shown:f}{material.unit}"


# -- an enterprise's stock -------------------------------------------------------------------------


def movement_record(*, enterprise: Enterprise, material: Material, kind: str, quantity: Any, acting_user: Any, day: date | None = None,
                    note: str = "", request: Any = None) -> StockMovement:
    """Record goods received (采购入库) or used (领用消耗) at ``enterprise``. Used goods cannot
    exceed the stock. For the enterprise's admin (``materials.record_stock``); audited."""
    if not acting_user.has_perm("materials.record_stock", enterprise):
        raise PermissionDenied("只有本企业防疫专员可以登记物资出入库。")
    if kind not in MANUAL_KINDS:
        raise ValidationError({"kind": "请选择采购入库或领用消耗。"})
    amount = clean_quantity(quantity, material)
    day = day or timezone.localdate()
    _not_future(day)
    with transaction.atomic():
        Enterprise.objects.select_for_update().only("pk").get(pk=enterprise.pk)  # serialises the enterprise's stock writes
        if kind == MovementKind.USED:
            stock = stock_levels([enterprise.pk]).get((enterprise.pk, material.pk), ZERO)
            if amount > stock:
                raise ValidationError({"quantity": f"领用数量超过现有库存（{_fmt(stock, material)}），请先登记入库或做每日盘点。"})
            amount = -amount
        movement = StockMovement.objects.create(enterprise=enterprise, material=material, kind=kind, quantity=amount, date=day,
                                                note=note.strip()[:200], created_by=_user_or_none(acting_user))
        record(action=f"materials.{kind}", actor=acting_user, obj=movement, object_label="企业物资出入库", request=request,
               data={"enterprise": enterprise.pk, "material": material.code, "quantity": str(amount), "date": day.isoformat()})
    return movement


@dataclass(frozen=True)
class CountResult:
    counted: int  # items counted
    adjustments: list[StockMovement]


def stock_count_submit(*, enterprise: Enterprise, counts: Mapping[Material, Any], acting_user: Any, day: date | None = None,
                       request: Any = None) -> CountResult:
    """The daily stock count (每日盘点): per item, the quantity counted. The first count of the day
    writes an "adjusted" movement for the difference from the stock; a later count of the same
    day that changes the figure writes the change; the same count again writes nothing at all
    (a retried form changes nothing). Items left empty are not counted. For the enterprise's
    admin; one audit entry per count that changed something."""
    if not acting_user.has_perm("materials.record_stock", enterprise):
        raise PermissionDenied("只有本企业防疫专员可以盘点库存。")
    day = day or timezone.localdate()
    _not_future(day)
    cleaned: dict[Material, Decimal] = {}
    errors: dict[str, str] = {}
    for material, value in counts.items():
        if value is None or str(value).strip() == "":
            continue
        try:
            cleaned[material] = clean_quantity(value, material, allow_zero=True)
        except ValidationError as exc:
            errors[f"count-{material.code}"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    if not cleaned:
        raise ValidationError({"__all__": "请至少填写一项物资的盘点数量。"})
    now = timezone.now()
    adjustments: list[StockMovement] = []
    with transaction.atomic():
        Enterprise.objects.select_for_update().only("pk").get(pk=enterprise.pk)
        stock = stock_levels([enterprise.pk])
        earlier = {c.material_id: c for c in StockCount.objects.filter(enterprise=enterprise, date=day, material__in=list(cleaned))}
        for material, counted in cleaned.items():
            previous = earlier.get(material.pk)
            if previous is not None and previous.counted == counted:
                continue  # the same count again: nothing new
            # A correction of today's count moves the stock by the change; a first count to the figure.
            base = previous.counted if previous is not None else stock.get((enterprise.pk, material.pk), ZERO)
            difference = counted - base
            if previous is None:
                StockCount.objects.create(enterprise=enterprise, material=material, date=day, counted=counted, counted_at=now,
                                          counted_by=_user_or_none(acting_user))
            else:
                previous.counted, previous.counted_at, previous.counted_by = counted, now, _user_or_none(acting_user)
                previous.save(update_fields=["counted", "counted_at", "counted_by"])
            if difference:
                adjustments.append(StockMovement(enterprise=enterprise, material=material, kind=MovementKind.ADJUSTED, quantity=difference,
                                                 date=day, note=f"每日盘点 {day:%m-%d}：实存 {_fmt(counted, material)}",
                                                 created_by=_user_or_none(acting_user)))
        if adjustments:
            StockMovement.objects.bulk_create(adjustments)
            record(action="materials.count", actor=acting_user, obj=enterprise, request=request,
                   data={"enterprise": enterprise.pk, "date": day.isoformat(),
                         "adjusted": {m.material.code: str(m.quantity) for m in adjustments}})
    return CountResult(counted=len(cleaned), adjustments=adjustments)


# -- stockpiles ------------------------------------------------------------------------------------


def stockpile_create(*, name: str, region: Region, acting_user: Any, address: str = "", keeper: str = "", note: str = "",
                     request: Any = None) -> Stockpile:
    """Open a government stockpile of a town or county. For the admin or a command officer over
    the region; audited."""
    stockpile = Stockpile(name=name.strip(), region=region, address=address, keeper=keeper, note=note, created_by=_user_or_none(acting_user))
    if not acting_user.has_perm("materials.manage_stockpile", stockpile):
        raise PermissionDenied("您无权在该辖区设立物资储备库。")
    if not stockpile.name:
        raise ValidationError({"name": "请填写储备库名称。"})
    with transaction.atomic():
        stockpile.save(force_insert=True)
        record(action="materials.stockpile_create", actor=acting_user, obj=stockpile, request=request, data={"region": region.code})
    return stockpile


def stockpile_movement_record(*, stockpile: Stockpile, material: Material, kind: str, quantity: Any, acting_user: Any,
                              day: date | None = None, note: str = "", request: Any = None) -> StockpileMovement:
    """Goods into a stockpile (入库, positive), or a count's correction (盘点调整, signed: a loss
    is negative; never below zero). For the command officers over the stockpile; audited."""
    if not acting_user.has_perm("materials.manage_stockpile", stockpile):
        raise PermissionDenied("您无权管理该储备库。")
    if kind not in STOCKPILE_MANUAL_KINDS:
        raise ValidationError({"kind": "请选择入库或盘点调整。"})
    amount = clean_quantity(quantity, material, allow_negative=kind == StockpileMovementKind.ADJUSTED)
    day = day or timezone.localdate()
    _not_future(day)
    with transaction.atomic():
        Stockpile.objects.select_for_update().only("pk").get(pk=stockpile.pk)
        if amount < 0:
            stock = stockpile_levels([stockpile.pk]).get((stockpile.pk, material.pk), ZERO)
            reserved = reserved_quantities([stockpile.pk]).get((stockpile.pk, material.pk), ZERO)
            if stock + amount < reserved:
                raise ValidationError({"quantity": f"调减后库存（{_fmt(stock + amount, material)}）将少于已确认待接收的调拨（{_fmt(reserved, material)}）。"})
        movement = StockpileMovement.objects.create(stockpile=stockpile, material=material, kind=kind, quantity=amount, date=day,
                                                    note=note.strip()[:200], created_by=_user_or_none(acting_user))
        record(action=f"materials.stockpile_{kind}", actor=acting_user, obj=stockpile, request=request,
               data={"stockpile": stockpile.pk, "material": material.code, "quantity": str(amount), "date": day.isoformat()})
    return movement


# -- allocations: proposals ------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """One line of a proposed allocation: the enterprise, where it stands, and what to send."""

    enterprise: Enterprise
    headcount: int
    stock: Decimal
    incoming: Decimal  # already proposed or confirmed to it, not yet received
    daily_need: Decimal
    days: Decimal | None
    minimum_days: int
    needed: Decimal  # what brings it up to the minimum days
    quantity: Decimal  # what the stockpile can give (the need, capped by what is left)

    @property
    def essential(self) -> bool:
        return self.enterprise.is_essential

    @property
    def days_after(self) -> Decimal | None:
        if self.daily_need <= 0:
            return None
        from fugong.materials.selectors import days_of_supply

        return days_of_supply(self.stock + self.incoming + self.quantity, self.daily_need)


def uncommitted(stockpile: Stockpile, material: Material) -> Decimal:
    """What a stockpile can still promise: its stock less what is confirmed or proposed."""
    stock = stockpile_levels([stockpile.pk]).get((stockpile.pk, material.pk), ZERO)
    pending = reserved_quantities([stockpile.pk], (AllocationStatus.CONFIRMED, AllocationStatus.PROPOSED))
    return stock - pending.get((stockpile.pk, material.pk), ZERO)


def _whole(quantity: Decimal, material: Material) -> Decimal:
    if material.whole_units:
        return Decimal(math.ceil(quantity))
    return quantity.quantize(Decimal("0.01"))


def allocation_proposals(*, stockpile: Stockpile, material: Material, day: date | None = None,
                         enterprises: Iterable[Enterprise] | None = None) -> list[Proposal]:
    """What ``stockpile`` should send of ``material``, by need. Computed, not written.

    The enterprises of the stockpile's region whose days of supply (counting what is already on
    its way to them) are under the policy's ``material_reserve_days``. Order: essential-supply
    enterprises (保障类: water, power, food, medicines, epidemic supplies — they resumed first
    and must not stop) before the rest; within each, the shortest days of supply first; then by
    name. Each is proposed what brings it up to the minimum days (whole units for items counted
    in pieces), capped by what the stockpile has left, in that order, until nothing is left.
    """
    day = day or timezone.localdate()
    candidates = list(enterprises) if enterprises is not None else list(
        Enterprise.objects.filter(region__path__startswith=stockpile.region.path).select_related("town", "region"))
    ids = [e.pk for e in candidates]
    heads = on_site_headcounts(ids, day)
    candidates = [e for e in candidates if heads.get(e.pk, 0) > 0]
    stock = stock_levels([e.pk for e in candidates], day)
    incoming = incoming_quantities([e.pk for e in candidates])
    policies: dict[int, Any] = {}
    rows: list[tuple[Enterprise, Any, Decimal]] = []
    for enterprise in candidates:
        if enterprise.town_id not in policies:
            policies[enterprise.town_id] = policy_on(enterprise.town, day)
        on_way = incoming.get((enterprise.pk, material.pk), ZERO)
        status = item_status(material, stock.get((enterprise.pk, material.pk), ZERO) + on_way, heads[enterprise.pk],
                             policies[enterprise.town_id], day)
        if status.below_minimum:
            rows.append((enterprise, status, on_way))
    rows.sort(key=lambda r: (not r[0].is_essential, r[1].days, r[0].name))
    left = max(uncommitted(stockpile, material), ZERO)
    proposals: list[Proposal] = []
    for enterprise, status, on_way in rows:
        needed = _whole(status.shortfall, material)
        give = min(needed, left)
        if material.whole_units:
            give = Decimal(math.floor(give))
        left -= give
        proposals.append(Proposal(enterprise=enterprise, headcount=status.headcount, stock=status.stock - on_way, incoming=on_way,
                                  daily_need=status.daily_need, days=status.days, minimum_days=status.minimum_days, needed=needed,
                                  quantity=give))
    return proposals


def allocations_create(*, stockpile: Stockpile, material: Material, lines: Sequence[tuple[Enterprise, Any]], acting_user: Any,
                       confirm: bool = False, note: str = "", request: Any = None) -> list[Allocation]:
    """Write allocations of ``material`` from ``stockpile`` as proposed (or, with ``confirm``,
    proposed and confirmed in one step by the officer who decides). Every enterprise must lie in
    the stockpile's region; together they cannot exceed what the stockpile has not yet promised.
    For the command officers over the stockpile; audited per allocation."""
    if not acting_user.has_perm("materials.manage_stockpile", stockpile):
        raise PermissionDenied("只有储备库所在辖区的指挥部可以调拨。")
    if not lines:
        raise ValidationError({"__all__": "请至少选择一家企业并填写调拨数量。"})
    errors: dict[str, str] = {}
    cleaned: list[tuple[Enterprise, Decimal]] = []
    for enterprise, quantity in lines:
        if not enterprise.region.path.startswith(stockpile.region.path):
            errors[f"q-{enterprise.pk}"] = f"{enterprise.name}不在{stockpile.region.name}辖区内，不能从该储备库调拨。"
            continue
        try:
            cleaned.append((enterprise, clean_quantity(quantity, material, field=f"q-{enterprise.pk}")))
        except ValidationError as exc:
            errors[f"q-{enterprise.pk}"] = f"{enterprise.name}：{exc.messages[0]}"
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    now = timezone.now()
    created: list[Allocation] = []
    with transaction.atomic():
        Stockpile.objects.select_for_update().only("pk").get(pk=stockpile.pk)
        total = sum((q for _, q in cleaned), ZERO)
        left = uncommitted(stockpile, material)
        if total > left:
            raise ValidationError({"__all__": f"调拨合计 {_fmt(total, material)} 超过储备库可调拨数量 {_fmt(max(left, ZERO), material)}。"})
        ids = [e.pk for e, _ in cleaned]
        heads = on_site_headcounts(ids, today)
        stock = stock_levels(ids, today)
        policy = policy_on(stockpile.region, today)
        for enterprise, quantity in cleaned:
            status = item_status(material, stock.get((enterprise.pk, material.pk), ZERO), heads.get(enterprise.pk, 0), policy, today)
            allocation = Allocation(stockpile=stockpile, enterprise=enterprise, material=material, quantity=quantity,
                                    status=AllocationStatus.CONFIRMED if confirm else AllocationStatus.PROPOSED, days_before=status.days,
                                    daily_need=status.daily_need, note=note.strip()[:200], created_by=_user_or_none(acting_user))
            if confirm:
                allocation.confirmed_at, allocation.confirmed_by = now, _user_or_none(acting_user)
            allocation.save(force_insert=True)
            record(action="materials.allocation_confirm" if confirm else "materials.allocation_propose", actor=acting_user, obj=allocation,
                   request=request, data={"stockpile": stockpile.pk, "enterprise": enterprise.pk, "material": material.code,
                                          "quantity": str(quantity), "days_before": str(status.days) if status.days is not None else None})
            created.append(allocation)
    return created


# -- allocations: the state machine ----------------------------------------------------------------


def _move(allocation: Allocation, to: str) -> None:
    """Check a transition against :data:`ALLOCATION_TRANSITIONS`; an illegal one raises."""
    if to not in ALLOCATION_TRANSITIONS[allocation.status]:
        verb = {AllocationStatus.CONFIRMED: "确认", AllocationStatus.RECEIVED: "接收", AllocationStatus.CANCELLED: "取消"}[AllocationStatus(to)]
        raise ValidationError({"__all__": f"该调拨{allocation.get_status_display()}，不能{verb}。"}, code="illegal_transition")
    allocation.status = to


def allocation_confirm(*, allocation: Allocation, acting_user: Any, request: Any = None) -> Allocation:
    """Confirm a proposed allocation (the command officer's decision): the quantity is then
    promised and counts against the stockpile until received or cancelled."""
    with transaction.atomic():
        Stockpile.objects.select_for_update().only("pk").get(pk=allocation.stockpile_id)
        locked = Allocation.objects.select_for_update(of=("self",)).select_related("stockpile__region", "material", "enterprise").get(pk=allocation.pk)
        if locked.status == AllocationStatus.CONFIRMED:
            return locked  # a retried confirmation
        if locked.status != AllocationStatus.PROPOSED:
            _move(locked, AllocationStatus.CONFIRMED)  # raises: received or cancelled
        if not acting_user.has_perm("materials.confirm_allocation", locked):
            raise PermissionDenied("只有储备库所在辖区的指挥部可以确认调拨。")
        _move(locked, AllocationStatus.CONFIRMED)
        stock = stockpile_levels([locked.stockpile_id]).get((locked.stockpile_id, locked.material_id), ZERO)
        confirmed = reserved_quantities([locked.stockpile_id]).get((locked.stockpile_id, locked.material_id), ZERO)
        if locked.quantity > stock - confirmed:
            raise ValidationError({"__all__": f"储备库{locked.material}可调拨 {_fmt(max(stock - confirmed, ZERO), locked.material)}，"
                                              f"不足 {_fmt(locked.quantity, locked.material)}，请先入库或减少数量。"})
        locked.confirmed_at, locked.confirmed_by = timezone.now(), _user_or_none(acting_user)
        locked.save(update_fields=["status", "confirmed_at", "confirmed_by", "updated_at"])
        record(action="materials.allocation_confirm", actor=acting_user, obj=locked, request=request,
               data={"stockpile": locked.stockpile_id, "enterprise": locked.enterprise_id, "material": locked.material.code,
                     "quantity": str(locked.quantity)})
    return locked


def allocation_cancel(*, allocation: Allocation, acting_user: Any, reason: str = "", request: Any = None) -> Allocation:
    """Cancel an allocation not yet received (a proposal set aside, or a confirmed one withdrawn)."""
    with transaction.atomic():
        locked = Allocation.objects.select_for_update().select_related("stockpile__region", "material").get(pk=allocation.pk)
        if locked.status == AllocationStatus.CANCELLED:
            return locked
        previous = locked.status
        if previous not in (AllocationStatus.PROPOSED, AllocationStatus.CONFIRMED):
            _move(locked, AllocationStatus.CANCELLED)  # raises: already received
        if not acting_user.has_perm("materials.cancel_allocation", locked):
            raise PermissionDenied("只有储备库所在辖区的指挥部可以取消调拨。")
        _move(locked, AllocationStatus.CANCELLED)
        locked.cancelled_at, locked.cancelled_by, locked.cancel_reason = timezone.now(), _user_or_none(acting_user), reason.strip()[:200]
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
        record(action="materials.allocation_cancel", actor=acting_user, obj=locked, request=request,
               data={"stockpile": locked.stockpile_id, "enterprise": locked.enterprise_id, "from": previous})
    return locked


@dataclass(frozen=True)
class ReceiveResult:
    allocation: Allocation
    received_now: bool  # False: it had been received before (a retried POST), nothing was written


def allocation_receive(*, allocation: Allocation, acting_user: Any, request: Any = None) -> ReceiveResult:
    """The enterprise receives a confirmed allocation: its "allocated" movement and the
    stockpile's "allocated out" movement are written, and the allocation is received. Receiving
    it again does nothing (a retried POST); a proposed or cancelled one is refused."""
    with transaction.atomic():
        Stockpile.objects.select_for_update().only("pk").get(pk=allocation.stockpile_id)
        locked = Allocation.objects.select_for_update().select_related("stockpile", "material", "enterprise").get(pk=allocation.pk)
        if locked.status == AllocationStatus.RECEIVED:
            return ReceiveResult(locked, False)
        if locked.status != AllocationStatus.CONFIRMED:
            raise ValidationError({"__all__": f"该调拨{locked.get_status_display()}，不能接收。"}, code="illegal_transition")
        if not acting_user.has_perm("materials.receive_allocation", locked):
            raise PermissionDenied("只有接收企业的防疫专员可以确认接收。")
        stock = stockpile_levels([locked.stockpile_id]).get((locked.stockpile_id, locked.material_id), ZERO)
        if stock < locked.quantity:
            raise ValidationError({"__all__": "储备库库存不足，无法出库，请联系指挥部。"})
        _move(locked, AllocationStatus.RECEIVED)
        today = timezone.localdate()
        user = _user_or_none(acting_user)
        label = f"{locked.stockpile.name}调拨"
        StockMovement.objects.create(enterprise=locked.enterprise, material=locked.material, kind=MovementKind.ALLOCATED, quantity=locked.quantity,
                                     date=today, note=label[:200], allocation=locked, created_by=user)
        StockpileMovement.objects.create(stockpile=locked.stockpile, material=locked.material, kind=StockpileMovementKind.ALLOCATED_OUT,
                                         quantity=-locked.quantity, date=today, note=f"调拨至{locked.enterprise.name}"[:200], allocation=locked,
                                         created_by=user)
        locked.received_at, locked.received_by = timezone.now(), user
        locked.save(update_fields=["status", "received_at", "received_by", "updated_at"])
        record(action="materials.allocation_receive", actor=acting_user, obj=locked, request=request,
               data={"stockpile": locked.stockpile_id, "enterprise": locked.enterprise_id, "material": locked.material.code,
                     "quantity": str(locked.quantity)})
    return ReceiveResult(locked, True)


def handed_out(stockpiles: Any, material: Material | None = None) -> Decimal:
    """What the stockpiles have handed out (received by enterprises), for the summary figures."""
    rows = StockpileMovement.objects.filter(stockpile__in=stockpiles, kind=StockpileMovementKind.ALLOCATED_OUT)
    if material is not None:
        rows = rows.filter(material=material)
    return -(rows.aggregate(total=Sum("quantity"))["total"] or ZERO)

