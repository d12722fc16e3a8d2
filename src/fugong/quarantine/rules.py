"""Who may do what with quarantine records. Seeing a site or a placement at all is decided by the
scoped querysets; these rules decide the actions (the services check them again)."""

from __future__ import annotations

from typing import Any

import rules

from fugong.accounts.predicates import is_admin, is_command, is_enterprise_admin, is_grid
from fugong.accounts.scope import scope_of
from fugong.workforce.rules import administers_enterprise, officer_covers_enterprise


def _officer_paths(user: Any) -> tuple[str, ...]:
    scope = scope_of(user)
    return scope.command_paths + scope.grid_paths


@rules.predicate
def officer_covers_placement(user: Any, placement: Any) -> bool:
    """A command or grid officer over the person's enterprise or over the site."""
    if placement is None:
        return False
    paths = _officer_paths(user)
    places = [placement.enterprise.region.path]
    if placement.site_id is not None:
        places.append(placement.site.region.path)
    return any(place.startswith(prefix) for place in places for prefix in paths)


@rules.predicate
def administers_placed_person(user: Any, placement: Any) -> bool:
    return placement is not None and placement.enterprise_id in scope_of(user).enterprise_ids


@rules.predicate
def placement_is_open(user: Any, placement: Any) -> bool:
    from fugong.quarantine.choices import PlacementStatus

    return placement is not None and placement.status == PlacementStatus.ACTIVE


@rules.predicate
def manages_site_region(user: Any, site: Any) -> bool:
    """A command officer over the site's place, or the admin of the enterprise whose observation area it is."""
    if site is None:
        return False
    scope = scope_of(user)
    if site.enterprise_id is not None and site.enterprise_id in scope.enterprise_ids:
        return True
    return any(site.region.path.startswith(prefix) for prefix in scope.command_paths)


# The pages: officers over places and enterprises, and the enterprise's prevention officer.
placing_role = is_admin | is_command | is_grid | is_enterprise_admin
rules.add_perm("quarantine.list_placements", placing_role)
rules.add_perm("quarantine.list_sites", placing_role)
rules.add_perm("quarantine.export_placements", is_admin | is_command | is_grid)
# The form to place someone (role-level: refused before any lookup) …
rules.add_perm("quarantine.open_place_form", placing_role)
# … and placing this person: the officers over their enterprise, or their enterprise's admin (into
# its own observation area or at home: the site must be one the user sees).
rules.add_perm("quarantine.place_person", is_admin | officer_covers_enterprise | administers_enterprise)
# The twice-daily checks: the officers (the grid team has a medic) and the enterprise for its staff.
rules.add_perm("quarantine.record_check", placement_is_open & (is_admin | officer_covers_placement | administers_placed_person))
# Release (解除隔离) is the officers' decision.
rules.add_perm("quarantine.release", placement_is_open & (is_admin | officer_covers_placement))
rules.add_perm("quarantine.manage_site", is_admin | manages_site_region)
