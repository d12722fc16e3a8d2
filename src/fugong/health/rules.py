"""Who may act on health records. Seeing a row is decided by ``for_user``; these decide actions."""

from __future__ import annotations

import rules

from fugong.accounts.predicates import is_admin
from fugong.workforce.rules import administers_enterprise, officer_covers_enterprise

# Closing an alert: the officers over the enterprise and the enterprise's own prevention officer.
rules.add_perm("health.close_alert", is_admin | officer_covers_enterprise | administers_enterprise)
