"""Who sees which materials records.

- command officers: the enterprises of their jurisdictions and the stockpiles in them;
- grid officers: the enterprises of their grids (read only), no stockpile;
- an enterprise admin: their enterprise's stock and the allocations to it;
- reviewers, employees and gate guards: nothing (their pages answer 403 before any lookup).
"""

from __future__ import annotations

from typing import Any

from fugong.core.models import ScopedQuerySet
from fugong.enterprises.querysets import region_q, served_q


class StockMovementQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Any) -> StockMovementQuerySet:
        return self.filter(served_q(scope))  # type: ignore[return-value]


class StockCountQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Any) -> StockCountQuerySet:
        return self.filter(served_q(scope))  # type: ignore[return-value]


class StockpileQuerySet(ScopedQuerySet):
    """Stockpiles in a command officer's jurisdiction (a town's officer does not see the county's)."""

    def for_scope(self, scope: Any) -> StockpileQuerySet:
        return self.filter(region_q(scope.command_paths, "region"))  # type: ignore[return-value]


class StockpileMovementQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Any) -> StockpileMovementQuerySet:
        return self.filter(region_q(scope.command_paths, "stockpile__region"))  # type: ignore[return-value]


class AllocationQuerySet(ScopedQuerySet):
    """Allocations from a stockpile the officer commands, or to an enterprise the user covers (a
    town's officer sees what the county sent to its enterprises; a grid officer what reached its
    grid; an enterprise admin what was sent to it)."""

    def for_scope(self, scope: Any) -> AllocationQuerySet:
        return self.filter(region_q(scope.command_paths, "stockpile__region") | served_q(scope))  # type: ignore[return-value]

    def pending(self) -> AllocationQuerySet:
        from fugong.materials.choices import PENDING_STATUSES

        return self.filter(status__in=PENDING_STATUSES)  # type: ignore[return-value]
