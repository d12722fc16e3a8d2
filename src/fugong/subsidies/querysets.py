"""Who sees which subsidy schemes and applications.

- Schemes: those that apply to a place the user stands in (a scheme of 河源市 for 高新区's officers
  and enterprises) and those inside an officer's jurisdiction. Command and grid officers by their
  regions, an enterprise admin by its enterprise's place.
- Applications and their lines: command and grid officers over the enterprise (grid officers read
  only, see ``rules.py``), the enterprise admin its own. Department reviewers, employees and gate
  guards: none — the demo has no 人社 department, and the subsidies are not the sector
  departments' business (``rules.py``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from fugong.core.models import ScopedQuerySet
from fugong.enterprises.querysets import region_q, served_q


def ancestor_paths(path: str) -> list[str]:
    """The materialised paths of a region and every region above it: "/a/b/" → ["/a/", "/a/b/"]."""
    codes = [code for code in path.split("/") if code]
    return ["/" + "/".join(codes[:end]) + "/" for end in range(1, len(codes) + 1)]


class SchemeQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Any) -> SchemeQuerySet:
        from fugong.enterprises.models import Enterprise

        officer_paths = scope.command_paths + scope.grid_paths
        places = list(officer_paths)
        if scope.enterprise_ids:
            places += list(Enterprise.objects.filter(pk__in=scope.enterprise_ids).values_list("region__path", flat=True))
        above = {ancestor for place in places for ancestor in ancestor_paths(place)}
        return self.filter(region_q(officer_paths, "region") | Q(region__path__in=above))  # type: ignore[return-value]

    def covering(self, enterprise: Any) -> SchemeQuerySet:
        """Schemes whose region holds the enterprise (park-only schemes only for park tenants)."""
        found = self.filter(region__path__in=ancestor_paths(enterprise.region.path))
        if not enterprise.in_park:
            found = found.filter(park_tenants_only=False)
        return found  # type: ignore[return-value]


class ApplicationQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Any) -> ApplicationQuerySet:
        return self.filter(served_q(scope))  # type: ignore[return-value]


class LineQuerySet(ScopedQuerySet):
    """Lines are seen with their application."""

    def for_scope(self, scope: Any) -> LineQuerySet:
        from fugong.subsidies.models import SubsidyApplication

        return self.filter(application__in=SubsidyApplication.objects.for_scope(scope).values("pk"))  # type: ignore[return-value]
