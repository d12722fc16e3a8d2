"""Scoping of quarantine records: sites are places, placements are personal records."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from fugong.core.models import ScopedQuerySet
from fugong.enterprises.querysets import region_q


class SiteQuerySet(ScopedQuerySet):
    """Who sees which sites.

    - command and grid officers: the sites in their jurisdictions (by the site's region);
    - an enterprise admin: their enterprise's observation area(s);
    - reviewers, employees and gate guards: none (they place nobody).
    """

    def for_scope(self, scope: Any) -> SiteQuerySet:
        return self.filter(region_q(scope.command_paths + scope.grid_paths, "region") | Q(enterprise_id__in=scope.enterprise_ids))  # type: ignore[return-value]


class PlacementQuerySet(ScopedQuerySet):
    """Who sees whose isolation.

    - command and grid officers: placements at a site of their jurisdiction, and placements of the
      staff of enterprises in their jurisdiction (a worker of 高新区 sent to a county site);
    - an enterprise admin: their staff's placements, and those in their observation area;
    - an employee: their own placement;
    - reviewers and gate guards: none.
    """

    def for_user(self, user: Any) -> PlacementQuerySet:
        # The employee rule needs the user, not only their scope (as PersonQuerySet).
        from fugong.accounts.scope import scope_of

        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        scope = scope_of(user)
        if scope.is_admin:
            return self
        query = self._scope_q(scope)
        if scope.employee_enterprise_ids:
            query |= Q(person__user_id=user.pk, enterprise_id__in=scope.employee_enterprise_ids)
        return self.filter(query)

    def for_scope(self, scope: Any) -> PlacementQuerySet:
        return self.filter(self._scope_q(scope))

    @staticmethod
    def _scope_q(scope: Any) -> Q:
        officers = scope.command_paths + scope.grid_paths
        return (
            region_q(officers, "site__region") | region_q(officers, "enterprise__region")
            | Q(enterprise_id__in=scope.enterprise_ids) | Q(site__enterprise_id__in=scope.enterprise_ids)
        )

    def active(self) -> PlacementQuerySet:
        from fugong.quarantine.choices import PlacementStatus

        return self.filter(status=PlacementStatus.ACTIVE)


class QuarantineCheckQuerySet(ScopedQuerySet):
    """Checks are seen with their placement."""

    def for_user(self, user: Any) -> QuarantineCheckQuerySet:
        from fugong.quarantine.models import Placement

        return self.filter(placement__in=Placement.objects.for_user(user).values("pk"))  # type: ignore[return-value]

    def for_scope(self, scope: Any) -> QuarantineCheckQuerySet:
        from fugong.quarantine.models import Placement

        return self.filter(placement__in=Placement.objects.for_scope(scope).values("pk"))  # type: ignore[return-value]
