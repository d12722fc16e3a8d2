"""Check-in API: ``POST /api/v1/checkins`` records one check-in or a list of up to 1,000;
``GET`` lists the check-ins in the caller's scope (the pages' filters).

The answer to a POST is one result per item, in order — ``{index, ok, id, created, error,
alert}`` — with **200** when every item was saved and **207 Multi-Status** when at least one was
refused (the others are saved all the same). A body that is not one object or a list of 1 to
1,000 objects is a 400 and saves nothing.

With an ``Idempotency-Key`` header (≤ 128 printable ASCII characters) the first answer is kept
for the policy's ``idempotency_key_hours``: the same key with the same body replays it
(``Idempotent-Replayed: true``), the same key with another body is a 409 and changes nothing.
The 2xx is sent only after the check-ins (and the kept answer) are committed.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from fugong.api.scoping import ScopedViewSetMixin
from fugong.health.authentication import CachedTokenAuthentication
from fugong.health.choices import CheckInSource
from fugong.health.filters import CheckInFilter
from fugong.health.idempotency import Answer, run_once, valid_key
from fugong.health.models import CheckIn
from fugong.health.services import MAX_BATCH, checkin_batch

IDEMPOTENCY_HEADER = "Idempotency-Key"


class CachedTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The check-in endpoint's token in the schema: the same ``Authorization: Token <key>`` header,
    a component of its own name (its class differs from the other endpoints')."""

    target_class = CachedTokenAuthentication
    name = "checkinTokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Token-based authentication with required prefix \"Token\" (the same tokens as tokenAuth)"}


class JSONOnly(BaseContentNegotiation):
    """JSON whatever the client accepts (DRF's "ignore client content negotiation"): the one
    renderer there is, without parsing the Accept header on every check-in."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        return parsers[0]

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class CheckInItemSerializer(serializers.Serializer):
    """One check-in as sent (documentation: items are read by ``health.services.checkin_batch``)."""

    person = serializers.UUIDField(help_text="人员档案编号（Person 的 UUID）")
    temperature = serializers.DecimalField(max_digits=3, decimal_places=1, help_text="体温(℃)，34.0–43.0")
    cough = serializers.BooleanField(required=False, default=False, help_text="咳嗽")
    symptoms = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="其他症状")
    at = serializers.DateTimeField(required=False, help_text="测温时间（ISO 8601；默认为当前时间；不带时区按北京时间）；"
                                                             "不得晚于当前时间超过政策规定的分钟数，不得早于可补报天数")
    slot = serializers.IntegerField(required=False, min_value=1, help_text="时段，1 为上午；默认按北京时间的小时和政策的上午截止时间推算")
    date = serializers.DateField(required=False, help_text="打卡所属日期（默认为 at 的北京时间日期）")


class CheckInResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="在请求中的序号（从 0 起）")
    ok = serializers.BooleanField()
    id = serializers.IntegerField(allow_null=True, help_text="打卡记录编号")
    created = serializers.BooleanField(help_text="新建（false 表示更新了同一时段已有的打卡）")
    error = serializers.CharField(allow_null=True, help_text="未保存的原因")
    alert = serializers.UUIDField(allow_null=True, help_text="发热或症状预警的编号")


class CheckInAnswerSerializer(serializers.Serializer):
    saved = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = CheckInResultSerializer(many=True)


class CheckInSerializer(serializers.ModelSerializer):
    person = serializers.UUIDField(source="person_id", read_only=True)
    enterprise = serializers.IntegerField(source="enterprise_id", read_only=True)

    class Meta:
        model = CheckIn
        fields = ["id", "person", "enterprise", "date", "slot", "temperature", "cough", "symptoms", "source", "recorded_at"]
        read_only_fields = fields


ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="请求体不是一个对象或 1–1,000 个对象的列表，或幂等键格式错误；未保存任何数据")


@extend_schema_view(
    list=extend_schema(summary="健康打卡列表", description="调用者范围内的打卡记录。筛选：q、date、slot、enterprise、source、fever。"),
    create=extend_schema(
        summary="健康打卡（单条或批量）",
        description=__doc__,
        request=CheckInItemSerializer(many=True),
        parameters=[OpenApiParameter(IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
                                     description="幂等键：同一键、同一请求体重放首次应答；同一键、不同请求体返回 409")],
        responses={200: OpenApiResponse(CheckInAnswerSerializer, description="全部保存"),
                   207: OpenApiResponse(CheckInAnswerSerializer, description="部分未保存，见各项 error；其余已保存"),
                   400: ERROR, 409: OpenApiResponse(OpenApiTypes.OBJECT, description="幂等键已用于内容不同的请求")},
    ),
)
class CheckInViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """Check-ins: record (one or many) and list."""

    queryset = CheckIn.objects.all()
    serializer_class = CheckInSerializer
    filterset_class = CheckInFilter
    list_permission = "health.list_checkins"
    create_permission = "health.record_checkins"
    ordering_fields = ["date", "recorded_at"]
    # The hot path of the platform (every worker, twice a day, mostly from devices): JSON only,
    # and the device's token remembered for a few seconds (health.authentication).
    authentication_classes = [CachedTokenAuthentication, SessionAuthentication]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnly

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-date", "-slot", "-pk")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request: Request) -> Response:
        data = request.data
        items = [data] if isinstance(data, dict) else data
        if not isinstance(items, list) or not items:
            raise ValidationError({"detail": "请求体应为一条打卡（对象）或多条打卡（列表）。"})
        if len(items) > MAX_BATCH:
            raise ValidationError({"detail": f"一次最多提交 {MAX_BATCH:,} 条打卡，本次 {len(items):,} 条；请分批提交。"})
        key = request.headers.get(IDEMPOTENCY_HEADER)

        def work() -> Answer:
            results = checkin_batch(items=items, acting_user=request.user, source=CheckInSource.API, request=request)
            saved = sum(1 for result in results if result.ok)
            body = {"saved": saved, "failed": len(results) - saved, "results": [result.as_dict() for result in results]}
            return Answer(200 if saved == len(results) else 207, body)

        if key is None:
            answer = work()
        elif not valid_key(key):
            raise ValidationError({"detail": f"幂等键（{IDEMPOTENCY_HEADER}）应为 1–128 个可打印的 ASCII 字符。"})
        else:
            answer = run_once(user=request.user, key=key, data=data, work=work)
        response = Response(answer.body, status=answer.status)
        # JSON for devices: a Content-Security-Policy header protects nothing here, and building it
        # is a tenth of the request's time on this path.
        response._csp_exempt = True  # type: ignore[attr-defined]
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response
