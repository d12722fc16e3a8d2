"""Who may act on resumption applications. Seeing one is decided by the scoped queryset."""

from __future__ import annotations

from typing import Any

import rules

from fugong.accounts.predicates import is_admin, is_command, is_enterprise_admin, is_official, is_reviewer
from fugong.accounts.scope import scope_of
from fugong.resumption.choices import OPEN_FOR_EDIT, Status


@rules.predicate
def administers_applicant(user: Any, application: Any) -> bool:
    return application is not None and application.enterprise_id in scope_of(user).enterprise_ids


@rules.predicate
def is_open_for_edit(user: Any, application: Any) -> bool:
    return application is not None and application.status in OPEN_FOR_EDIT


@rules.predicate
def commands_applicant(user: Any, application: Any) -> bool:
    scope = scope_of(user)
    return scope.is_admin or (application is not None and any(application.enterprise.region.path.startswith(p) for p in scope.command_paths))


@rules.predicate
def is_approved(user: Any, application: Any) -> bool:
    return application is not None and application.status == Status.APPROVED


@rules.predicate
def is_suspended(user: Any, application: Any) -> bool:
    return application is not None and application.status == Status.SUSPENDED


rules.add_perm("resumption.list_applications", is_official | is_enterprise_admin)
rules.add_perm("resumption.start_application", is_enterprise_admin)
rules.add_perm("resumption.edit_application", (administers_applicant | is_admin) & is_open_for_edit)
rules.add_perm("resumption.review_queue", is_admin | is_reviewer | is_command)
rules.add_perm("resumption.export_applications", is_official)
rules.add_perm("resumption.suspend_application", commands_applicant & is_approved)
rules.add_perm("resumption.reinstate_application", commands_applicant & is_suspended)
# inspections.* permissions live in fugong/inspections/rules.py.
