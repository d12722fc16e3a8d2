"""Checklists are data the admin edits; inspections are records, read only here (they change only
through the services, which audit); rectification items may be corrected."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fugong.inspections.models import (
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionResult,
    PatrolPlan,
    PatrolTeam,
    RectificationItem,
)


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1
    fields = ["order", "text", "hint", "condition"]
    ordering = ["order"]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "version", "active", "item_count"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    inlines = [ChecklistItemInline]

    @admin.display(description="检查项数")
    def item_count(self, obj: ChecklistTemplate) -> int:
        return obj.items.count()


class InspectionResultInline(admin.TabularInline):
    model = InspectionResult
    extra = 0
    fields = ["item", "result", "note"]
    readonly_fields = ["item", "result", "note"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "template", "status", "inspector", "created_at", "completed_at"]
    list_filter = ["status", "template__kind"]
    search_fields = ["enterprise__name", "enterprise__uscc", "signed_name"]
    list_select_related = ["enterprise", "template", "inspector"]
    readonly_fields = ["uuid", "enterprise", "application", "template", "inspector", "status", "opinion", "signed_name", "completed_at",
                       "created_at", "updated_at", "created_by"]
    inlines = [InspectionResultInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RectificationItem)
class RectificationItemAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "description", "deadline", "status"]
    list_filter = ["status"]
    search_fields = ["enterprise__name", "description"]
    list_select_related = ["enterprise"]
    autocomplete_fields = ["enterprise"]
    # The status moves only through the services (answer, verify), which audit; a deadline or wording may be corrected here.
    readonly_fields = ["status", "inspection", "answer", "answered_at", "verified_by", "verified_at", "created_at", "updated_at", "created_by"]


@admin.register(PatrolTeam)
class PatrolTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "leader", "active"]
    list_filter = ["active"]
    search_fields = ["name", "region__name"]
    list_select_related = ["region", "leader"]
    autocomplete_fields = ["region", "leader", "members"]


@admin.register(PatrolPlan)
class PatrolPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "team", "zone_leader", "starts_on", "ends_on"]
    list_filter = ["kind"]
    search_fields = ["name", "region__name", "key_areas"]
    list_select_related = ["region", "team", "zone_leader"]
    autocomplete_fields = ["region", "team", "zone_leader"]
