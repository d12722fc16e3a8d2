"""Sign in with a username or an 11-digit mobile number."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class UsernameOrMobileBackend(ModelBackend):
    """Like Django's ModelBackend, but a mobile number works where a username is asked for."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any) -> Any:
        if username is None or password is None:
            return None
        model = get_user_model()
        username = username.strip()
        field = "mobile" if username.isdigit() and len(username) == 11 else "username"
        try:
            user = model._default_manager.get(**{field: username})
        except model.DoesNotExist:
            model().set_password(password)  # same work as a real check, against timing probes
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
