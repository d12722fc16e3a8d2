"""Who may do what with subsidies. Seeing a scheme or an application at all is decided by the
scoped querysets; these rules decide the pages and the actions (the services check them again).

Decisions taken here (issue 5, item 7):

- **Who approves**: the command officer (指挥部) over the enterprise's region. The seeds have the
  city's 人社局 pay the subsidies, but the demo has no 人社 department account, and the
  department reviewers' routing is for resumption applications by sector; a county that adds a
  人社局 reviewer widens ``subsidies.decide`` here (a predicate on the reviewer's department kind).
- **Department reviewers**: no subsidy pages (403), nothing in their querysets.
- **Grid officers**: read only, their grid's applications and computations, the summary and the
  payment list with names masked; they neither apply nor decide.
- **Enterprise admins**: their own enterprise's computation, applications and approved payment
  list; they apply (the platform admin may act for an enterprise, as elsewhere).
- **Employees and gate guards**: nothing.
- **Full names** on the screens and in the payment list (发放清单): the platform admin, the
  command officers over the enterprise (they pay out) and the enterprise's own admin (its staff);
  everyone else sees ``mask_name`` (张*). Full ID numbers are never shown: the lines keep the
  masked number only.
"""

from __future__ import annotations

from typing import Any

import rules

from fugong.accounts.predicates import is_admin, is_command, is_enterprise_admin, is_grid
from fugong.accounts.scope import scope_of


def _enterprise_of(target: Any) -> Any:
    """Rules take an application or an enterprise; both answer for the enterprise."""
    return getattr(target, "enterprise", target)


@rules.predicate
def commands_subsidy_enterprise(user: Any, target: Any) -> bool:
    enterprise = _enterprise_of(target)
    return enterprise is not None and any(enterprise.region.path.startswith(p) for p in scope_of(user).command_paths)


@rules.predicate
def administers_subsidy_enterprise(user: Any, target: Any) -> bool:
    enterprise = _enterprise_of(target)
    return enterprise is not None and enterprise.pk in scope_of(user).enterprise_ids


@rules.predicate
def application_is_pending(user: Any, application: Any) -> bool:
    from fugong.subsidies.choices import ApplicationStatus

    return application is not None and application.status == ApplicationStatus.PENDING


subsidy_role = is_admin | is_command | is_grid | is_enterprise_admin
# The pages (role-level, refused before any lookup): schemes, applications, computations, payment lists.
rules.add_perm("subsidies.view_subsidies", subsidy_role)
rules.add_perm("subsidies.export_applications", subsidy_role)
rules.add_perm("subsidies.export_payment_list", subsidy_role)
# Totals per scheme: the officers.
rules.add_perm("subsidies.view_summary", is_admin | is_command | is_grid)
# Applying: the enterprise's admin (role-level for the form; per enterprise for the write).
rules.add_perm("subsidies.open_apply", is_admin | is_enterprise_admin)
rules.add_perm("subsidies.apply", is_admin | administers_subsidy_enterprise)
# Approving or rejecting a pending application: the command over the enterprise.
rules.add_perm("subsidies.decide", application_is_pending & (is_admin | commands_subsidy_enterprise))
# Names in full (else masked): see the module's docstring.
rules.add_perm("subsidies.reveal_names", is_admin | commands_subsidy_enterprise | administers_subsidy_enterprise)
