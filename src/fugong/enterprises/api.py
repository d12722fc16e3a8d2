"""Enterprise API: the same scope, filters and services as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError

from fugong.api.scoping import ScopedViewSetMixin
from fugong.enterprises.filters import EnterpriseFilter
from fugong.enterprises.models import Enterprise
from fugong.enterprises.services import EDITABLE_FIELDS, enterprise_create, enterprise_update
from fugong.enterprises.validators import validate_uscc
from fugong.regions.models import Region


class EnterpriseSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    town: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    town_name = serializers.CharField(source="town.name", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Enterprise
        fields = ["id", *EDITABLE_FIELDS, "town", "town_name", "region_name", "status", "created_at", "updated_at"]
        read_only_fields = ["status", "created_at", "updated_at"]
        extra_kwargs: dict[str, dict[str, Any]] = {"uscc": {"validators": []}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A code outside the caller's jurisdictions reads as "does not exist".
            self.fields["region"].queryset = Region.objects.for_user(request.user)  # type: ignore[attr-defined]

    def validate_uscc(self, value: str) -> str:
        try:
            return validate_uscc(value)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None


class EnterpriseViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Enterprises in the caller's scope. Filters: q, town, grid, sector, size, status, essential."""

    queryset = Enterprise.objects.all()
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilter
    list_permission = "enterprises.list_enterprises"
    create_permission = "enterprises.add_enterprise"
    change_permission = "enterprises.change_enterprise"
    ordering_fields = ["name", "headcount", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("town", "region")

    def perform_create(self, serializer: serializers.BaseSerializer[Enterprise]) -> None:
        serializer.instance = self._call(enterprise_create, data=serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[Enterprise]) -> None:
        serializer.instance = self._call(enterprise_update, enterprise=serializer.instance, data=serializer.validated_data)

    def _call(self, service: Any, **kwargs: Any) -> Enterprise:
        try:
            return service(acting_user=self.request.user, request=self.request, **kwargs)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc) or "无权操作。") from None
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
