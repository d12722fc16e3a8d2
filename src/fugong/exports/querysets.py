"""An export job is its owner's alone: not even the platform admin sees another user's file."""

from __future__ import annotations

from typing import Any

from fugong.core.models import ScopedQuerySet


class ExportJobQuerySet(ScopedQuerySet):
    def for_user(self, user: Any) -> ExportJobQuerySet:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(user=user)

    def for_scope(self, scope: Any) -> ExportJobQuerySet:
        return self.none()  # a scope owns no export: only a user does (for_user)
