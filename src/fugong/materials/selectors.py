"""Reads of protective materials: stock as the sum of movements, the on-site headcount, days of
supply per item with the policy's daily use and minimum, the forecast date of running out, the
officers' overview of many enterprises at once, and a stockpile's balance.

The command centre (issue 6) calls :func:`materials_status` for one enterprise and
:func:`short_enterprises` / :func:`supply_overview` for lists; each is a handful of queries
whatever the number of enterprises.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from fugong.materials.choices import AllocationStatus
from fugong.materials.models import Allocation, Material, StockMovement, StockpileMovement
from fugong.policy.parameters import SHANGHAI

ZERO = Decimal(0)
DAYS_MAX = Decimal("99999.9")
CENT = Decimal("0.01")


def _sum(value: Any) -> Decimal:
    """A SUM as a Decimal of two places (SQLite sums decimals as floats)."""
    return Decimal(str(value or 0)).quantize(CENT)


# -- the catalogue and the policy ------------------------------------------------------------------


def catalogue() -> list[Material]:
    return list(Material.objects.filter(active=True).order_by("order", "code"))


def policy_on(region: Any, day: date) -> Any:
    from fugong.policy.services import current

    return current(region, datetime.combine(day, time(12, 0), tzinfo=SHANGHAI))


def daily_use(material: Material, policy: Any) -> Decimal:
    """The policy's daily use of ``material`` per on-site person (0 for a durable item)."""
    if not material.usage_parameter:
        return ZERO
    try:
        return Decimal(str(policy[material.usage_parameter]))
    except KeyError:
        return ZERO


class PolicyCache:
    """The policy of many enterprises' places on one day, read once per town (a county's version
    overlays the base one; every enterprise of a town shares its county's)."""

    def __init__(self, day: date) -> None:
        self.day = day
        self._by_town: dict[int, Any] = {}

    def of(self, enterprise: Any) -> Any:
        if enterprise.town_id not in self._by_town:
            self._by_town[enterprise.town_id] = policy_on(enterprise.town, self.day)
        return self._by_town[enterprise.town_id]


# -- the pure rule ---------------------------------------------------------------------------------


def days_of_supply(stock: Decimal, daily_need: Decimal) -> Decimal | None:
    """Stock ÷ daily need, rounded down to a tenth (a reserve is never overstated); None when
    nothing is used (no one on site, or a durable item)."""
    if daily_need <= 0:
        return None
    days = (max(stock, ZERO) / daily_need).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    return min(days, DAYS_MAX)


def runs_out_on(days: Decimal | None, today: date) -> date | None:
    """The forecast date of running out: today + the whole days of supply."""
    if days is None:
        return None
    return today + timedelta(days=int(days))


# -- stock and headcount ---------------------------------------------------------------------------


def stock_levels(enterprise_ids: Iterable[int], day: date | None = None) -> dict[tuple[int, int], Decimal]:
    """(enterprise id, material id) → stock: the sum of the movements (up to ``day`` if given)."""
    rows = StockMovement.objects.filter(enterprise_id__in=list(enterprise_ids))
    if day is not None:
        rows = rows.filter(date__lte=day)
    return {(r["enterprise_id"], r["material_id"]): _sum(r["total"])
            for r in rows.order_by().values("enterprise_id", "material_id").annotate(total=Sum("quantity"))}


