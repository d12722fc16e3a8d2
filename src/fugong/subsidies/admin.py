"""The schemes and their rules are kept in the admin (a county enters its own amounts and dates);
applications are read-only there: they change through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from fugong.subsidies.models import SubsidyApplication, SubsidyLine, SubsidyRule, SubsidyScheme


class RuleInline(admin.StackedInline):
    model = SubsidyRule
    extra = 0
    fields = ["order", "kind", "name", "description", "params"]


@admin.register(SubsidyScheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "period_start", "period_end", "active", "park_tenants_only"]
    list_filter = ["active", "park_tenants_only"]
    search_fields = ["name", "legal_basis"]
    raw_id_fields = ["region"]
    inlines = [RuleInline]


class LineInline(admin.TabularInline):
    model = SubsidyLine
    extra = 0
    can_delete = False
    fields = ["order", "rule_name", "id_masked", "amount", "reason"]
    readonly_fields = ["order", "rule_name", "id_masked", "amount", "reason"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(SubsidyApplication)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["scheme", "enterprise", "status", "people_count", "total_amount", "submitted_at", "decided_at"]
    list_filter = ["status", "scheme"]
    list_select_related = ["scheme", "enterprise"]
    search_fields = ["enterprise__name", "scheme__name"]
    inlines = [LineInline]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
