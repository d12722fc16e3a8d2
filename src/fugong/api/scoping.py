"""The one scoping mixin every API viewset inherits."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import PermissionDenied


class ScopedViewSetMixin:
    """``get_queryset`` starts from ``model.objects.for_user``, so an object outside the caller's
    scope is a 404 exactly as on the pages. ``list_permission`` guards the list itself."""

    queryset: QuerySet[Any]
    list_permission: str | None = None
    request: Any

    def get_queryset(self) -> QuerySet[Any]:
        return self.queryset.model.objects.for_user(self.request.user).all()

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if self.list_permission and not request.user.has_perm(self.list_permission):
            raise PermissionDenied("无权查看该列表。")
        return super().list(request, *args, **kwargs)  # type: ignore[misc]
