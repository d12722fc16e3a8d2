"""Scoping of flags, rollups and daily summaries."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from fugong.core.models import ScopedQuerySet
from fugong.enterprises.querysets import region_q


class FlagQuerySet(ScopedQuerySet):
    """Flags are seen with their enterprise: officials by its place, an enterprise admin its own."""

    def for_scope(self, scope: Any) -> FlagQuerySet:
        return self.filter(region_q(scope.region_paths, "enterprise__region") | Q(enterprise_id__in=scope.enterprise_ids))  # type: ignore[return-value]


class RollupQuerySet(ScopedQuerySet):
    """Rollup rows of the places inside the user's jurisdictions (no join: the path is kept on the row)."""

    def for_scope(self, scope: Any) -> RollupQuerySet:
        return self.under(scope.region_paths)

    def under(self, paths: tuple[str, ...] | list[str]) -> RollupQuerySet:
        query = Q(pk__in=[])
        for path in paths:
            query |= Q(region_path__startswith=path)
        return self.filter(query)  # type: ignore[return-value]


class SummaryQuerySet(ScopedQuerySet):
    """A county's summary for those who cover the county, a town's for those who cover the town."""

    def for_scope(self, scope: Any) -> SummaryQuerySet:
        return self.filter(region_q(scope.region_paths, "region"))  # type: ignore[return-value]
