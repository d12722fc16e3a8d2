"""Gate API: a gate device (or a guard's phone app) posts what it scanned and measured and gets
the same answer as the gate page, from the same service (:func:`fugong.gates.services.gate_scan`).

Devices authenticate with the API token of the gate's account (``Authorization: Token <key>``).
Anyone who guards no gate is refused before the gate is looked up (the same 403 for every gate);
a gate the caller does not guard is a 404, exactly as on the pages.

A device on a poor connection sends an ``Idempotency-Key`` header (≤ 128 printable ASCII
characters, as for check-ins: :mod:`fugong.health.idempotency`): a retry after a lost answer
replays the first answer (``Idempotent-Replayed: true``) instead of logging the passage twice.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fugong.gates.choices import Direction, Outcome
from fugong.gates.selectors import visible_gates
from fugong.gates.services import GateAnswer, gate_scan
from fugong.health.idempotency import Answer, run_once, valid_key

IDEMPOTENCY_HEADER = "Idempotency-Key"


class GateScanRequest(serializers.Serializer):
    token = serializers.CharField(max_length=2048, allow_blank=True, trim_whitespace=True, help_text="二维码内容（出入证令牌）")
    temperature = serializers.CharField(max_length=8, required=False, allow_blank=True, allow_null=True, default=None,
                                        help_text="体温(℃)，如 36.5；进门必填，出门可不填")
    direction = serializers.ChoiceField(choices=Direction.choices, default=Direction.IN)


class GateScanAnswer(serializers.Serializer):
    valid = serializers.BooleanField(help_text="出入证核验是否通过")
    reason = serializers.CharField(help_text="出入证核验结果：有效、已吊销、已过期、尚未生效、伪造、被篡改、格式错误、未知密钥")
    enterprise = serializers.CharField(allow_null=True)
    person = serializers.CharField(allow_null=True, help_text="姓名（已脱敏，如 张*）")
    allowed = serializers.BooleanField(help_text="是否放行")
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    message = serializers.CharField(help_text="放行 / 禁止入内 / 出门登记")
    detail = serializers.CharField(allow_blank=True, help_text="拒绝或提示的原因，如 体温 38.1℃ 发热，禁止入内，已生成预警")
    advice = serializers.ListField(child=serializers.CharField(), help_text="门岗下一步怎么做")
    temperature = serializers.CharField(allow_null=True)
    fever = serializers.BooleanField()
    alert = serializers.CharField(allow_null=True, help_text="生成的发热预警编号")
    passage = serializers.UUIDField(help_text="通行记录编号")
    at = serializers.DateTimeField()


def _alert_ref(alert: Any) -> str | None:
    """The alert's public number (its UUID: an alert is about a person's health, so no counter)."""
    return None if alert is None else str(getattr(alert, "uuid", None) or alert.pk)


def answer_json(answer: GateAnswer) -> dict[str, Any]:
    passage = answer.passage
    return {
        "valid": bool(answer.valid), "reason": answer.verification, "enterprise": answer.enterprise, "person": answer.person,
        "allowed": answer.allowed, "outcome": passage.outcome, "message": answer.headline, "detail": passage.reason,
        "advice": list(answer.advice), "temperature": str(passage.temperature) if passage.temperature is not None else None,
        "fever": passage.fever, "alert": _alert_ref(answer.alert), "passage": str(passage.pk),
        "at": passage.at.isoformat(),
    }


class GateScanView(APIView):
    """Scan a pass at a gate: verify it, take the temperature, let the worker in or refuse them."""

    @extend_schema(request=GateScanRequest, responses={200: GateScanAnswer, 400: OpenApiResponse(description="缺少二维码或体温，或体温无法识别"),
                                                       403: OpenApiResponse(description="不是该门岗的值守账号"),
                                                       404: OpenApiResponse(description="门岗不存在或不在本账号范围内")})
    def post(self, request: Request, pk: int) -> Response:
        if not request.user.has_perm("gates.use_gate"):
            raise PermissionDenied("只有门岗值守账号可以登记通行。")
        gate = get_object_or_404(visible_gates(request.user), pk=pk)
        body = GateScanRequest(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data

        def work() -> Answer:
            try:
                answer = gate_scan(gate=gate, token=values["token"], temperature=values.get("temperature"), direction=values["direction"],
                                   acting_user=request.user, request=request)
            except DjangoPermissionDenied as exc:
                raise PermissionDenied(str(exc)) from None
            except DjangoValidationError as exc:
                raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}) from None
            return Answer(200, answer_json(answer))

        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            result = work()
        elif not valid_key(key):
            raise ValidationError({"detail": f"幂等键（{IDEMPOTENCY_HEADER}）应为 1–128 个可打印的 ASCII 字符。"})
        else:
            # The gate is part of what was asked: one key, the same body at another gate, is another request.
            result = run_once(user=request.user, key=key, data={"gate": gate.pk, **dict(values)}, work=work)
        response = Response(result.body, status=result.status)
        if result.replayed:
            response["Idempotent-Replayed"] = "true"
        return response
