"""Scoping of health records: check-ins and alerts are personal data of an enterprise's staff."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from fugong.core.models import PersonalQuerySet


class EnterpriseHealthQuerySet(PersonalQuerySet):
    """Rows about an enterprise's people (check-ins, alerts): officers by jurisdiction, the
    enterprise admin its staff, an employee their own rows. Reviewers see none (they decide on
    applications, which need headcounts, not people); gates record temperatures through
    ``Person.objects.recordable_by`` but browse no one's history."""


class DailyReportQuerySet(EnterpriseHealthQuerySet):
    """Daily reports are the enterprise's, not a person's: employees see none."""

    def own_q(self, user: Any, scope: Any) -> Q:
        return Q(pk__in=[])
