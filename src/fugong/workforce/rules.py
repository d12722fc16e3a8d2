"""Who may do what with personal records. Seeing a record at all is decided by
``Person.objects.for_user``; these rules decide the actions."""

from __future__ import annotations

from typing import Any

import rules

from fugong.accounts.predicates import is_admin, is_command, is_employee, is_enterprise_admin, is_grid
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

# -- passes, risk areas, re-evaluation (A2) --------------------------------------------------------
# The pass list: the officers (in their jurisdiction) and the enterprise admin (its own staff).
rules.add_perm("workforce.list_passes", is_admin | is_command | is_grid | is_enterprise_admin)
rules.add_perm("workforce.export_passes", is_admin | is_command | is_grid | is_enterprise_admin)
# The 待发证 list and bulk approval: the officers who approve passes (grid and command).
rules.add_perm("workforce.approve_passes", is_admin | is_command | is_grid)
# The risk-area list is national in effect (a trip anywhere may hit it) and re-classifies people
# of every enterprise: the platform admin and command officers keep it; grid officers read it.
rules.add_perm("workforce.view_risk_areas", is_admin | is_command | is_grid)
rules.add_perm("workforce.change_risk_areas", is_admin | is_command)
# Re-evaluation runs: followed by the officers; started by hand by the admin and command officers.
rules.add_perm("workforce.view_reevaluations", is_admin | is_command | is_grid)
rules.add_perm("workforce.start_reevaluation", is_admin | is_command)
# The employee's own pass on the phone (the menu item; the page shows only their own record).
rules.add_perm("workforce.view_own_pass", is_employee)

# -- people pages, personal links, declarations (A1) -----------------------------------------------
# The person list (一人一档) and its export: the officers (their jurisdiction's staff) and the
# enterprise admin (its own). An employee has their own file page instead; reviewers and gates none.
rules.add_perm("workforce.list_people", is_admin | is_command | is_grid | is_enterprise_admin)
rules.add_perm("workforce.export_people", is_admin | is_command | is_grid | is_enterprise_admin)
# The pages that register people (one by one, or a roster): which enterprise is decided per
# enterprise by workforce.add_person and workforce.import_roster.
rules.add_perm("workforce.keep_roster", is_admin | is_command | is_grid | is_enterprise_admin)
# Personal links (个人链接/二维码): shown, exported and printed by those who keep the roster.
rules.add_perm("workforce.send_links", is_admin | is_command | is_grid | is_enterprise_admin)
rules.add_perm("workforce.send_link", is_admin | administers_enterprise | officer_covers_enterprise)
# A health declaration filled in for a person (channel 企业代填).
rules.add_perm("workforce.declare_for_person", is_admin | administers_enterprise | officer_covers_enterprise)
# The employee's own pages (/people/me/): their file's summary and their declaration.
rules.add_perm("workforce.view_own_file", is_employee)
