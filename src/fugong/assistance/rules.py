"""Who may do what with help requests, routing rules and positions. Seeing a request, a rule or
a position at all is decided by the scoped querysets (querysets.py); these rules decide the
actions, and the services check them again.

Decisions (SPEC.md leaves them open):
- A request is answered by the reviewers of the department it was routed to, inside that
  department's jurisdiction, or by a command officer over the enterprise (the command supervises
  every request of its jurisdiction and answers those no rule routes). Grid officers read their
  grid's requests and answer none.
- Only the enterprise that filed (or for which the hotline filed) confirms a request solved or
  sends it back: nobody closes it on the enterprise's behalf. The platform admin passes every
  check, as everywhere.
- The 12345 hotline is a command officer in scope filing for an enterprise of the jurisdiction.
- Routing rules are kept by the admin and the command officers, each for their jurisdiction.
- The labour ledger: the enterprise posts and edits its positions; the command over the
  enterprise and the reviewers of a 人社 (human resources) department over it update the matching
  figures (matched, filled); every other official covering the place reads it.
"""

from __future__ import annotations

from typing import Any

import rules

from fugong.accounts.predicates import is_admin, is_command, is_enterprise_admin, is_grid, is_reviewer
from fugong.accounts.scope import scope_of


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path.startswith(prefix) for prefix in prefixes)


@rules.predicate
def administers_enterprise(user: Any, enterprise: Any) -> bool:
    return enterprise is not None and enterprise.pk in scope_of(user).enterprise_ids


@rules.predicate
def commands_enterprise(user: Any, enterprise: Any) -> bool:
    return enterprise is not None and _under(enterprise.region.path, scope_of(user).command_paths)


@rules.predicate
def commands_request_enterprise(user: Any, request: Any) -> bool:
    return request is not None and _under(request.enterprise.region.path, scope_of(user).command_paths)


@rules.predicate
def reviews_routed_request(user: Any, request: Any) -> bool:
    """A reviewer of the department the request was routed to, the enterprise inside its jurisdiction."""
    scope = scope_of(user)
    return (request is not None and request.department_id is not None and request.department_id in scope.department_ids
            and _under(request.enterprise.region.path, scope.reviewer_paths))


@rules.predicate
def filed_for_own_enterprise(user: Any, request: Any) -> bool:
    return request is not None and request.enterprise_id in scope_of(user).enterprise_ids


@rules.predicate
def manages_rule(user: Any, rule: Any) -> bool:
    return rule is not None and _under(rule.region.path, scope_of(user).command_paths)


def hr_paths(user: Any) -> tuple[str, ...]:
    """The jurisdictions of the user's 人社 departments (cached on the request's scope)."""
    scope = scope_of(user)
    if "assistance_hr_paths" not in scope.extra:
        from fugong.regions.choices import DepartmentKind
        from fugong.regions.models import Department

        scope.extra["assistance_hr_paths"] = tuple(
            Department.objects.filter(pk__in=scope.department_ids, kind=DepartmentKind.HR).values_list("region__path", flat=True)
        ) if scope.department_ids else ()
    return scope.extra["assistance_hr_paths"]  # type: ignore[no-any-return]


@rules.predicate
def is_hr_reviewer(user: Any) -> bool:
    return bool(hr_paths(user))


@rules.predicate
def administers_position(user: Any, position: Any) -> bool:
    return position is not None and position.enterprise_id in scope_of(user).enterprise_ids


@rules.predicate
def tracks_position(user: Any, position: Any) -> bool:
    """The command over the enterprise or a 人社 reviewer over it."""
    if position is None:
        return False
    path = position.enterprise.region.path
    return _under(path, scope_of(user).command_paths) or _under(path, hr_paths(user))


# Help requests: the lists and pages (employees and gate guards are refused before any lookup).
seeing_role = is_admin | is_command | is_reviewer | is_grid | is_enterprise_admin
rules.add_perm("assistance.list_requests", seeing_role)
rules.add_perm("assistance.export_requests", seeing_role)
# Filing online: the enterprise's admin for its own enterprise.
rules.add_perm("assistance.open_file_form", is_admin | is_enterprise_admin)
rules.add_perm("assistance.file_request", is_admin | administers_enterprise)
# The 12345 hotline: a command officer for an enterprise of the jurisdiction.
rules.add_perm("assistance.open_hotline_form", is_admin | is_command)
rules.add_perm("assistance.file_hotline_request", is_admin | commands_enterprise)
# Answering: the routed department's reviewers, or the command over the enterprise.
rules.add_perm("assistance.answer_request", is_admin | commands_request_enterprise | reviews_routed_request)
# Closing or sending back: the enterprise alone.
rules.add_perm("assistance.confirm_request", is_admin | filed_for_own_enterprise)
# Routing rules.
rules.add_perm("assistance.manage_rules", is_admin | is_command)
rules.add_perm("assistance.change_rule", is_admin | manages_rule)
# The labour ledger.
rules.add_perm("assistance.list_positions", seeing_role)
rules.add_perm("assistance.export_positions", seeing_role)
rules.add_perm("assistance.open_position_form", is_admin | is_enterprise_admin)
rules.add_perm("assistance.post_position", is_admin | administers_enterprise)
rules.add_perm("assistance.edit_position", is_admin | administers_position)
rules.add_perm("assistance.track_position", is_admin | administers_position | tracks_position)
