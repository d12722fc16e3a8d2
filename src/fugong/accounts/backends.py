"""Sign in with a username or an 11-digit mobile number."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


def account_for(identifier: str | None) -> Any:
    """The account a typed username or 11-digit mobile number names, or None."""
    if not identifier:
        return None
    identifier = identifier.strip()
    field = "mobile" if identifier.isdigit() and len(identifier) == 11 else "username"
    return get_user_model()._default_manager.filter(**{field: identifier}).first()


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the account's username for whatever was typed, so that failures
    typed with the username and with the mobile number count against the same account."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = getattr(request, "data", request.POST).get("username")
    account = account_for(typed)
    return account.get_username() if account is not None else typed


class UsernameOrMobileBackend(ModelBackend):
    """Like Django's ModelBackend, but a mobile number works where a username is asked for."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any) -> Any:
        if username is None or password is None:
            return None
        user = account_for(username)
        if user is None:
            get_user_model()().set_password(password)  # same work as a real check, against timing probes
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
