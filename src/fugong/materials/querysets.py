"""Who sees which materials records.

- command officers: the enterprises of their jurisdictions and the stockpiles in them;
- grid officers: the enterprises of their grids (read only), no stockpile;
- an enterprise admin: their enterprise's stock and the allocations to it;
- reviewers, employees and gate guards: nothing (their pages answer 403 before any lookup).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from fugong.core.models import ScopedQuerySet
from fugong.enterprises.querysets import region_q


def enterprise_q(scope: Any, field: str = "enterprise") -> Q:
    """Rows of enterprises a scope covers for materials: command and grid officers by the
    enterprise's region, an enterprise admin their own (reviewers not: their jurisdiction is for
    reviews, not stock)."""
    region_field, ids_field = (f"{field}__region", f"{field}_id__in") if field else ("region", "pk__in")
    return region_q(scope.command_paths + scope.grid_paths, region_field) | Q(**{ids_field: scope.enterprise_ids})


def materials_enterprises(user: Any) -> Any:
    """The enterprises whose stock ``user`` sees (all for the platform admin)."""
    from fugong.accounts.scope import scope_of
    from fugong.enterprises.models import Enterprise

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Enterprise.objects.none()
    scope = scope_of(user)
    if scope.is_admin:
        return Enterprise.objects.all()
    return Enterprise.objects.filter(enterprise_q(scope, field=""))


class StockMovementQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Any) -> StockMovementQuerySet:
        return self.filter(enterprise_q(scope))  # type: ignore[return-value]


class StockCountQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Any) -> StockCountQuerySet:
        return self.filter(enterprise_q(scope))  # type: ignore[return-value]


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
        return self.filter(region_q(scope.command_paths, "stockpile__region") | enterprise_q(scope))  # type: ignore[return-value]

    def pending(self) -> AllocationQuerySet:
        from fugong.materials.choices import PENDING_STATUSES

        return self.filter(status__in=PENDING_STATUSES)  # type: ignore[return-value]
