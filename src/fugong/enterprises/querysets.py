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


def served_q(scope: Any, field: str = "enterprise") -> Q:
    """Rows of the enterprises a scope *serves*: command and grid officers by the enterprise's
    region, an enterprise admin their own. Not a department reviewer's jurisdiction: it is for
    reviews, not for an enterprise's stock, roster money or other day-to-day business."""
    region_field, ids_field = (f"{field}__region", f"{field}_id__in") if field else ("region", "pk__in")
    return region_q(scope.command_paths + scope.grid_paths, region_field) | Q(**{ids_field: scope.enterprise_ids})


class EnterpriseQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Any) -> EnterpriseQuerySet:
        """Officials see their jurisdictions and an enterprise admin their own enterprise.
        Employees and gate guards see their own record and their gate, not the enterprise's
        registry entry (legal representative, contacts): SPEC.md, "own record only"."""
        return self.filter(region_q(scope.region_paths, "region") | Q(pk__in=scope.enterprise_ids))  # type: ignore[return-value]

    def served_by(self, user: Any) -> EnterpriseQuerySet:
        """The enterprises ``user`` serves (:func:`served_q`; all for the platform admin, none for
        an anonymous or inactive user)."""
        from fugong.accounts.scope import scope_of

        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        scope = scope_of(user)
        return self.all() if scope.is_admin else self.filter(served_q(scope, field=""))  # type: ignore[return-value]


class GateQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Any) -> GateQuerySet:
        return self.filter(  # type: ignore[return-value]
            region_q(scope.region_paths, "enterprise__region")
            | region_q(scope.region_paths, "region")
            | Q(enterprise_id__in=scope.enterprise_ids)
            | Q(pk__in=scope.gate_ids)
        )
