"""Idle and absolute session timeouts."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

LOGIN_AT = "fugong_login_at"
SEEN_AT = "fugong_seen_at"


class SessionTimeoutMiddleware:
    """Logs a browser session out after ``SESSION_IDLE_TIMEOUT`` without a request, or
    ``SESSION_ABSOLUTE_TIMEOUT`` after login, whichever comes first. Token-authenticated API
    calls carry no session and are not affected."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            login_at = request.session.get(LOGIN_AT, now)
            seen_at = request.session.get(SEEN_AT, now)
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if now - login_at > absolute:
                logout(request)
                messages.info(request, f"登录已超过 {absolute / 3600:g} 小时，为安全起见已自动退出，请重新登录。")
            elif now - seen_at > idle:
                logout(request)
                messages.info(request, "长时间未操作，已自动退出，请重新登录。")
            else:
                request.session.setdefault(LOGIN_AT, login_at)
                # Write the session at most once a minute to keep reads cheap.
                if now - seen_at > 60 or SEEN_AT not in request.session:
                    request.session[SEEN_AT] = now
        return self.get_response(request)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose otherwise with the language switch.

    Django's LocaleMiddleware follows the browser's Accept-Language, so an official whose
    browser happens to ask for English would get English pages; here only the language cookie
    (set by the switch in the footer) changes the language.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
