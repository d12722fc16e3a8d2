"""Reads of the gate log: the gates a user works with, the day's figures, who came in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from fugong.accounts.scope import scope_of
from fugong.enterprises.models import Gate
from fugong.gates.choices import Direction, Outcome, PassageKind
from fugong.gates.models import Passage
from fugong.gates.querysets import gate_scope_q


def visible_gates(user: Any) -> QuerySet[Gate]:
    """The gates whose page and log the user may open: ``Gate.objects.for_user`` narrowed to the
    log's scope (:func:`fugong.gates.querysets.gate_scope_q`): a reviewer covers a region for
    applications, not its gates."""
    gates = Gate.objects.for_user(user)
    scope = scope_of(user)
    if not scope.is_admin:
        gates = gates.filter(gate_scope_q(scope))
    return gates.select_related("enterprise__region", "region")  # type: ignore[return-value]


def gate_region(gate: Gate) -> Any:
    """The region whose policy applies at the gate: the enterprise's place, or the checkpoint's."""
    return gate.enterprise.region if gate.enterprise_id and gate.enterprise else gate.region


@dataclass(frozen=True)
class DayCounts:
    """A gate's figures for a day: people and vehicles in, out, refused, and fevers."""

    entered: int = 0
    left: int = 0
    refused: int = 0
    fevers: int = 0
    visitors: int = 0
    vehicles: int = 0

    @property
    def total(self) -> int:
        return self.entered + self.left + self.refused


COUNT_FIELDS = {
    "entered": Count("pk", filter=Q(direction=Direction.IN, outcome=Outcome.ALLOWED)),
    "left": Count("pk", filter=Q(direction=Direction.OUT, outcome=Outcome.ALLOWED)),
    "refused": Count("pk", filter=Q(outcome=Outcome.REFUSED)),
    "fevers": Count("pk", filter=Q(fever=True)),
    "visitors": Count("pk", filter=Q(kind=PassageKind.VISITOR)),
    "vehicles": Count("pk", filter=Q(kind=PassageKind.VEHICLE)),
}


def counts_of(passages: QuerySet[Passage]) -> DayCounts:
    """The figures of any set of passages, in one query."""
    return DayCounts(**passages.aggregate(**COUNT_FIELDS))


def counts_by_gate(gate_ids: list[int], day: date) -> dict[int, DayCounts]:
    """Each gate's figures for ``day`` in one grouped query (the gate list's cards)."""
    rows = Passage.objects.filter(gate_id__in=gate_ids, date=day).values("gate_id").annotate(**COUNT_FIELDS)
    found = {row.pop("gate_id"): DayCounts(**row) for row in rows}
    return {pk: found.get(pk, DayCounts()) for pk in gate_ids}


def recent_at(gate: Gate, day: date, *, limit: int = 8) -> list[Passage]:
    """The latest passages of the day at the gate, newest first (the scan page's short log)."""
    return list(Passage.objects.filter(gate=gate, date=day).select_related("person").order_by("-at")[:limit])


def entered_person_ids(*, enterprise_id: int, day: date) -> set[Any]:
    """The people of an enterprise let in through any gate on ``day`` (for the daily report's
    on-site headcount: a check-in or a gate entry counts). Not scoped: the caller has already
    decided that its user may see the enterprise's figures."""
    return set(
        Passage.objects.filter(enterprise_id=enterprise_id, date=day, kind=PassageKind.WORKER, direction=Direction.IN,
                               outcome=Outcome.ALLOWED, person__isnull=False).values_list("person_id", flat=True).distinct()
    )
