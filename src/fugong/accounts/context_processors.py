from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from fugong.accounts.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "site_name": settings.FUGONG_SITE_NAME,
        "menu": menu_for(user) if user is not None and user.is_authenticated else [],
    }
