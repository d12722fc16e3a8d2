"""Middleware of our own around third-party ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import csp.middleware
import csp.utils
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from pghistory.middleware import HistoryMiddleware as PghistoryMiddleware


class HistoryMiddleware(PghistoryMiddleware):
    """pghistory's request context (who changed a tracked row, from which URL), except on paths
    that write no tracked table (``settings.UNTRACKED_PATHS``: the check-in API).

    Inside the context pghistory prefixes every SQL statement with the context's JSON, so each
    statement's text differs per request: the check-in path, which is every worker twice a day,
    would pay for that on every query and could never reuse a prepared statement."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        self.untracked = tuple(getattr(settings, "UNTRACKED_PATHS", ()))

    def __call__(self, request: HttpRequest) -> Any:
        if request.path.startswith(self.untracked):
            return self.get_response(request)
        return super().__call__(request)


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp, with our one fixed policy built once per process instead of on every response.

    django-csp rebuilds the header text for every response, exempt or not (a tenth of a check-in's
    time). We use neither nonces nor per-view policy changes, so the text never varies; a response
    that does carry django-csp's per-view attributes, or a request that asked for a nonce, goes
    through django-csp unchanged. ``response._csp_exempt`` is honoured as django-csp does."""

    PER_VIEW = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        self.policy = csp.utils.build_policy()
        self.excluded = tuple((getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
        self.fixed = not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)

    def process_response(self, request: HttpRequest, response: Any) -> Any:
        if not self.fixed or getattr(request, "_csp_nonce", None) is not None or any(hasattr(response, a) for a in self.PER_VIEW):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (404, 500):  # Django's debug pages, as django-csp
            return response
        if (self.policy and not getattr(response, "_csp_exempt", False) and csp.middleware.HEADER not in response
                and not request.path_info.startswith(self.excluded)):
            response[csp.middleware.HEADER] = self.policy
        request.csp_nonce = csp.middleware.CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
