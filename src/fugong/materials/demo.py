"""Demo protective materials (SPEC.md, "Protective materials"), dated relative to today.

- Stock of the enterprises with people on site (the workforce demo's approved enterprises): an
  opening purchase, the daily use of the last days, allocations received, a count's adjustment,
  landing on days of supply that differ by enterprise — about a third under the policy's 7 days
  of masks, so shortages show (ent_admin's enterprise among them: the browser flow starts there).
- 高新区防疫物资储备库, modelled on Heyuan: 386 thermometers and about 275,000 masks handed out
  overall (part through the platform's allocations to 高新区's enterprises, the rest as handouts
  before the platform); 源城区 county stockpile stocked like Jinkouhe's supply (40,000 masks, 50
  sprayers, 1 t of alcohol, 120 units of disinfectant, 50 infrared thermometers); 鹤山市's
  stockpile allocating 7,500 masks a day for the last week.
- Allocations in each state: received, confirmed (waiting for the enterprise), proposed, cancelled.

Written with bulk_create; skipped once a stockpile exists.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from fugong.accounts.models import Membership, User
from fugong.enterprises.models import Enterprise
from fugong.materials.choices import AllocationStatus, MovementKind, StockpileMovementKind
from fugong.materials.models import Allocation, Material, StockMovement, Stockpile, StockpileMovement
from fugong.materials.selectors import daily_use, on_site_headcounts, policy_on
from fugong.policy.parameters import SHANGHAI

SEED = 20200301
OPENING_DAYS_AGO = 12  # the opening purchase
USE_DAYS = 3  # the use of the last days (a row a day for masks)
SHORT_SHARE = 0.35  # enterprises under the minimum days of masks
HEYUAN_MASKS_HANDED_OUT = 275_000
HEYUAN_THERMOMETERS_HANDED_OUT = 386
HESHAN_MASKS_PER_DAY = 7_500
HESHAN_DAYS = 7
JINKOUHE = {"mask": 40_000, "sprayer": 50, "alcohol": 1_000, "disinfectant": 120, "thermometer": 50}


def _aware(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=SHANGHAI)


def _round(quantity: Decimal, material: Material) -> Decimal:
    if material.whole_units:
        return Decimal(int(quantity.to_integral_value()))
    return quantity.quantize(Decimal("0.01"))


class _Book:
    """The rows to write, kept in lists for bulk_create."""

    def __init__(self, admin: User) -> None:
        self.admin = admin
        self.moves: list[StockMovement] = []
        self.pile_moves: list[StockpileMovement] = []

    def move(self, enterprise: Enterprise, material: Material, kind: str, quantity: Decimal, day: date, note: str = "",
             allocation: Allocation | None = None) -> None:
        if quantity:
            self.moves.append(StockMovement(enterprise_id=enterprise.pk, material_id=material.pk, kind=kind, quantity=quantity, date=day, note=note,
                                            allocation=allocation, created_by_id=self.admin.pk))

    def pile(self, stockpile: Stockpile, material: Material, kind: str, quantity: Decimal, day: date, note: str = "",
             allocation: Allocation | None = None) -> None:
        if quantity:
            self.pile_moves.append(StockpileMovement(stockpile=stockpile, material=material, kind=kind, quantity=quantity, date=day, note=note,
                                                     allocation=allocation, created_by=self.admin))


def seed_materials(places: dict[str, Any], scale: float = 1.0) -> dict[str, int]:
    """Stockpiles, enterprise stock and allocations of the demo (skipped once a stockpile exists)."""
    if Stockpile.objects.exists() or not Material.objects.exists():
        return {}
    rng = random.Random(SEED)
    admin = User.objects.get(username="admin")
    today = timezone.localdate()
    materials = {m.code: m for m in Material.objects.all()}
    with transaction.atomic():
        piles = Stockpile.objects.bulk_create([
            Stockpile(name="源城区防疫物资储备库", region=places["yuancheng"], address="源城区应急管理局仓库", keeper="源城区应急管理局", created_by=admin),
            Stockpile(name="高新区防疫物资储备库", region=places["hitech"], address="高新区管委会后勤仓库", keeper="高新区经贸办", created_by=admin),
            Stockpile(name="鹤山市防疫物资储备库", region=places["heshan"], address="鹤山市务工管理组物资仓", keeper="鹤山市工信局", created_by=admin),
        ])
        county, hitech, heshan = piles
        book = _Book(admin)
        counts = _enterprise_stock(book, rng, materials, today)
        allocations = _allocations(book, rng, materials, today, county, hitech, heshan)
        _stockpile_stock(book, materials, today, county, hitech, heshan, allocations)
        StockMovement.objects.bulk_create(book.moves, batch_size=2000)
        StockpileMovement.objects.bulk_create(book.pile_moves, batch_size=2000)
    return {"stockpiles": len(piles), "movements": len(book.moves), "stockpile_movements": len(book.pile_moves),
            "allocations": len(allocations), **counts}


def _on_site(today: date) -> tuple[list[Enterprise], dict[int, int]]:
    from fugong.workforce.models import Person

    ids = list(Person.objects.order_by().values_list("enterprise_id", flat=True).distinct())
    heads = on_site_headcounts(ids, today)
    enterprises = list(Enterprise.objects.filter(pk__in=[pk for pk, n in heads.items() if n > 0]).select_related("town", "region").order_by("pk"))
    return enterprises, heads


def _enterprise_stock(book: _Book, rng: random.Random, materials: dict[str, Material], today: date) -> dict[str, int]:
    """Per enterprise with people on site and per item: an opening purchase, the daily use of the
    last days, and yesterday's count landing on the day's target days of supply."""
    enterprises, heads = _on_site(today)
    own = Membership.objects.filter(user__username="ent_admin").values_list("enterprise_id", flat=True).first()
    policies: dict[int, Any] = {}
    short = 0
    for enterprise in enterprises:
        if enterprise.town_id not in policies:
            policies[enterprise.town_id] = policy_on(enterprise.town, today)
        policy, heads_now = policies[enterprise.town_id], heads[enterprise.pk]
        mask_short = enterprise.pk == own or rng.random() < SHORT_SHARE
        short += mask_short
        for material in materials.values():
            per_person = daily_use(material, policy)
            if per_person <= 0:  # durable: thermometers and sprayers bought once
                count = max(1, heads_now // 40) if material.code == "thermometer" else (rng.choice([0, 1, 2]) if heads_now > 20 else 0)
                book.move(enterprise, material, MovementKind.RECEIVED, Decimal(count), today - timedelta(days=OPENING_DAYS_AGO), "复工前采购")
                continue
            need = per_person * heads_now
            if material.code == "mask":
                days = Decimal(rng.choice([1.5, 2.5, 3, 4, 5, 6])) if mask_short else Decimal(rng.randint(8, 30))
                if enterprise.pk == own:
                    days = Decimal(2)
            else:
                days = Decimal(rng.randint(3, 6)) if rng.random() < 0.1 else Decimal(rng.randint(8, 40))
            target = max(_round(need * days, material), Decimal(0))
            # Masks are handed out daily (a row a day); the rest in one row for the last days.
            used_days = USE_DAYS if material.code == "mask" else 1
            used_each = _round(need * (1 if material.code == "mask" else USE_DAYS), material)
            used_total = used_each * used_days
            opening = _round(need * (days + USE_DAYS + rng.randint(0, 5)), material)
            book.move(enterprise, material, MovementKind.RECEIVED, opening, today - timedelta(days=OPENING_DAYS_AGO), "复工前采购")
            for n in range(used_days, 0, -1):
                book.move(enterprise, material, MovementKind.USED, -used_each, today - timedelta(days=n), "员工领用")
            # Yesterday's count found what the page shows today.
            book.move(enterprise, material, MovementKind.ADJUSTED, target - (opening - used_total), today - timedelta(days=1),
                      f"每日盘点 {today - timedelta(days=1):%m-%d}")
    return {"enterprises_with_stock": len(enterprises), "short_of_masks": short}


def _allocation(stockpile: Stockpile, enterprise: Enterprise, material: Material, quantity: Decimal, status: str, admin: User,
                **extra: Any) -> Allocation:
    return Allocation(stockpile=stockpile, enterprise=enterprise, material=material, quantity=quantity, status=status, created_by=admin,
                      **extra)


def _allocations(book: _Book, rng: random.Random, materials: dict[str, Material], today: date, county: Stockpile, hitech: Stockpile,
                 heshan: Stockpile) -> list[Allocation]:
    """Received allocations of the last days (their movements in both books), two confirmed and
    waiting, two proposed, one cancelled; 鹤山市's daily ones."""
    admin = book.admin
    mask, thermometer = materials["mask"], materials["thermometer"]
    enterprises, heads = _on_site(today)
    own = Membership.objects.filter(user__username="ent_admin").values_list("enterprise_id", flat=True).first()
    in_hitech = [e for e in enterprises if e.region.path.startswith(hitech.region.path) and e.pk != own]
    in_heshan = [e for e in enterprises if e.region.path.startswith(heshan.region.path)]
    planned: list[tuple[Allocation, date | None]] = []  # with the day received, or None
    for enterprise in in_hitech[: max(1, len(in_hitech) // 2)]:
        day = today - timedelta(days=rng.randint(3, 10))
        masks = Decimal(max(100, round(heads[enterprise.pk] * 7, -2)))
        planned.append((_allocation(hitech, enterprise, mask, masks, AllocationStatus.RECEIVED, admin), day))
        planned.append((_allocation(hitech, enterprise, thermometer, Decimal(rng.randint(2, 8)), AllocationStatus.RECEIVED, admin), day))
    waiting = in_hitech[len(in_hitech) // 2:]
    for index, enterprise in enumerate(waiting[:5]):
        status = [AllocationStatus.CONFIRMED, AllocationStatus.CONFIRMED, AllocationStatus.PROPOSED, AllocationStatus.PROPOSED,
                  AllocationStatus.CANCELLED][index]
        quantity = Decimal(max(50, round(heads[enterprise.pk] * 5, -1)))
        extra: dict[str, Any] = {}
        if status == AllocationStatus.CANCELLED:
            extra = {"cancelled_by": admin, "cancel_reason": "企业已自行采购到货"}
        planned.append((_allocation(hitech, enterprise, mask, quantity, status, admin, **extra), None))
    if in_hitech:
        planned.append((_allocation(county, in_hitech[0], materials["alcohol"], Decimal(50), AllocationStatus.RECEIVED, admin), today - timedelta(days=4)))
        planned.append((_allocation(county, in_hitech[-1], materials["sprayer"], Decimal(2), AllocationStatus.PROPOSED, admin), None))
    for offset in range(HESHAN_DAYS, 0, -1):
        day = today - timedelta(days=offset)
        for enterprise in in_heshan[(offset % 3)::3][:4]:
            planned.append((_allocation(heshan, enterprise, mask, Decimal(max(100, round(heads[enterprise.pk] * 3, -2))), AllocationStatus.RECEIVED,
                                        admin), day))
    for allocation, received_on in planned:
        allocation.days_before = Decimal(rng.randint(1, 6))
        if allocation.status in (AllocationStatus.CONFIRMED, AllocationStatus.RECEIVED):
            allocation.confirmed_by = admin
            allocation.confirmed_at = _aware(received_on or today, 9)
        if received_on is not None:
            allocation.received_by = admin
            allocation.received_at = _aware(received_on, 15)
        if allocation.status == AllocationStatus.CANCELLED:
            allocation.cancelled_at = _aware(today, 11)
    created = Allocation.objects.bulk_create([a for a, _ in planned])
    proposed_on: dict[date, list[int]] = {}
    for allocation, (_, received_on) in zip(created, planned, strict=True):
        proposed_on.setdefault(received_on - timedelta(days=1) if received_on else today, []).append(allocation.pk)
        if received_on is None:
            continue
        material = allocation.material
        book.move(allocation.enterprise, material, MovementKind.ALLOCATED, allocation.quantity, received_on, f"{allocation.stockpile.name}调拨",
                  allocation)
        book.pile(allocation.stockpile, material, StockpileMovementKind.ALLOCATED_OUT, -allocation.quantity, received_on,
                  f"调拨至{allocation.enterprise.name}", allocation)
        # The goods received count in the enterprise's stock, which the count above already set: the
        # same day's use takes them (the demo's stock figures stay the ones chosen).
        durable = material.code == "thermometer"
        book.move(allocation.enterprise, material, MovementKind.ADJUSTED if durable else MovementKind.USED, -allocation.quantity, received_on,
                  "发放至各门岗、车间" if durable else "员工领用")
    # Backdate the rows (created_at is set on insert): one update per day.
    for day, pks in proposed_on.items():
        Allocation.objects.filter(pk__in=pks).update(created_at=_aware(day, 8))
    return created


def _stockpile_stock(book: _Book, materials: dict[str, Material], today: date, county: Stockpile, hitech: Stockpile, heshan: Stockpile,
                     allocations: list[Allocation]) -> None:
    """Goods in, and the handouts before the platform, so that the totals are the notices'."""
    opened = today - timedelta(days=20)
    given: dict[tuple[int, str], Decimal] = {}
    for allocation in allocations:
        if allocation.status == AllocationStatus.RECEIVED:
            key = (allocation.stockpile_id, allocation.material.code)
            given[key] = given.get(key, Decimal(0)) + allocation.quantity
    # 高新区 (Heyuan): 300,000 masks and 400 thermometers in; 275,000 and 386 handed out overall.
    book.pile(hitech, materials["mask"], StockpileMovementKind.RECEIVED, Decimal(300_000), opened, "市指挥部下拨及社会捐赠")
    book.pile(hitech, materials["thermometer"], StockpileMovementKind.RECEIVED, Decimal(400), opened, "市指挥部下拨")
    for code, unit_total in (("gloves", 20_000), ("alcohol", 500), ("disinfectant", 800), ("sprayer", 30)):
        book.pile(hitech, materials[code], StockpileMovementKind.RECEIVED, Decimal(unit_total), opened, "采购入库")
    for code, total in (("mask", HEYUAN_MASKS_HANDED_OUT), ("thermometer", HEYUAN_THERMOMETERS_HANDED_OUT)):
        before = Decimal(total) - given.get((hitech.pk, code), Decimal(0))
        book.pile(hitech, materials[code], StockpileMovementKind.ALLOCATED_OUT, -before, opened + timedelta(days=2),
                  "平台上线前发放（企业、卡口、社区）")
    # 源城区: Jinkouhe's supply.
    for code, total in JINKOUHE.items():
        book.pile(county, materials[code], StockpileMovementKind.RECEIVED, Decimal(total), opened, "上级调拨")
    # 鹤山市: 7,500 masks a day in from 江门市 and out to the towns' enterprises.
    for offset in range(HESHAN_DAYS, 0, -1):
        day = today - timedelta(days=offset)
        book.pile(heshan, materials["mask"], StockpileMovementKind.RECEIVED, Decimal(HESHAN_MASKS_PER_DAY), day, "江门市每日下拨")
        platform = sum((a.quantity for a in allocations if a.stockpile_id == heshan.pk and a.received_at and a.received_at.date() == day),
                       Decimal(0))
        book.pile(heshan, materials["mask"], StockpileMovementKind.ALLOCATED_OUT, -(Decimal(HESHAN_MASKS_PER_DAY) - platform), day,
                  "按日分配至各镇街企业")
    book.pile(heshan, materials["mask"], StockpileMovementKind.RECEIVED, Decimal(HESHAN_MASKS_PER_DAY), today, "江门市每日下拨")

