"""Scoping of enterprises and their gates."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from fugong.core.models import ScopedQuerySet


def region_q(paths: tuple[str, ...], field: str) -> Q:
    """Rows whose region (through ``field``) lies in any of the given subtrees; never matches if none."""
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{field}__path__startswith": path})
    return query


class EnterpriseQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Any) -> EnterpriseQuerySet:
        """Officials see their jurisdictions and an enterprise admin their own enterprise.
        Employees and gate guards see their own record and their gate, not the enterprise's
        registry entry (legal representative, contacts): SPEC.md, "own record only"."""
        return self.filter(region_q(scope.region_paths, "region") | Q(pk__in=scope.enterprise_ids))  # type: ignore[return-value]


class GateQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Any) -> GateQuerySet:
        return self.filter(  # type: ignore[return-value]
            region_q(scope.region_paths, "enterprise__region")
            | region_q(scope.region_paths, "region")
            | Q(enterprise_id__in=scope.enterprise_ids)
            | Q(pk__in=scope.gate_ids)
        )