def on_site_headcounts(enterprise_ids: Iterable[int], day: date) -> dict[int, int]:
    """Per enterprise, the people counted as on site for planning materials.

    The daily report counts who actually checked in or passed a gate on the day; a forecast needs
    the workforce the enterprise plans with instead, known in the morning before anyone checks
    in. So: the enterprise's registered people (一人一档) who have returned by ``day`` (a return
    date on or before it, or none: a local worker who never left), whose classification lets them
    work (not refused for fever, not told to stay away, not waiting out an isolation before their
    pass), and who are not held in isolation on the day. An enterprise without a roster counts
    nobody, and has no days of supply.
    """
    from django.db.models import Count

    from fugong.quarantine.models import Placement
    from fugong.quarantine.selectors import in_isolation_on
    from fugong.workforce.choices import ClassificationCategory
    from fugong.workforce.models import Person

    ids = list(enterprise_ids)
    off_site = [ClassificationCategory.REFUSED_FEVER, ClassificationCategory.MUST_NOT_RETURN, ClassificationCategory.CENTRAL_QUARANTINE,
                ClassificationCategory.ISOLATE_BEFORE_PASS]
    held = in_isolation_on(Placement.objects.filter(enterprise_id__in=ids), day).values("person_id")
    rows = (Person.objects.filter(enterprise_id__in=ids).filter(Q(return_date__isnull=True) | Q(return_date__lte=day))
            .exclude(category__in=off_site).exclude(pk__in=held).order_by().values("enterprise_id").annotate(n=Count("pk")))
    return {r["enterprise_id"]: r["n"] for r in rows}


def incoming_quantities(enterprise_ids: Iterable[int]) -> dict[tuple[int, int], Decimal]:
    """(enterprise id, material id) → the quantity of pending allocations (proposed or confirmed)."""
    rows = (Allocation.objects.filter(enterprise_id__in=list(enterprise_ids), status__in=[AllocationStatus.PROPOSED, AllocationStatus.CONFIRMED])
            .order_by().values("enterprise_id", "material_id").annotate(total=Sum("quantity")))
    return {(r["enterprise_id"], r["material_id"]): _sum(r["total"]) for r in rows}


# -- one enterprise --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemStatus:
    """One item at one enterprise on one day."""

    material: Material
    stock: Decimal
    headcount: int
    per_person: Decimal  # the policy's daily use per on-site person
    daily_need: Decimal
    days: Decimal | None
    minimum_days: int
    below_minimum: bool
    runs_out_on: date | None

    @property
    def durable(self) -> bool:
        return self.per_person <= 0

    @property
    def shortfall(self) -> Decimal:
        """What brings the stock up to the minimum days (0 when it is there)."""
        return max(self.daily_need * self.minimum_days - self.stock, ZERO)


def item_status(material: Material, stock: Decimal, headcount: int, policy: Any, today: date) -> ItemStatus:
    per_person = daily_use(material, policy)
    need = per_person * headcount
    days = days_of_supply(stock, need)
    minimum = int(policy.material_reserve_days)
    return ItemStatus(material=material, stock=stock, headcount=headcount, per_person=per_person, daily_need=need, days=days,
                      minimum_days=minimum, below_minimum=days is not None and days < minimum, runs_out_on=runs_out_on(days, today))


def materials_status(enterprise: Any, day: date) -> list[ItemStatus]:
    """Per item of the catalogue: stock, daily need (on-site headcount × the policy's daily use),
    days of supply, whether under the policy's ``material_reserve_days``, and the forecast date of
    running out. For the command centre and the enterprise's page (four queries and the policy)."""
    stock = stock_levels([enterprise.pk], day)
    headcount = on_site_headcounts([enterprise.pk], day).get(enterprise.pk, 0)
    policy = policy_on(enterprise.region, day)
    return [item_status(m, stock.get((enterprise.pk, m.pk), ZERO), headcount, policy, day) for m in catalogue()]


# -- many enterprises ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnterpriseSupply:
    """An enterprise's materials at a glance: its items and the shortest days of supply."""

    enterprise: Any
    headcount: int
    items: list[ItemStatus]

    @property
    def shortest(self) -> ItemStatus | None:
        counted = [i for i in self.items if i.days is not None]
        return min(counted, key=lambda i: i.days) if counted else None  # type: ignore[arg-type, return-value]

    @property
    def shortest_days(self) -> Decimal | None:
        shortest = self.shortest
        return shortest.days if shortest is not None else None

    @property
    def short_items(self) -> list[ItemStatus]:
        return [i for i in self.items if i.below_minimum]

    @property
    def is_short(self) -> bool:
        return bool(self.short_items)


