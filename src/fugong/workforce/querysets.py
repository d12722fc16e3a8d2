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

    def recordable_by(self, user: Any) -> PersonQuerySet:
        """Whose health check-ins ``user`` may record: everyone :meth:`for_user` shows, and for a
        gate guard the staff of its gate's enterprise (temperatures are taken at the gate).

        A separate method rather than a wider ``for_user``: a gate records a temperature for a
        person it is shown, it does not browse the roster (data minimisation, SPEC.md)."""
        from fugong.accounts.scope import scope_of

        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        scope = scope_of(user)
        if scope.is_admin:
            return self
        query = self._scope_q(scope) | Q(enterprise_id__in=scope.gate_enterprise_ids)
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


# -- passes, classification changes, risk areas, re-evaluation runs (A2) ------------------------


class _PersonalRowQuerySet(ScopedQuerySet):
    """Rows about one person of an enterprise, scoped like :class:`PersonQuerySet`: officers by
    jurisdiction, the enterprise admin its enterprise, an employee their own rows; reviewers and
    gate guards none (a gate verifies passes through the API, which needs no listing)."""

    enterprise_field = "enterprise"
    person_field = "person"

    def for_user(self, user: Any) -> _PersonalRowQuerySet:
        from fugong.accounts.scope import scope_of

        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        scope = scope_of(user)
        if scope.is_admin:
            return self
        query = self._scope_q(scope)
        if scope.employee_enterprise_ids:
            query |= Q(**{f"{self.person_field}__user_id": user.pk, f"{self.enterprise_field}_id__in": scope.employee_enterprise_ids})
        return self.filter(query)

    def for_scope(self, scope: Any) -> _PersonalRowQuerySet:
        return self.filter(self._scope_q(scope))

    def _scope_q(self, scope: Any) -> Q:
        return (region_q(scope.command_paths + scope.grid_paths, f"{self.enterprise_field}__region")
                | Q(**{f"{self.enterprise_field}_id__in": scope.enterprise_ids}))


class PassQuerySet(_PersonalRowQuerySet):
    """Passes (出入证), scoped by the enterprise they open."""

    def valid_on(self, day: Any) -> PassQuerySet:
        """Passes that open the gate on ``day``: not revoked, within their dates."""
        return self.filter(revoked_at__isnull=True, valid_from__lte=day, valid_to__gte=day)  # type: ignore[return-value]

    def open_on(self, day: Any) -> PassQuerySet:
        """Passes not revoked whose validity has not ended by ``day`` (a pass starting later counts:
        the person has one already)."""
        return self.filter(revoked_at__isnull=True, valid_to__gte=day)  # type: ignore[return-value]


class ClassificationChangeQuerySet(_PersonalRowQuerySet):
    """Changes of a person's classification, scoped by the person's enterprise."""

    enterprise_field = "person__enterprise"


class RiskAreaQuerySet(ScopedQuerySet):
    """The risk-area list is national data (the province publishes it; a trip anywhere may hit
    it): every officer who classifies or approves passes reads all of it; others none."""

    def for_scope(self, scope: Any) -> RiskAreaQuerySet:
        from fugong.accounts.choices import Role

        return self if scope.roles & {Role.COMMAND, Role.GRID} else self.none()  # type: ignore[return-value]


class ReevaluationRunQuerySet(ScopedQuerySet):
    """Re-evaluation runs an officer may follow: the platform-wide ones (risk-area list, base
    policy) and those of a county policy whose county overlaps their jurisdiction. Which
    persons changed is narrowed again on the changes themselves."""

    def for_scope(self, scope: Any) -> ReevaluationRunQuerySet:
        paths = scope.command_paths + scope.grid_paths
        if not paths:
            return self.none()  # type: ignore[return-value]
        query = Q(region__isnull=True) | region_q(paths, "region")
        for path in paths:  # the county above a town's or a grid's officer
            codes = [code for code in path.strip("/").split("/") if code]
            query |= Q(region__code__in=codes)
        return self.filter(query)  # type: ignore[return-value]
