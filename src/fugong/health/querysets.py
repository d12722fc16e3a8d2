"""Scoping of health records: check-ins and alerts are personal data of an enterprise's staff."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from fugong.core.models import ScopedQuerySet
from fugong.enterprises.querysets import region_q


class EnterpriseHealthQuerySet(ScopedQuerySet):
    """Rows about an enterprise's people (check-ins, alerts).

    - command and grid officers: enterprises in their jurisdictions;
    - an enterprise admin: their enterprise;
    - a gate guard: the enterprise of their gate;
    - an employee: their own rows only (``person__user``);
    - reviewers: none (they decide on applications, which need headcounts, not people).
    """

    person_field = "person"

    def for_user(self, user: Any) -> EnterpriseHealthQuerySet:
        from fugong.accounts.scope import scope_of

        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        scope = scope_of(user)
        if scope.is_admin:
            return self
        query = self._scope_q(scope)
        if scope.employee_enterprise_ids:
            query |= Q(**{f"{self.person_field}__user_id": user.pk, "enterprise_id__in": scope.employee_enterprise_ids})
        return self.filter(query)

    def for_scope(self, scope: Any) -> EnterpriseHealthQuerySet:
        return self.filter(self._scope_q(scope))

    @staticmethod
    def _scope_q(scope: Any) -> Q:
        return (
            region_q(scope.command_paths + scope.grid_paths, "enterprise__region")
            | Q(enterprise_id__in=scope.enterprise_ids)
            | Q(enterprise_id__in=scope.gate_enterprise_ids)
        )
