"""The one scoping mixin every API viewset inherits."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import PermissionDenied


class ScopedViewSetMixin:
    """``get_queryset`` starts from ``model.objects.for_user``, so an object outside the caller's
    scope is a 404 exactly as on the pages. ``list_permission`` guards the list itself,
    ``create_permission`` a new object and ``change_permission`` (a rule on the object) a change.
    Like the pages, they are decided before the request body is read: a caller who may not do
    something gets 403 whatever it sent, not a 400 about the body."""

    queryset: QuerySet[Any]
    list_permission: str | None = None
    create_permission: str | None = None
    change_permission: str | None = None
    request: Any
    action: str

    def get_queryset(self) -> QuerySet[Any]:
        return self.queryset.model.objects.for_user(self.request.user).all()

    def check_permissions(self, request: Any) -> None:
        super().check_permissions(request)  # type: ignore[misc]
        if self.action == "list" and self.list_permission and not request.user.has_perm(self.list_permission):
            raise PermissionDenied("无权查看该列表。")
        if self.action == "create" and self.create_permission and not request.user.has_perm(self.create_permission):
            raise PermissionDenied("无权新建。")

    def check_object_permissions(self, request: Any, obj: Any) -> None:
        super().check_object_permissions(request, obj)  # type: ignore[misc]
        # Out of scope is already a 404 by now; in scope but not changeable is a 403.
        if self.action in {"update", "partial_update"} and self.change_permission and not request.user.has_perm(self.change_permission, obj):
            raise PermissionDenied("无权修改。")
