from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from fugong.accounts.models import Notification
from fugong.accounts.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    user_id: int = getattr(user, "pk", None) or 0
    return {
        "site_name": settings.FUGONG_SITE_NAME,
        "menu": menu_for(user) if signed_in else [],
        # Lazy: only pages that show the badge pay for the count.
        "unread_count": (lambda: Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()) if signed_in else 0,
    }
