from typing import Any

from django.contrib import admin

from fugong.audit.services import record
from fugong.regions.models import Department, Region


class AuditedAdmin(admin.ModelAdmin):
    """Grids and departments are made here by the platform admin; each save is audited."""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        action = f"{obj._meta.model_name}.{'update' if change else 'create'}"
        record(action=action, actor=request.user, obj=obj, request=request, data={"changed": form.changed_data})

    def delete_model(self, request: Any, obj: Any) -> None:
        record(action=f"{obj._meta.model_name}.delete", actor=request.user, obj=obj, request=request)
        super().delete_model(request, obj)


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["name", "code", "level", "grid_kind", "parent"]
    list_filter = ["level", "grid_kind", "is_development_zone"]
    search_fields = ["name", "code", "full_name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "full_name"]


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["name", "region__name"]
    autocomplete_fields = ["region"]
