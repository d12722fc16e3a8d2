"""Who may do what with protective materials. Seeing a record at all is decided by the scoped
querysets; these rules decide the pages (role-level: refused before any lookup) and the actions
on one object (the services check them again)."""

from __future__ import annotations

from typing import Any

import rules

from fugong.accounts.predicates import is_admin, is_command, is_enterprise_admin, is_grid
from fugong.accounts.scope import scope_of
from fugong.materials.choices import AllocationStatus
from fugong.workforce.rules import administers_enterprise


@rules.predicate
def commands_stockpile(user: Any, target: Any) -> bool:
    """A command officer over the stockpile's region (the stockpile itself, or an allocation's)."""
    stockpile = getattr(target, "stockpile", target)
    if stockpile is None or not hasattr(stockpile, "region"):
        return False
    return any(stockpile.region.path.startswith(prefix) for prefix in scope_of(user).command_paths)


@rules.predicate
def administers_receiving_enterprise(user: Any, allocation: Any) -> bool:
    return allocation is not None and allocation.enterprise_id in scope_of(user).enterprise_ids


@rules.predicate
def allocation_is_proposed(user: Any, allocation: Any) -> bool:
    return allocation is not None and allocation.status == AllocationStatus.PROPOSED


@rules.predicate
def allocation_is_confirmed(user: Any, allocation: Any) -> bool:
    return allocation is not None and allocation.status == AllocationStatus.CONFIRMED


@rules.predicate
def allocation_is_pending(user: Any, allocation: Any) -> bool:
    return allocation is not None and allocation.status in (AllocationStatus.PROPOSED, AllocationStatus.CONFIRMED)


officer = is_admin | is_command | is_grid
# The pages of stock (an enterprise's, the officers' list) and the ledger: officers and the enterprise.
rules.add_perm("materials.view_materials", officer | is_enterprise_admin)
rules.add_perm("materials.export", officer)
# Recording received/used goods and the daily count: the enterprise itself (role-level, then its own).
rules.add_perm("materials.open_stock_forms", is_admin | is_enterprise_admin)
rules.add_perm("materials.record_stock", is_admin | administers_enterprise)
# Stockpiles and allocations: the command officers (the grid officers only read what reached their grid).
rules.add_perm("materials.list_stockpiles", is_admin | is_command)
rules.add_perm("materials.manage_stockpile", is_admin | commands_stockpile)
rules.add_perm("materials.allocate", is_admin | is_command)
rules.add_perm("materials.confirm_allocation", allocation_is_proposed & (is_admin | commands_stockpile))
rules.add_perm("materials.cancel_allocation", allocation_is_pending & (is_admin | commands_stockpile))
# Receiving: the enterprise's admin (the page of what waits for it, role-level; then its own allocation).
rules.add_perm("materials.view_incoming", is_admin | is_enterprise_admin)
rules.add_perm("materials.receive_allocation", allocation_is_confirmed & (is_admin | administers_receiving_enterprise))
