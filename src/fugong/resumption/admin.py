from typing import Any

from django.contrib import admin

from fugong.audit.services import record
from fugong.resumption.models import Application, RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """Routing is data: the admin attaches a variant to a street or county, or edits a rule.
    Each change is audited; applications already submitted keep the chain fixed for them."""

    list_display = ["__str__", "region", "variant", "sector", "size", "in_park", "priority"]
    list_filter = ["variant", "sector", "size"]
    search_fields = ["variant", "note", "region__name"]
    autocomplete_fields = ["region"]

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record(action=f"routing_rule.{'update' if change else 'create'}", actor=request.user, obj=obj, request=request,
               data={"changed": form.changed_data, "chain": obj.chain})

    def delete_model(self, request: Any, obj: Any) -> None:
        record(action="routing_rule.delete", actor=request.user, obj=obj, request=request, data={"chain": obj.chain})
        super().delete_model(request, obj)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only: applications change only through their services (pages and API)."""

    list_display = ["number", "enterprise", "status", "planned_start", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["number", "enterprise__name", "enterprise__uscc"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
