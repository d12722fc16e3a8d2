"""Scoping of personal records: the most sensitive rows of the platform."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from fugong.core.models import PersonalQuerySet, ScopedQuerySet
from fugong.enterprises.querysets import region_q


class PersonQuerySet(PersonalQuerySet):
    """Who sees whose personal record (一人一档): :class:`~fugong.core.models.PersonalQuerySet`'s
    rule — officers by jurisdiction, the enterprise admin its staff, an employee their own record.
    Reviewers decide on applications, which need headcounts, not people; gates verify passes,
    which carry an opaque person reference (data minimisation, SPEC.md)."""

    person_field = ""

    def recordable_by(self, user: Any) -> PersonQuerySet:
        """Whose health check-ins ``user`` may record: everyone :meth:`for_user` shows, and for a
        gate guard the staff of its gate's enterprise (temperatures are taken at the gate).

        A separate method rather than a wider ``for_user``: a gate records a temperature for a
        person it is shown, it does not browse the roster (data minimisation, SPEC.md)."""
        return self._visible_to(  # type: ignore[return-value]
            user, lambda scope: self.scope_q(scope) | self.own_q(user, scope) | Q(enterprise_id__in=scope.gate_enterprise_ids))

    def of_enterprise(self, enterprise: Any) -> PersonQuerySet:
        return self.filter(enterprise=enterprise)


# -- passes, classification changes, risk areas, re-evaluation runs (A2) ------------------------


class PassQuerySet(PersonalQuerySet):
    """Passes (出入证), scoped by the enterprise they open."""

    def valid_on(self, day: Any) -> PassQuerySet:
        """Passes that open the gate on ``day``: not revoked, within their dates."""
        return self.filter(revoked_at__isnull=True, valid_from__lte=day, valid_to__gte=day)  # type: ignore[return-value]

    def open_on(self, day: Any) -> PassQuerySet:
        """Passes not revoked whose validity has not ended by ``day`` (a pass starting later counts:
        the person has one already)."""
        return self.filter(revoked_at__isnull=True, valid_to__gte=day)  # type: ignore[return-value]


class ClassificationChangeQuerySet(PersonalQuerySet):
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
