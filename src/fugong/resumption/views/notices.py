"""The printed documents of an approved application, and the public page a notice's QR code opens.

The PDFs are for whoever may see the application (404 otherwise). The verification page needs no
login: it finds the notice by its random token (144 bits, so guessing is hopeless and there is
nothing to enumerate) and shows only what the notice on the gate already shows — no contact names
or phone numbers. Validity is derived from the application's status on every visit: a suspended
enterprise's notice reads 已停工 and becomes valid again when it is reinstated."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from fugong.resumption.choices import Status
from fugong.resumption.models import Application, Notice
from fugong.resumption.notices import bus_letter_available, issuing_authority, render_bus_letter_pdf, render_notice_pdf

# What verification_token() produces (token_urlsafe): anything else is refused before the database.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _scoped_application(request: HttpRequest, uuid: Any) -> Application:
    return get_object_or_404(Application.objects.for_user(request.user).select_related("enterprise__town", "enterprise__region"), uuid=uuid)


@login_required
@require_safe
def notice_pdf(request: HttpRequest, uuid: Any) -> HttpResponse:
    application = _scoped_application(request, uuid)
    notice = Notice.objects.filter(application=application, revoked_at__isnull=True).first()
    if notice is None:
        raise Http404("该申请尚未签发复工复产通知书。")
    notice.application = application
    content = render_notice_pdf(notice, request.build_absolute_uri("/"))
    return _pdf_response(content, f"复工复产通知书-{notice.number}.pdf")


@login_required
@require_safe
def bus_letter_pdf(request: HttpRequest, uuid: Any) -> HttpResponse:
    application = _scoped_application(request, uuid)
    if not bus_letter_available(application):
        raise Http404("只有已批准复工并报备通勤班车的申请才有通勤班车使用意见函。")
    content = render_bus_letter_pdf(application, request.build_absolute_uri("/"))
    return _pdf_response(content, f"通勤班车使用意见函-{application.enterprise.name}.pdf")


VALID, REVOKED, SUSPENDED, NOT_VALID = "valid", "revoked", "suspended", "not_valid"


def notice_state(notice: Notice) -> str:
    """有效 / 已撤销 / 企业已停工, from the notice and its application's status as they are now."""
    if notice.revoked_at is not None:
        return REVOKED
    status = notice.application.status
    if status == Status.SUSPENDED:
        return SUSPENDED
    return VALID if status == Status.APPROVED else NOT_VALID


@never_cache
@require_safe
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public: is this notice genuine and in force? One indexed query; no personal data."""
    notice = None
    if TOKEN_SHAPE.match(token):
        notice = (Notice.objects.select_related("application__enterprise__town")
                  .only("number", "issued_at", "revoked_at", "application__status", "application__enterprise__name",
                        "application__enterprise__town__name")
                  .filter(token=token).first())
    if notice is None:
        response = render(request, "resumption/verify.html", {"notice": None}, status=404)
    else:
        response = render(request, "resumption/verify.html", {
            "notice": notice,
            "state": notice_state(notice),
            "enterprise_name": notice.application.enterprise.name,
            "authority": issuing_authority(notice.application),
        })
    # The token is the secret: it must not leak to other sites through the Referer, nor be indexed.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
