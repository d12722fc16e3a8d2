"""WSGI entry point: ``granian --interface wsgi fugong.wsgi:application`` (see docs/deploy.md).

Devices posting check-ins with an API token (``POST /api/v1/checkins``, ``Authorization: Token …``)
are every worker twice a day. They are served by a second Django handler of the same project whose
middleware is only what such a request needs (``DEVICE_MIDDLEWARE``): no session, messages,
locale, CSRF, clickjacking, CSP or lockout middleware, each of which does nothing for a token-
authenticated JSON request but costs a fifth of its time. Everything else — pages, session-
authenticated API calls, other endpoints — goes through the full handler.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fugong.settings")
application_full = get_wsgi_application()

DEVICE_PATH = "/api/v1/checkins"
DEVICE_MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", "django.middleware.common.CommonMiddleware"]


class DeviceHandler(WSGIHandler):
    """The project's handler with ``DEVICE_MIDDLEWARE`` instead of ``settings.MIDDLEWARE``."""

    def load_middleware(self, is_async: bool = False) -> None:
        from django.conf import settings

        # Django builds the chain from settings.MIDDLEWARE, once, at start: swap it for the call.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = DEVICE_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


device_application = DeviceHandler()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == DEVICE_PATH and environ.get("HTTP_AUTHORIZATION", "").startswith("Token "):
        return device_application(environ, start_response)
    return application_full(environ, start_response)


# Each server worker imports this module once: freeze what the import made out of the collector's
# scans, and collect the young generation less often — a request makes thousands of short-lived
# objects (bench/checkins.py: about 5 % more check-ins per second).
gc.freeze()
gc.set_threshold(50_000, 20, 20)
