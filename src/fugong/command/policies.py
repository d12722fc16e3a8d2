"""The policy of many places at once: one read per county (a county's version overlays the base
one; every town and grid of a county shares it), never one per enterprise."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from fugong.policy.parameters import SHANGHAI
from fugong.regions.choices import Level
from fugong.regions.models import Region


class CountyPolicies:
    """``of(region_path)`` → the policy in force at noon of ``day`` in that place's county."""

    def __init__(self, day: date, at: datetime | None = None) -> None:
        self.at = at or datetime.combine(day, time(12, 0), tzinfo=SHANGHAI)
        self._counties: dict[str, Region] | None = None
        self._of_path: dict[str, Region | None] = {}
        self._by_county: dict[int | None, Any] = {}

    def county_of(self, path: str) -> Region | None:
        """The county whose path is a prefix of ``path`` (looked up by the path's own prefixes, one
        dictionary look-up each, and remembered per path: enterprises share a few thousand places)."""
        if path in self._of_path:
            return self._of_path[path]
        if self._counties is None:
            counties = Region.objects.filter(level=Level.COUNTY).only("pk", "path", "level", "code", "name")
            self._counties = {c.path: c for c in counties}
        found = None
        end = path.find("/", 1)
        while end != -1:
            found = self._counties.get(path[:end + 1])
            if found is not None:
                break
            end = path.find("/", end + 1)
        self._of_path[path] = found
        return found

    def of(self, path: str) -> Any:
        from fugong.policy.services import current

        county = self.county_of(path)
        key = county.pk if county is not None else None
        if key not in self._by_county:
            self._by_county[key] = current(county, self.at)
        return self._by_county[key]
