"""What a user may see, worked out once per request from their memberships."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fugong.accounts.choices import Role


@dataclass(frozen=True)
class Scope:
    """The union of a user's active memberships.

    ``region_paths`` are the materialised paths of the regions whose subtrees the user covers
    (command officers and grid officers directly, reviewers through their department's region).
    """

    is_admin: bool = False
    roles: frozenset[str] = frozenset()
    region_paths: tuple[str, ...] = ()
    command_paths: tuple[str, ...] = ()
    grid_paths: tuple[str, ...] = ()
    reviewer_paths: tuple[str, ...] = ()
    department_ids: frozenset[int] = frozenset()
    enterprise_ids: frozenset[int] = frozenset()  # enterprise admins
    employee_enterprise_ids: frozenset[int] = frozenset()
    gate_ids: frozenset[int] = frozenset()
    gate_enterprise_ids: frozenset[int] = frozenset()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def has(self, role: str) -> bool:
        return self.is_admin or role in self.roles

    @property
    def is_official(self) -> bool:
        """Government side: sees enterprises by jurisdiction."""
        return self.is_admin or bool(self.roles & {Role.COMMAND, Role.REVIEWER, Role.GRID})

    def covers_path(self, path: str) -> bool:
        return self.is_admin or any(path.startswith(prefix) for prefix in self.region_paths)


def compute_scope(user: Any) -> Scope:
    from fugong.accounts.models import Membership

    if user.is_superuser:
        return Scope(is_admin=True, roles=frozenset({Role.ADMIN}))
    memberships = list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("region", "department__region", "gate")
        .only(
            "role", "region__path", "department__id", "department__region__path", "enterprise_id", "gate__id", "gate__enterprise_id"
        )
    )
    roles = frozenset(m.role for m in memberships)
    command = tuple(m.region.path for m in memberships if m.role == Role.COMMAND and m.region)
    grid = tuple(m.region.path for m in memberships if m.role == Role.GRID and m.region)
    reviewer = tuple(m.department.region.path for m in memberships if m.role == Role.REVIEWER and m.department)
    return Scope(
        is_admin=Role.ADMIN in roles,
        roles=roles,
        region_paths=command + grid + reviewer,
        command_paths=command,
        grid_paths=grid,
        reviewer_paths=reviewer,
        department_ids=frozenset(m.department_id for m in memberships if m.role == Role.REVIEWER and m.department_id),
        enterprise_ids=frozenset(m.enterprise_id for m in memberships if m.role == Role.ENTERPRISE and m.enterprise_id),
        employee_enterprise_ids=frozenset(m.enterprise_id for m in memberships if m.role == Role.EMPLOYEE and m.enterprise_id),
        gate_ids=frozenset(m.gate_id for m in memberships if m.role == Role.GATE and m.gate_id),
        gate_enterprise_ids=frozenset(
            m.gate.enterprise_id for m in memberships if m.role == Role.GATE and m.gate and m.gate.enterprise_id
        ),
    )


def scope_of(user: Any) -> Scope:
    """The user's scope, cached on the user object for the rest of the request."""
    if not getattr(user, "is_authenticated", False):
        return Scope()
    cached = getattr(user, "_fugong_scope", None)
    if cached is None:
        cached = compute_scope(user)
        user._fugong_scope = cached
    return cached
