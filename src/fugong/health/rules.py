"""Who may act on health records. Seeing a row is decided by ``for_user``; these decide actions."""

from __future__ import annotations

import rules

from fugong.accounts.predicates import is_admin, is_command, is_employee, is_enterprise_admin, is_gate, is_grid
from fugong.workforce.rules import administers_enterprise, officer_covers_enterprise

# Closing an alert: the officers over the enterprise and the enterprise's own prevention officer.
rules.add_perm("health.close_alert", is_admin | officer_covers_enterprise | administers_enterprise)

# Lists of check-ins and alerts (and their exports): the command and grid officers (their
# jurisdiction) and the enterprise's prevention officer (its staff). Reviewers decide on
# applications and see no person; gates and employees have their own pages.
watches_health = is_admin | is_command | is_grid | is_enterprise_admin
rules.add_perm("health.list_checkins", watches_health)
rules.add_perm("health.export_checkins", watches_health)
rules.add_perm("health.list_alerts", watches_health)
rules.add_perm("health.export_alerts", watches_health)

# Recording check-ins through the API: whoever has people to record — each item is then looked
# up in ``Person.objects.recordable_by`` (an employee only themself, a gate its enterprise's staff).
rules.add_perm("health.record_checkins", watches_health | is_employee | is_gate)

# The enterprise's table of its staff: its prevention officer, and the officers over it (they
# help small shops), for an enterprise in scope.
rules.add_perm("health.bulk_checkins", watches_health)
rules.add_perm("health.bulk_checkin_enterprise", is_admin | officer_covers_enterprise | administers_enterprise)

# The employee's own check-in page (/health/me/checkin) in the menu.
rules.add_perm("health.checkin_self", is_employee)

# -- daily reports (日报告), see health/reports.py ------------------------------------------------
# Reading reports: the officers over the enterprise and the enterprise (reviewers, employees and
# gate guards see none, as DailyReport.objects.for_user).
rules.add_perm("health.view_daily_reports", is_admin | is_command | is_grid | is_enterprise_admin)
# The town's page of who has (not) reported, and its export.
rules.add_perm("health.view_report_status", is_admin | is_command | is_grid)
# Filing: the enterprise's prevention officer (role, checked before any lookup), for its enterprise.
rules.add_perm("health.file_daily_report", is_admin | is_enterprise_admin)
rules.add_perm("health.file_daily_report_for", is_admin | administers_enterprise)
