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
