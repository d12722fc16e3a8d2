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

import functools
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from fugong.accounts.scope import scope_of
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
        answer = answer_post(request.data, user=request.user, key=request.headers.get(IDEMPOTENCY_HEADER), request=request)
        response = Response(answer.body, status=answer.status)
        # JSON for devices: a Content-Security-Policy header protects nothing here, and building it
        # is a tenth of the request's time on this path.
        response._csp_exempt = True  # type: ignore[attr-defined]
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def answer_post(data: Any, *, user: Any, key: str | None, request: Any) -> Answer:
    """The answer to ``POST /api/v1/checkins`` with body ``data`` (already parsed), for both ways
    in: the DRF viewset (sessions) and :func:`device_post` (tokens). ValidationError for a body
    that is not one object or 1–1,000 objects, or a malformed idempotency key."""
    items = [data] if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise ValidationError({"detail": "请求体应为一条打卡（对象）或多条打卡（列表）。"})
    if len(items) > MAX_BATCH:
        raise ValidationError({"detail": f"一次最多提交 {MAX_BATCH:,} 条打卡，本次 {len(items):,} 条；请分批提交。"})

    def work() -> Answer:
        results = checkin_batch(items=items, acting_user=user, source=CheckInSource.API, request=request)
        saved = sum(1 for result in results if result.ok)
        body = {"saved": saved, "failed": len(results) - saved, "results": [result.as_dict() for result in results]}
        return Answer(200 if saved == len(results) else 207, body)

    if key is None:
        return work()
    if not valid_key(key):
        raise ValidationError({"detail": f"幂等键（{IDEMPOTENCY_HEADER}）应为 1–128 个可打印的 ASCII 字符。"})
    return run_once(user=user, key=key, data=data, work=work)


# -- the devices' way in ---------------------------------------------------------------------------

_device_auth = CachedTokenAuthentication()


def _json(body: Any, status: int, **headers: str) -> HttpResponse:
    response = HttpResponse(json.dumps(body, ensure_ascii=False, cls=DjangoJSONEncoder), status=status,
                            content_type="application/json")
    response._csp_exempt = True  # type: ignore[attr-defined]
    for name, value in headers.items():
        response[name] = value
    return response


def device_post(request: HttpRequest) -> HttpResponse:
    """``POST /api/v1/checkins`` with ``Authorization: Token …``: every worker twice a day, mostly
    from gate devices and phone apps. A plain Django view doing what the viewset does for such a
    request — token (remembered, :mod:`fugong.health.authentication`), permission, JSON body,
    :func:`answer_post` — with the same answers (401, 403, 400, 415, 409, 200/207) but without
    DRF's request wrapping, negotiation, parser and renderer machinery, which took two fifths of
    the request's CPU (bench/checkins.py). Session callers keep the viewset (CSRF and all)."""
    try:
        # DRF's token authentication reads only the Authorization header of request.META.
        user, _token = _device_auth.authenticate(request) or (None, None)  # type: ignore[arg-type]
    except AuthenticationFailed as exc:
        return _json({"detail": exc.detail}, 401, **{"WWW-Authenticate": "Token"})
    if user is None:
        return _json({"detail": "身份认证信息未提供。"}, 401, **{"WWW-Authenticate": "Token"})
    request.user = user  # what the audit of an alert this raises names
    if not may_record(user):
        return _json({"detail": "无权新建。"}, 403)
    if request.content_type != "application/json":
        return _json({"detail": f"不支持请求中的媒体类型 “{request.content_type}”。"}, 415)
    try:
        data = json.loads(request.body, parse_constant=_no_constant)
    except ValueError as exc:
        return _json({"detail": f"JSON 解析错误：{exc}"}, 400)
    try:
        # META rather than request.headers, which builds a dict of every header first.
        answer = answer_post(data, user=user, key=request.META.get("HTTP_IDEMPOTENCY_KEY"), request=request)
    except ValidationError as exc:
        return _json(exc.detail, 400)
    return _json(answer.body, answer.status, **({"Idempotent-Replayed": "true"} if answer.replayed else {}))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} 不是合法的 JSON 数值")  # NaN and Infinity: JSON has none (as DRF's parser)


def may_record(user: Any) -> bool:
    """``health.record_checkins`` for ``user``, kept with the remembered scope (the rule is a
    function of the memberships, which the scope was computed from)."""
    extra = scope_of(user).extra
    if "health.may_record" not in extra:
        extra["health.may_record"] = user.has_perm("health.record_checkins")
    return bool(extra["health.may_record"])


def checkins_endpoint(viewset_view: Callable[..., Any]) -> Callable[..., Any]:
    """The view of ``/api/v1/checkins``: token POSTs to :func:`device_post`, everything else
    (lists, session POSTs, other methods) to ``viewset_view``. It carries the viewset view's
    attributes, so the schema generator and CSRF exemption see the viewset."""

    def endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and request.META.get("HTTP_AUTHORIZATION", "").startswith("Token "):
            return device_post(request)
        return viewset_view(request, *args, **kwargs)  # type: ignore[no-any-return]

    return functools.wraps(viewset_view)(endpoint)
