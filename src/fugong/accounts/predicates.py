"""``rules`` predicates on roles and scope, shared by every app's rules.py."""

from __future__ import annotations

from typing import Any

import rules

from fugong.accounts.choices import Role
from fugong.accounts.scope import scope_of


def has_role(role: str) -> Any:
    @rules.predicate(name=f"has_role:{role}")
    def predicate(user: Any) -> bool:
        return scope_of(user).has(role)

    return predicate


is_admin = rules.predicate(lambda user: scope_of(user).is_admin, name="is_admin")
is_command = has_role(Role.COMMAND)
is_reviewer = has_role(Role.REVIEWER)
is_grid = has_role(Role.GRID)
is_enterprise_admin = has_role(Role.ENTERPRISE)
is_employee = has_role(Role.EMPLOYEE)
is_gate = has_role(Role.GATE)
is_official = rules.predicate(lambda user: scope_of(user).is_official, name="is_official")


@rules.predicate
def covers_region(user: Any, region: Any) -> bool:
    """The region lies in one of the user's jurisdictions."""
    return region is not None and scope_of(user).covers_path(region.path)


@rules.predicate
def commands_region(user: Any, region: Any) -> bool:
    scope = scope_of(user)
    return scope.is_admin or (region is not None and any(region.path.startswith(p) for p in scope.command_paths))
