"""Who may do what at a gate. Seeing a gate and its log at all is decided by
:func:`fugong.gates.selectors.visible_gates` and ``Passage.objects.for_user``; these rules
decide the actions."""

from __future__ import annotations

from typing import Any

import rules

from fugong.accounts.predicates import is_admin, is_command, is_enterprise_admin, is_gate, is_grid
from fugong.accounts.scope import scope_of


def _place_path(gate: Any) -> str | None:
    region = gate.enterprise.region if gate.enterprise_id else gate.region
    return region.path if region is not None else None


@rules.predicate
def guards_gate(user: Any, gate: Any) -> bool:
    """A gate guard (or a gate device's account) bound to this gate."""
    return gate is not None and gate.pk in scope_of(user).gate_ids


@rules.predicate
def officer_covers_gate(user: Any, gate: Any) -> bool:
    """A command or grid officer whose jurisdiction holds the gate's enterprise, or the checkpoint."""
    if gate is None:
        return False
    scope = scope_of(user)
    path = _place_path(gate)
    return path is not None and any(path.startswith(p) for p in scope.command_paths + scope.grid_paths)


@rules.predicate
def administers_gate(user: Any, gate: Any) -> bool:
    """The admin of the enterprise the gate belongs to."""
    return gate is not None and gate.enterprise_id is not None and gate.enterprise_id in scope_of(user).enterprise_ids


# The gate pages and log: gate guards, the enterprise, and the officers over it.
rules.add_perm("gates.view_gates", is_admin | is_command | is_grid | is_enterprise_admin | is_gate)
# Recording at a gate is the guard's job (and a device's, with the guard's token). Checked before
# the gate is looked up, so an officer gets the same 403 for every gate.
rules.add_perm("gates.use_gate", is_admin | is_gate)
rules.add_perm("gates.record_passage", is_admin | guards_gate)
# The ledger as Excel, and visitors' and drivers' names and phones in full: the enterprise and the
# officers (the guard who typed them sees them masked in lists).
rules.add_perm("gates.export_passages", is_admin | is_command | is_grid | is_enterprise_admin)
rules.add_perm("gates.see_visitor_details", is_admin | officer_covers_gate | administers_gate)
