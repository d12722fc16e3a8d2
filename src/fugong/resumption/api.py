"""Resumption application API: the pages' scope, filters and services.

Reads are scoped by construction (``Application.objects.for_user``): an application outside the
caller's scope, or not routed to a reviewer's department, is a 404. Transitions are POST actions
calling the same services as the pages; their refusals map to HTTP as the pages word them:
a service's ValidationError → 400, PermissionDenied → 403, a state that does not allow the
transition (django-fsm's TransitionNotAllowed, or a state checked before calling) → 409, each
with a Chinese ``detail``. A submission refused by the pre-submission checks → 400 with the
blocking ``checks``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django_fsm import TransitionNotAllowed
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from fugong.accounts.scope import scope_of
from fugong.api.scoping import ScopedViewSetMixin
from fugong.policy.decisions import Check
from fugong.resumption import services
from fugong.resumption.choices import MATERIAL_UNITS, OPEN_FOR_EDIT, UNDER_REVIEW, Decision, MaterialItem, Stage, Status, StepStatus
from fugong.resumption.filters import ApplicationFilter
from fugong.resumption.models import Application, Attachment, MaterialReserve, ReturnPlanEntry, ReviewStep, Suspension
from fugong.resumption.rules import commands_applicant
from fugong.resumption.selectors import in_scope, with_current_step


class Conflict(APIException):
    """The application is not in a state that allows the transition (HTTP 409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "申请当前状态不允许该操作，未作任何更改。"
    default_code = "conflict"


def _state_conflict(application: Application, doing: str = "进行该操作") -> Conflict:
    # Read the status again: after a refused transition the instance may be stale.
    current = Application.objects.filter(pk=application.pk).values_list("status", flat=True).first() or application.status
    return Conflict(f"申请当前状态为“{Status(current).label}”，不能{doing}，未作任何更改。")


# -- read serializers -------------------------------------------------------------------------------


class CurrentStepSerializer(serializers.Serializer):
    """The step the application waits on, from the list's annotations."""

    stage = serializers.ChoiceField(choices=Stage.choices)
    stage_display = serializers.CharField()
    department = serializers.CharField(allow_null=True)
    region = serializers.CharField(allow_null=True)
    opened_at = serializers.DateTimeField(allow_null=True)


class ApplicationListSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    enterprise_id = serializers.IntegerField(read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    enterprise_uscc = serializers.CharField(source="enterprise.uscc", read_only=True)
    sector = serializers.CharField(source="enterprise.sector", read_only=True)
    size = serializers.CharField(source="enterprise.size", read_only=True)
    town = serializers.CharField(source="enterprise.town.code", read_only=True)
    town_name = serializers.CharField(source="enterprise.town.name", read_only=True)
    current_step = serializers.SerializerMethodField()
    notice_number = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = ["uuid", "number", "status", "status_display", "enterprise_id", "enterprise_name", "enterprise_uscc", "sector", "size",
                  "town", "town_name", "planned_start", "needs_county", "submission_count", "submitted_at", "decided_at", "current_step",
                  "notice_number", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(CurrentStepSerializer(allow_null=True))
    def get_current_step(self, application: Application) -> dict[str, Any] | None:
        stage = getattr(application, "step_stage", None)
        if not stage:
            return None
        return {"stage": stage, "stage_display": Stage(stage).label, "department": application.step_department,  # type: ignore[attr-defined]
                "region": application.step_region, "opened_at": application.step_opened_at}  # type: ignore[attr-defined]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_notice_number(self, application: Application) -> str | None:
        return application.notice.number if _has_notice(application) else None


def _has_notice(application: Application) -> bool:
    try:
        application.notice  # noqa: B018 - the reverse one-to-one raises when there is none
    except Application.notice.RelatedObjectDoesNotExist:
        return False
    return True


class ReserveSerializer(serializers.ModelSerializer):
    item_display = serializers.CharField(source="get_item_display", read_only=True)
    unit = serializers.SerializerMethodField()

    class Meta:
        model = MaterialReserve
        fields = ["item", "item_display", "quantity", "unit"]
        read_only_fields = fields

    def get_unit(self, reserve: MaterialReserve) -> str:
        return MATERIAL_UNITS.get(MaterialItem(reserve.item), "") if reserve.item in MaterialItem.values else ""


class ReturnPlanSerializer(serializers.ModelSerializer):
    origin_display = serializers.CharField(source="get_origin_display", read_only=True)

    class Meta:
        model = ReturnPlanEntry
        fields = ["return_date", "origin", "origin_display", "count"]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Attachment
        fields = ["uuid", "kind", "kind_display", "original_name", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


class StepSerializer(serializers.ModelSerializer):
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    actor = serializers.CharField(source="actor_label", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True, allow_null=True, default=None)
    region = serializers.CharField(source="region.code", read_only=True, allow_null=True, default=None)
    decided_by = serializers.CharField(source="decided_by.display_name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ReviewStep
        fields = ["id", "round", "order", "stage", "stage_display", "actor", "department", "region", "status", "status_display",
                  "opened_at", "decided_at", "decided_by", "comment"]
        read_only_fields = fields


class CheckSerializer(serializers.Serializer):
    """One pre-submission check (``policy.decisions.Check``): ``level`` is ok, warning or error."""

    code = serializers.CharField()
    ok = serializers.BooleanField()
    blocking = serializers.BooleanField()
    level = serializers.ChoiceField(choices=["ok", "warning", "error"])
    message = serializers.CharField()
    rule = serializers.ListField(child=serializers.CharField())


class NoticeSerializer(serializers.Serializer):
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)


class SuspensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Suspension
        fields = ["reason", "suspended_at", "lifted_reason", "lifted_at"]
        read_only_fields = fields


class ApplicationDetailSerializer(ApplicationListSerializer):
    """Everything the enterprise filed, the steps of the current round, and — while it can still
    be changed — the checks that would stop or warn a submission now."""

    returning_headcount = serializers.IntegerField(read_only=True)
    reserves = ReserveSerializer(many=True, read_only=True)
    return_plan = ReturnPlanSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    steps = serializers.SerializerMethodField()
    checks = serializers.SerializerMethodField()
    notice = serializers.SerializerMethodField()
    suspensions = SuspensionSerializer(many=True, read_only=True)

    class Meta(ApplicationListSerializer.Meta):
        fields = [*ApplicationListSerializer.Meta.fields, *services.FORM_FIELDS, "returning_headcount", "reserves", "return_plan",
                  "attachments", "steps", "checks", "notice", "suspensions"]
        read_only_fields = fields

    @extend_schema_field(CurrentStepSerializer(allow_null=True))
    def get_current_step(self, application: Application) -> dict[str, Any] | None:
        step = next((s for s in self._round(application) if s.status == StepStatus.PENDING), None)
        if step is None:
            return None
        return {"stage": step.stage, "stage_display": step.get_stage_display(), "department": step.department.name if step.department else None,
                "region": step.region.name if step.region else None, "opened_at": step.opened_at}

    @staticmethod
    def _round(application: Application) -> list[ReviewStep]:
        return sorted((s for s in application.steps.all() if s.round == application.submission_count), key=lambda s: s.order)

    @extend_schema_field(StepSerializer(many=True))
    def get_steps(self, application: Application) -> list[dict[str, Any]]:
        return StepSerializer(self._round(application), many=True).data  # type: ignore[return-value]

    @extend_schema_field(CheckSerializer(many=True, allow_null=True))
    def get_checks(self, application: Application) -> list[dict[str, Any]] | None:
        if application.status not in OPEN_FOR_EDIT:
            return None
        return [check_data(c) for c in services.checks_for(application)]

    @extend_schema_field(NoticeSerializer(allow_null=True))
    def get_notice(self, application: Application) -> dict[str, Any] | None:
        if not _has_notice(application):
            return None
        notice = application.notice
        return {"number": notice.number, "issued_at": notice.issued_at, "revoked_at": notice.revoked_at}


def check_data(check: Check) -> dict[str, Any]:
    return {"code": check.code, "ok": check.ok, "blocking": check.blocking, "level": check.level, "message": check.message,
            "rule": list(check.rule)}


# -- action payloads and answers ----------------------------------------------------------------------


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices, help_text="approve 通过 / return 退回修改 / reject 不予批准")
    comment = serializers.CharField(max_length=2000, help_text="审核意见（必填）", error_messages={"blank": "请填写审核意见。"})
    step = serializers.IntegerField(required=False, help_text="审核时看到的环节 id（可选）：环节已被他人处理时不作更改，返回 409")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="停工原因 / 复产说明（必填）", error_messages={"blank": "请填写原因。"})


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class RefusedCheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class SubmissionRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    checks = RefusedCheckSerializer(many=True)


ERRORS = {
    403: OpenApiResponse(ErrorSerializer, description="无权进行该操作"),
    404: OpenApiResponse(ErrorSerializer, description="不在您的范围内"),
    409: OpenApiResponse(ErrorSerializer, description="申请当前状态不允许该操作"),
}


@extend_schema_view(
    list=extend_schema(summary="复工申请列表", description="调用者范围内的复工申请。筛选：q、status、town（镇街 id）、sector、size、overdue。"),
    retrieve=extend_schema(summary="复工申请详情",
                           description="申报内容、物资储备、返岗计划、当前轮次审核环节、通知书编号；草稿和退回修改时附提交前检查结果（checks）。"),
)
class ApplicationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Resumption applications in the caller's scope, and their transitions."""

    queryset = Application.objects.all()
    lookup_field = "uuid"
    filterset_class = ApplicationFilter
    list_permission = "resumption.list_applications"
    ordering_fields = ["submitted_at", "updated_at", "planned_start", "number", "decided_at"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return ApplicationListSerializer if self.action == "list" else ApplicationDetailSerializer

    def get_queryset(self) -> QuerySet[Application]:
        # ``for_user`` as a semi-join (selectors.in_scope): the reviewers' scoping joins the review
        # steps and needs DISTINCT, which the annotations, ordering and counts below are better without.
        queryset = in_scope(self.request.user).select_related("enterprise__town", "notice")
        if self.action == "list":
            return with_current_step(queryset)  # the list's current step and the overdue filter read these annotations
        steps = ReviewStep.objects.select_related("department", "region", "decided_by")
        return queryset.prefetch_related(Prefetch("steps", queryset=steps), "reserves", "return_plan", "attachments", "suspensions")

    def _answer(self, application: Application) -> Response:
        fresh = self.get_queryset().get(pk=application.pk)
        return Response(ApplicationDetailSerializer(fresh, context=self.get_serializer_context()).data)

    def _run(self, service: Any, doing: str, *, application: Application, refusal_is_conflict: bool = False, **kwargs: Any) -> Any:
        """Call the service for the caller. ``refusal_is_conflict``: the payload was validated
        already, so a ValidationError can only mean the application changed meanwhile."""
        try:
            return service(application=application, acting_user=self.request.user, request=self.request, **kwargs)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc) or "无权进行该操作。") from None
        except TransitionNotAllowed:
            raise _state_conflict(application, doing) from None
        except DjangoValidationError as exc:
            if refusal_is_conflict:
                raise Conflict("；".join(exc.messages) + "（未作任何更改）") from None
            raise ValidationError({"detail": "；".join(exc.messages)}) from None

    @extend_schema(summary="提交申请", request=None,
                   responses={200: ApplicationDetailSerializer,
                              400: OpenApiResponse(SubmissionRefusedSerializer, description="提交前检查未通过（checks 列出须改正的项目）"),
                              **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, uuid: str | None = None) -> Response:
        """File the draft (or the revised returned application); refused while a blocking check fails."""
        application = self.get_object()
        may_edit = request.user.has_perm("resumption.edit_application", application)
        if application.status not in OPEN_FOR_EDIT or not may_edit:
            if application.enterprise_id in scope_of(request.user).enterprise_ids or scope_of(request.user).is_admin:
                raise _state_conflict(application, "提交")
            raise PermissionDenied("只有本企业的防疫专员可以提交复工申请。")
        try:
            submitted = self._run(services.application_submit, "提交", application=application)
        except services.SubmissionRefused as refused:
            return Response({"detail": f"还有 {len(refused.checks)} 项未达到提交要求，请改正后再提交。",
                             "checks": [{"code": c.code, "message": c.message} for c in refused.checks]},
                            status=status.HTTP_400_BAD_REQUEST)
        return self._answer(submitted)

    @extend_schema(summary="审核决定", request=DecisionSerializer,
                   responses={200: ApplicationDetailSerializer, 400: OpenApiResponse(OpenApiTypes.OBJECT, description="意见未填或结论无效"),
                              **ERRORS})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, uuid: str | None = None) -> Response:
        """Approve, return or reject the step the application waits on, with a comment."""
        application = self.get_object()
        if not request.user.has_perm("resumption.review_queue"):
            raise PermissionDenied("只有主管部门审核员和指挥部可以审核。")  # whatever the state: a role that never decides
        step = services.pending_step(application)
        if step is None or application.status not in UNDER_REVIEW:
            raise Conflict(f"申请当前状态为“{application.get_status_display()}”，没有待审核的环节，未作任何更改。")
        if not services.can_decide(request.user, step):
            raise PermissionDenied("该环节不由您审核。")
        payload = DecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        expected = payload.validated_data.get("step")
        if expected is not None and expected != step.pk:
            raise Conflict(f"您审核的环节已经处理过了（重复提交或页面已过期），申请现处于“{step.get_stage_display()}”环节，未作任何更改。")
        # The service refuses a step decided meanwhile (a colleague was faster): a conflict, not a bad request.
        decided = self._run(services.review_decide, "审核", application=application, refusal_is_conflict=True,
                            decision=payload.validated_data["decision"], comment=payload.validated_data["comment"], expected_step=step.pk)
        return self._answer(decided)

    def _suspend_or_reinstate(self, request: Request, *, suspend: bool) -> Response:
        application = self.get_object()
        if not commands_applicant(request.user, application):
            raise PermissionDenied("只有辖区指挥部可以停工或复产。")
        expected = Status.APPROVED if suspend else Status.SUSPENDED
        doing = "停工" if suspend else "复产"
        if application.status != expected:
            raise Conflict(f"只有“{expected.label}”的申请可以{doing}，该申请当前为“{application.get_status_display()}”，未作任何更改。")
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        service = services.application_suspend if suspend else services.application_reinstate
        self._run(service, doing, application=application, reason=payload.validated_data["reason"])
        return self._answer(application)

    @extend_schema(summary="责令停工", request=ReasonSerializer,
                   responses={200: ApplicationDetailSerializer, 400: OpenApiResponse(OpenApiTypes.OBJECT, description="未填写原因"), **ERRORS})
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, uuid: str | None = None) -> Response:
        """Stop an approved enterprise (停工), with a reason."""
        return self._suspend_or_reinstate(request, suspend=True)

    @extend_schema(summary="准予复产", request=ReasonSerializer,
                   responses={200: ApplicationDetailSerializer, 400: OpenApiResponse(OpenApiTypes.OBJECT, description="未填写说明"), **ERRORS})
    @action(detail=True, methods=["post"])
    def reinstate(self, request: Request, uuid: str | None = None) -> Response:
        """Let a suspended enterprise restart (复产), with a reason."""
        return self._suspend_or_reinstate(request, suspend=False)
