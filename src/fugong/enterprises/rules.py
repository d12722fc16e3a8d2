"""Who may do what with enterprises. Seeing an object at all is decided by the scoped queryset;
these rules decide the actions."""

from __future__ import annotations

from typing import Any

import rules

from fugong.accounts.predicates import covers_region, is_admin, is_command, is_grid, is_official
from fugong.accounts.scope import scope_of


@rules.predicate
def officer_covers_enterprise(user: Any, enterprise: Any) -> bool:
    scope = scope_of(user)
    if enterprise is None:
        return False
    paths = scope.command_paths + scope.grid_paths
    return scope.is_admin or any(enterprise.region.path.startswith(p) for p in paths)


@rules.predicate
def administers_enterprise(user: Any, enterprise: Any) -> bool:
    return enterprise is not None and enterprise.pk in scope_of(user).enterprise_ids


rules.add_perm("enterprises.list_enterprises", is_official)
rules.add_perm("enterprises.export_enterprises", is_official)
rules.add_perm("enterprises.add_enterprise", is_admin | is_command | is_grid)
rules.add_perm("enterprises.import_enterprises", is_admin | is_command)
rules.add_perm("enterprises.change_enterprise", officer_covers_enterprise | administers_enterprise)
rules.add_perm("enterprises.place_enterprise", covers_region)
