"""Audit sign-ins, sign-outs and lockouts; start the absolute session clock at login."""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from fugong.accounts.backends import account_for
from fugong.accounts.middleware import LOGIN_AT, SEEN_AT
from fugong.audit.services import record


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now
    record(action="auth.login", actor=user, obj=user, request=request)


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(action="auth.logout", actor=user, obj=user, request=request)


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: Any, username: str | None = None, **kwargs: Any) -> None:
    # Name the account, never what was typed: that may be a mobile number, or a password typed
    # into the wrong box, and the audit log can never be erased.
    account = account_for(username)
    if account is not None:
        record(action="auth.locked_out", actor=None, obj=account, object_label=account.get_username(), request=request)
    else:
        record(action="auth.locked_out", actor=None, object_label="", data={"account": "unknown"}, request=request)
