"""Who may see the command centre's pages. Which flags, rollups and summaries a user sees is
decided by the scoped querysets; these rules decide the pages and the actions."""

from __future__ import annotations

import rules

from fugong.accounts.predicates import is_admin, is_command, is_enterprise_admin, is_grid, is_reviewer

officials = is_admin | is_command | is_reviewer | is_grid
# The dashboards, the flags ledger and the daily summaries: every official, each for their jurisdiction.
rules.add_perm("command.view_dashboard", officials)
rules.add_perm("command.list_flags", officials)
rules.add_perm("command.export_flags", officials)
rules.add_perm("command.list_summaries", officials)
# Generating a summary on demand: the command (and the platform admin).
rules.add_perm("command.generate_summary", is_admin | is_command)
# An enterprise's placard page with its QR code (the placard itself is public): officials over it
# and the enterprise's own admin.
rules.add_perm("command.view_placard", officials | is_enterprise_admin)
