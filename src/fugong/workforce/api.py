"""Pass API for gates: verify a token online, fetch the public keys and the revocation list to
verify offline. Every authenticated account (gate devices use API tokens) may call them; a gate
learns the enterprise's name and a masked name, never an ID number or a person id."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fugong.api.scoping import ScopedViewSetMixin
from fugong.core.masking import mask_name
from fugong.enterprises.models import Enterprise
from fugong.workforce import passes
from fugong.workforce.filters import PersonFilter
from fugong.workforce.models import Pass, Person
from fugong.workforce.services import person_create

GENUINE = {passes.VALID, passes.REVOKED, passes.EXPIRED, passes.NOT_YET_VALID}


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


# -- people (一人一档, A1) -------------------------------------------------------------------------


PERSON_FIELDS_AFTER_ID = ["phone", "home_address", "household_region", "holiday_location", "return_date", "transport", "post",
                          "dormitory_room", "shuttle_bus", "origin", "travel_history", "contact_with_case", "household_health",
                          "declared_at", "category", "category_rule", "category_reason", "eligible_on", "checks_until", "classified_at",
                          "created_at", "updated_at"]
# Written by the declaration and the classification, never through this endpoint.
PERSON_READ_ONLY = ["travel_history", "contact_with_case", "household_health", "declared_at", "category", "category_rule",
                    "category_reason", "eligible_on", "checks_until", "classified_at", "created_at", "updated_at"]


class PersonSerializer(serializers.ModelSerializer):
    """A person's record as the API shows it: the ID number masked (``id_masked``); a full number
    is only ever sent in (``id_number``, write-only) to register someone."""

    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.none())
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    id_number = serializers.CharField(write_only=True, max_length=40, help_text="18 位身份证号（只写；读出时为脱敏号码 id_masked）")

    class Meta:
        model = Person
        fields = ["id", "enterprise", "enterprise_name", "name", "id_number", "id_masked", "sex", "birth_date", *PERSON_FIELDS_AFTER_ID]
        read_only_fields = ["id_masked", "sex", "birth_date", *PERSON_READ_ONLY]
        # The services read names and phone numbers as people type them (spaces, +86 …) and say
        # what is wrong in Chinese: the model's validators are not run twice.
        extra_kwargs: dict[str, dict[str, Any]] = {"name": {"validators": [], "max_length": 60}, "phone": {"validators": [], "max_length": 30}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # An enterprise outside the caller's scope reads as "does not exist".
            self.fields["enterprise"].queryset = Enterprise.objects.for_user(request.user)  # type: ignore[attr-defined]


class PersonViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Personal records (一人一档) in the caller's scope. List: officers and enterprise admins
    (filters: q — name, phone or a full ID number —, enterprise, category, origin, post,
    returned_from, returned_to, has_pass); an employee reads their own record. Create through the
    same service as the page (the ID number checked, encrypted, unique at the enterprise)."""

    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    list_permission = "workforce.list_people"
    create_permission = "workforce.keep_roster"
    ordering_fields = ["name", "return_date", "created_at"]

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("enterprise__region").order_by("enterprise_id", "name", "pk")

    def perform_create(self, serializer: serializers.BaseSerializer[Person]) -> None:
        data = dict(serializer.validated_data)
        enterprise = data.pop("enterprise")
        try:
            serializer.instance = person_create(enterprise=enterprise, acting_user=self.request.user, data=data, request=self.request)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc) or "无权操作。") from None
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
