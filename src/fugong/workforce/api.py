"""Pass API for gates: verify a token online, fetch the public keys and the revocation list to
verify offline. Every authenticated account (gate devices use API tokens) may call them; a gate
learns the enterprise's name and a masked name, never an ID number or a person id."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fugong.workforce import passes
from fugong.workforce.models import Pass

GENUINE = {passes.VALID, passes.REVOKED, passes.EXPIRED, passes.NOT_YET_VALID}


def mask_name(name: str) -> str:
    """The first character and a star: 张晓明 → 张*."""
    return f"{name[:1]}*" if name else ""


def _pass_id(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except (ValueError, TypeError, AttributeError):
        return None


class VerifyRequest(serializers.Serializer):
    token = serializers.CharField(max_length=passes.MAX_TOKEN_CHARS, trim_whitespace=True)


class VerifyAnswer(serializers.Serializer):
    valid = serializers.BooleanField()
    reason = serializers.CharField()
    enterprise = serializers.CharField(allow_null=True)
    person = serializers.CharField(allow_null=True)
    must_check_temperature = serializers.BooleanField()


def verify(token: str, *, today: date | None = None) -> dict[str, Any]:
    """The gate's answer for a token: signature and validity offline, revocation from the database,
    the names for display only for a genuine pass."""
    today = today or timezone.localdate()

    def issued(pass_id: str) -> bool:
        pk = _pass_id(pass_id)
        return pk is not None and Pass.objects.filter(pk=pk).exists()

    result = passes.verify_token(token, public_keys=passes.public_keys(), today=today, revoked=(), issued=issued)
    answer: dict[str, Any] = {"valid": result.valid, "reason": result.reason, "enterprise": None, "person": None,
                              "must_check_temperature": True}
    if result.reason not in GENUINE or result.payload is None:
        return answer
    pk = _pass_id(result.payload["p"])
    found = Pass.objects.select_related("person", "enterprise").filter(pk=pk).first() if pk else None
    if found is None:  # signed by us but never stored (a database restored from before the issue)
        answer.update(valid=False, reason=passes.FORGED)
        return answer
    if found.revoked_at is not None and result.valid:
        answer.update(valid=False, reason=passes.REVOKED)
    elif found.revoked_at is not None and result.reason in {passes.EXPIRED, passes.NOT_YET_VALID}:
        answer.update(reason=passes.REVOKED)
    answer.update(enterprise=found.enterprise.name, person=mask_name(found.person.name))
    return answer


class PassVerifyView(APIView):
    """Verify the token of a pass (出入证) scanned at a gate."""

    @extend_schema(request=VerifyRequest, responses=VerifyAnswer)
    def post(self, request: Request) -> Response:
        body = VerifyRequest(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(verify(body.validated_data["token"]))


class PassKeysView(APIView):
    """The public keys that sign passes: ``{kid: base64 of the raw Ed25519 public key}``."""

    @extend_schema(responses={200: dict[str, str]})
    def get(self, request: Request) -> Response:
        return Response(passes.published_keys())


class PassRevokedView(APIView):
    """Pass ids revoked on or after ``since`` (an ISO date; all of them without it), for offline gates."""

    @extend_schema(responses={200: dict[str, Any]})
    def get(self, request: Request) -> Response:
        revoked = Pass.objects.filter(revoked_at__isnull=False)
        since_text = request.query_params.get("since")
        since: date | None = None
        if since_text:
            try:
                since = date.fromisoformat(since_text)
            except ValueError:
                raise ValidationError({"since": "日期格式应为 YYYY-MM-DD。"}) from None
            revoked = revoked.filter(revoked_at__date__gte=since)
        ids = [str(pk) for pk in revoked.order_by("revoked_at").values_list("pk", flat=True)]
        return Response({"since": since.isoformat() if since else None, "as_of": timezone.now().isoformat(), "revoked": ids})
