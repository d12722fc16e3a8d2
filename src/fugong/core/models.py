"""Abstract bases every domain model builds on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from fugong.accounts.models import User


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may see.

    Subclasses implement :meth:`for_scope`; :meth:`for_user` is the only entry point views,
    serializers, forms and tasks acting for a user may start from (NetBox's RestrictedQuerySet).
    """

    def for_user(self, user: User | Any) -> ScopedQuerySet:
        from fugong.accounts.scope import scope_of

        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        scope = scope_of(user)
        if scope.is_admin:
            return self
        return self.for_scope(scope)

    def for_scope(self, scope: Any) -> ScopedQuerySet:  # pragma: no cover - every subclass overrides
        raise NotImplementedError


class PersonalQuerySet(ScopedQuerySet):
    """Rows about people of an enterprise (personal records and what hangs off them).

    - command and grid officers: rows of enterprises in their jurisdictions (``enterprise_field``);
    - an enterprise admin: their enterprise's rows;
    - an employee: their own rows only (``person_field`` → ``Person.user``), at an enterprise they
      are still a member of;
    - reviewers and gate guards: none (data minimisation, SPEC.md).

    Subclasses widen :meth:`scope_q` where a place adds to it (a quarantine site's region). The
    employee rule needs the user, not only their scope, so :meth:`for_user` is widened here rather
    than ``for_scope`` being given a user it cannot get.
    """

    enterprise_field = "enterprise"
    person_field = "person"  # the path to the Person; "" on Person itself

    def scope_q(self, scope: Any) -> models.Q:
        from fugong.enterprises.querysets import region_q

        return (region_q(scope.command_paths + scope.grid_paths, f"{self.enterprise_field}__region")
                | models.Q(**{f"{self.enterprise_field}_id__in": scope.enterprise_ids}))

    def own_q(self, user: Any, scope: Any) -> models.Q:
        """The employee's own rows (none when the user is no employee)."""
        if not scope.employee_enterprise_ids:
            return models.Q(pk__in=[])
        user_field = f"{self.person_field}__user_id" if self.person_field else "user_id"
        return models.Q(**{user_field: user.pk, f"{self.enterprise_field}_id__in": scope.employee_enterprise_ids})

    def for_user(self, user: User | Any) -> PersonalQuerySet:
        return self._visible_to(user, lambda scope: self.scope_q(scope) | self.own_q(user, scope))

    def for_scope(self, scope: Any) -> PersonalQuerySet:
        """The rows a scope covers without knowing who holds it (no employee's own rows)."""
        return self.filter(self.scope_q(scope))

    def _visible_to(self, user: Any, query: Any) -> PersonalQuerySet:
        from fugong.accounts.scope import scope_of

        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        scope = scope_of(user)
        return self if scope.is_admin else self.filter(query(scope))


class TimeStampedModel(models.Model):
    """Created and updated times, and who created the row."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True
