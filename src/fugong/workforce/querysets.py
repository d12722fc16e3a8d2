"""Scoping of personal records: the most sensitive rows of the platform."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from fugong.core.models import ScopedQuerySet
from fugong.enterprises.querysets import region_q


class PersonQuerySet(ScopedQuerySet):
    """Who sees whose personal record (一人一档).

    - command and grid officers: the staff of enterprises in their jurisdictions;
    - an enterprise admin: their enterprise's staff;
    - an employee: their own record only (``Person.user``), at an enterprise they are still a
      member of;
    - reviewers of the industry departments and gate guards: none. Reviewers decide on
      applications, which need headcounts, not people; gates will verify passes, which carry an
      opaque person reference (data minimisation, SPEC.md).
    """

    def for_user(self, user: Any) -> PersonQuerySet:
        # The employee rule needs the user, not only their scope, so the base method is widened
        # here rather than ``for_scope`` being given a user it cannot get.
        from fugong.accounts.scope import scope_of

        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        scope = scope_of(user)
        if scope.is_admin:
            return self
        query = self._scope_q(scope)
        if scope.employee_enterprise_ids:
            query |= Q(user_id=user.pk, enterprise_id__in=scope.employee_enterprise_ids)
        return self.filter(query)

    def for_scope(self, scope: Any) -> PersonQuerySet:
        """The records a scope covers without knowing who holds it (no employee's own record)."""
        return self.filter(self._scope_q(scope))

    @staticmethod
    def _scope_q(scope: Any) -> Q:
        return region_q(scope.command_paths + scope.grid_paths, "enterprise__region") | Q(enterprise_id__in=scope.enterprise_ids)

    def of_enterprise(self, enterprise: Any) -> PersonQuerySet:
        return self.filter(enterprise=enterprise)
