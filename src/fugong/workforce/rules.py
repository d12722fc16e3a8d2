"""Who may do what with personal records. Seeing a record at all is decided by
``Person.objects.for_user``; these rules decide the actions."""

from __future__ import annotations

from typing import Any

import rules

from fugong.accounts.predicates import is_admin
from fugong.accounts.scope import scope_of


def _enterprise_of(target: Any) -> Any:
    """Rules take a person or an enterprise; both answer for the enterprise."""
    return getattr(target, "enterprise", target)


@rules.predicate
def commands_enterprise(user: Any, target: Any) -> bool:
    """A command officer whose jurisdiction holds the enterprise (of the person)."""
    enterprise = _enterprise_of(target)
    return enterprise is not None and any(enterprise.region.path.startswith(p) for p in scope_of(user).command_paths)


@rules.predicate
def officer_covers_enterprise(user: Any, target: Any) -> bool:
    """A command or grid officer whose jurisdiction holds the enterprise (of the person)."""
    enterprise = _enterprise_of(target)
    scope = scope_of(user)
    return enterprise is not None and any(enterprise.region.path.startswith(p) for p in scope.command_paths + scope.grid_paths)


@rules.predicate
def administers_enterprise(user: Any, target: Any) -> bool:
    enterprise = _enterprise_of(target)
    return enterprise is not None and enterprise.pk in scope_of(user).enterprise_ids


# The full ID number: the platform admin and the command officers over the enterprise only. Grid
# officers and enterprise admins work with the masked number; every reveal is audited.
rules.add_perm("workforce.reveal_id_number", is_admin | commands_enterprise)
# Keeping the roster: the enterprise itself, and the officers over it (they help small shops).
rules.add_perm("workforce.add_person", is_admin | administers_enterprise | officer_covers_enterprise)
rules.add_perm("workforce.change_person", is_admin | administers_enterprise | officer_covers_enterprise)
rules.add_perm("workforce.import_roster", is_admin | administers_enterprise | officer_covers_enterprise)
# Passes: the officers over the enterprise (grid officers approve, command officers too).
rules.add_perm("workforce.issue_pass", is_admin | officer_covers_enterprise)
rules.add_perm("workforce.revoke_pass", is_admin | officer_covers_enterprise)
