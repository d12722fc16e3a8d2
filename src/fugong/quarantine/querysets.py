"""Scoping of quarantine records: sites are places, placements are personal records."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from fugong.core.models import PersonalQuerySet, ScopedQuerySet
from fugong.enterprises.querysets import region_q


class SiteQuerySet(ScopedQuerySet):
    """Who sees which sites.

    - command and grid officers: the sites in their jurisdictions (by the site's region);
    - an enterprise admin: their enterprise's observation area(s);
    - reviewers, employees and gate guards: none (they place nobody).
    """

    def for_scope(self, scope: Any) -> SiteQuerySet:
        return self.filter(region_q(scope.command_paths + scope.grid_paths, "region") | Q(enterprise_id__in=scope.enterprise_ids))  # type: ignore[return-value]


class PlacementQuerySet(PersonalQuerySet):
    """Who sees whose isolation: :class:`~fugong.core.models.PersonalQuerySet`'s rule (officers
    over the person's enterprise, the enterprise admin its staff, an employee their own
    placement), widened by the place — officers over the site (a worker of 高新区 sent to a county
    site), an enterprise admin over its observation area. Reviewers and gate guards: none."""

    def scope_q(self, scope: Any) -> Q:
        return (super().scope_q(scope) | region_q(scope.command_paths + scope.grid_paths, "site__region")
                | Q(site__enterprise_id__in=scope.enterprise_ids))

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
