"""Writes to the enterprise registry. Views, the API and the importer all come through here."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from fugong.audit.services import changed_fields, record
from fugong.enterprises.models import Enterprise
from fugong.regions.choices import Level
from fugong.regions.models import Region

EDITABLE_FIELDS = [
    "name", "uscc", "sector", "size", "essential_category", "in_park", "key_cultivated", "address", "region",
    "legal_representative", "contact_name", "contact_phone", "headcount", "has_canteen", "has_dormitory",
    "has_shuttle_bus", "closed_management", "local_staff_percent",
]
# People's names and phone numbers: the audit log records that they changed, not their values.
PERSONAL_FIELDS = frozenset({"legal_representative", "contact_name", "contact_phone"})


def town_of(region: Region) -> Region:
    """The town or street an enterprise's region belongs to; an enterprise must sit in one."""
    if region.level == Level.TOWN:
        return region
    town = region.ancestor_at(Level.TOWN)
    if town is None:
        raise ValidationError({"region": "企业必须登记在镇/街道或其下的村社区、网格。"})
    return town


def _check_region(user: Any, region: Region) -> None:
    if not user.has_perm("enterprises.place_enterprise", region):
        raise PermissionDenied("所选辖区不在您的管辖范围内。")


def enterprise_create(*, acting_user: Any, data: dict[str, Any], request: Any = None) -> Enterprise:
    """Register an enterprise in a region the acting user covers."""
    if not acting_user.has_perm("enterprises.add_enterprise"):
        raise PermissionDenied("您无权登记企业。")
    region: Region = data["region"]
    _check_region(acting_user, region)
    enterprise = Enterprise(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS}, created_by=acting_user)
    enterprise.town = town_of(region)
    enterprise.full_clean()
    with transaction.atomic():
        enterprise.save(force_insert=True)
        record(action="enterprise.create", actor=acting_user, obj=enterprise, request=request,
               data={"uscc": enterprise.uscc, "region": region.code})
    return enterprise


def enterprise_update(*, enterprise: Enterprise, acting_user: Any, data: dict[str, Any], request: Any = None) -> Enterprise:
    """Change an enterprise's registry fields; an enterprise admin may not move it to another place."""
    if not acting_user.has_perm("enterprises.change_enterprise", enterprise):
        raise PermissionDenied("您无权修改该企业。")
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        before = model_to_dict(locked, fields=EDITABLE_FIELDS)
        new_region = data.get("region", locked.region)
        if new_region.pk != locked.region_id:
            _check_region(acting_user, new_region)
            locked.town = town_of(new_region)
        for key, value in data.items():
            if key in EDITABLE_FIELDS:
                setattr(locked, key, value)
        locked.full_clean()
        changes = changed_fields(before, model_to_dict(locked, fields=EDITABLE_FIELDS), personal=PERSONAL_FIELDS)
        if not changes:
            return locked
        locked.save(update_fields=[*changes.keys(), "town", "updated_at"])
        record(action="enterprise.update", actor=acting_user, obj=locked, request=request, data={"changed": changes})
    return locked