def supply_overview(enterprises: QuerySet[Any] | Iterable[Any], day: date) -> dict[int, EnterpriseSupply]:
    """Enterprise id → :class:`EnterpriseSupply` for many enterprises: three grouped queries and
    one policy read per town, however many enterprises."""
    rows = list(enterprises.select_related("town", "region") if isinstance(enterprises, QuerySet) else enterprises)
    ids = [e.pk for e in rows]
    stock = stock_levels(ids, day)
    heads = on_site_headcounts(ids, day)
    materials = catalogue()
    policies = PolicyCache(day)
    result: dict[int, EnterpriseSupply] = {}
    for enterprise in rows:
        policy = policies.of(enterprise)
        headcount = heads.get(enterprise.pk, 0)
        items = [item_status(m, stock.get((enterprise.pk, m.pk), ZERO), headcount, policy, day) for m in materials]
        result[enterprise.pk] = EnterpriseSupply(enterprise=enterprise, headcount=headcount, items=items)
    return result


def short_enterprises(enterprises: QuerySet[Any], day: date) -> QuerySet[Any]:
    """The enterprises of ``enterprises`` short of at least one item (under the policy's minimum
    days), as a queryset (for lists, counts and the command centre)."""
    overview = supply_overview(enterprises, day)
    return enterprises.filter(pk__in=[pk for pk, supply in overview.items() if supply.is_short])


# -- stockpiles ------------------------------------------------------------------------------------


def stockpile_levels(stockpile_ids: Iterable[int]) -> dict[tuple[int, int], Decimal]:
    """(stockpile id, material id) → stock: the sum of its movements."""
    rows = (StockpileMovement.objects.filter(stockpile_id__in=list(stockpile_ids)).order_by().values("stockpile_id", "material_id")
            .annotate(total=Sum("quantity")))
    return {(r["stockpile_id"], r["material_id"]): _sum(r["total"]) for r in rows}


def reserved_quantities(stockpile_ids: Iterable[int], statuses: Iterable[str] = (AllocationStatus.CONFIRMED,)) -> dict[tuple[int, int], Decimal]:
    """(stockpile id, material id) → the quantity promised and not yet handed out."""
    rows = (Allocation.objects.filter(stockpile_id__in=list(stockpile_ids), status__in=list(statuses)).order_by()
            .values("stockpile_id", "material_id").annotate(total=Sum("quantity")))
    return {(r["stockpile_id"], r["material_id"]): _sum(r["total"]) for r in rows}


@dataclass(frozen=True)
class PileItem:
    material: Material
    stock: Decimal
    confirmed: Decimal  # confirmed, waiting for the enterprise to receive
    proposed: Decimal

    @property
    def available(self) -> Decimal:
        """What can still be confirmed: the stock less what is already confirmed."""
        return self.stock - self.confirmed


def stockpile_status(stockpile: Any) -> list[PileItem]:
    stock = stockpile_levels([stockpile.pk])
    confirmed = reserved_quantities([stockpile.pk])
    proposed = reserved_quantities([stockpile.pk], (AllocationStatus.PROPOSED,))
    key = stockpile.pk
    return [PileItem(m, stock.get((key, m.pk), ZERO), confirmed.get((key, m.pk), ZERO), proposed.get((key, m.pk), ZERO)) for m in catalogue()]


def available_in(stockpile: Any, material: Material) -> Decimal:
    """The stockpile's stock of ``material`` less what is confirmed and not yet received."""
    stock = stockpile_levels([stockpile.pk]).get((stockpile.pk, material.pk), ZERO)
    return stock - reserved_quantities([stockpile.pk]).get((stockpile.pk, material.pk), ZERO)
