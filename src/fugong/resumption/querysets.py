"""Scoping of applications and everything hanging off them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from fugong.core.models import ScopedQuerySet
from fugong.enterprises.querysets import region_q


def application_q(scope: Any, prefix: str = "") -> Q:
    """Applications a scope may see: officials by the enterprise's place (reviewers only those
    routed to their department), enterprise admins their own enterprise's."""
    enterprise = f"{prefix}enterprise"
    officers = scope.command_paths + scope.grid_paths
    query = region_q(officers, f"{enterprise}__region") | Q(**{f"{enterprise}_id__in": scope.enterprise_ids})
    if scope.department_ids:
        query |= Q(**{f"{prefix}steps__department_id__in": scope.department_ids}) & region_q(scope.reviewer_paths, f"{enterprise}__region")
    return query


class ApplicationQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Any) -> ApplicationQuerySet:
        return self.filter(application_q(scope)).distinct()  # type: ignore[return-value]


class ApplicationChildQuerySet(ScopedQuerySet):
    """Rows that belong to an application (attachments, steps, notices): visible with it."""

    def for_scope(self, scope: Any) -> ApplicationChildQuerySet:
        from fugong.resumption.models import Application

        return self.filter(application__in=Application.objects.for_scope(scope).values("pk"))  # type: ignore[return-value]
