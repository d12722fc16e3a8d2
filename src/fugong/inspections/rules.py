"""Who may do what with inspections and rectification items. Seeing one at all is decided by the
scoped querysets; these rules decide the actions (the services check the same things again)."""

from __future__ import annotations

from typing import Any

import rules

from fugong.accounts.predicates import is_admin, is_command, is_enterprise_admin, is_grid, is_official, is_reviewer
from fugong.accounts.scope import scope_of
from fugong.inspections.choices import InspectionStatus, RectificationStatus
from fugong.resumption.choices import Status


def _covers(user: Any, enterprise: Any) -> bool:
    from fugong.inspections.services import may_inspect

    return enterprise is not None and may_inspect(user, enterprise)


@rules.predicate
def inspects_enterprise(user: Any, enterprise: Any) -> bool:
    """Grid, command and reviewing officers covering the enterprise (services.may_inspect)."""
    return _covers(user, enterprise)


@rules.predicate
def may_accept_application(user: Any, application: Any) -> bool:
    return application is not None and application.status == Status.INSPECTION and _covers(user, application.enterprise)


@rules.predicate
def may_record_inspection(user: Any, inspection: Any) -> bool:
    return inspection is not None and inspection.status == InspectionStatus.IN_PROGRESS and _covers(user, inspection.enterprise)


@rules.predicate
def may_answer_rectification(user: Any, item: Any) -> bool:
    scope = scope_of(user)
    return (item is not None and item.status in (RectificationStatus.OPEN, RectificationStatus.REOPENED)
            and (scope.is_admin or item.enterprise_id in scope.enterprise_ids))


@rules.predicate
def may_verify_rectification(user: Any, item: Any) -> bool:
    return item is not None and item.status == RectificationStatus.ANSWERED and _covers(user, item.enterprise)


inspecting_officer = is_admin | is_grid | is_command | is_reviewer

rules.add_perm("inspections.list_inspections", inspecting_officer)
rules.add_perm("inspections.export_inspections", inspecting_officer)
rules.add_perm("inspections.start_inspection", inspecting_officer & inspects_enterprise)
rules.add_perm("inspections.start_acceptance", inspecting_officer & may_accept_application)
rules.add_perm("inspections.record_inspection", may_record_inspection)
rules.add_perm("inspections.list_rectifications", is_official | is_enterprise_admin)
rules.add_perm("inspections.export_rectifications", is_official)
rules.add_perm("inspections.answer_rectification", may_answer_rectification)
rules.add_perm("inspections.verify_rectification", may_verify_rectification)

# Patrols: the officers (grid, command, reviewing) record visits and follow the coverage of their places.
rules.add_perm("inspections.patrol", inspecting_officer)
rules.add_perm("inspections.start_patrol", inspecting_officer & inspects_enterprise)
rules.add_perm("inspections.view_patrol_coverage", inspecting_officer)
rules.add_perm("inspections.export_patrol_coverage", inspecting_officer)
rules.add_perm("inspections.view_patrol_plans", inspecting_officer)
# A finding filed by hand, by an officer covering the enterprise; the summary of findings is the officials'.
rules.add_perm("inspections.file_rectification", inspecting_officer & inspects_enterprise)
rules.add_perm("inspections.view_rectification_summary", is_official)
rules.add_perm("inspections.export_rectification_summary", is_official)
