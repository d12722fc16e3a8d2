"""Routing rules are data the admin may correct here too; help requests and positions are
records, read only here (they change only through the services, which audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fugong.assistance.models import HandlingRecord, HelpRequest, Position, RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["region", "category", "department", "note"]
    list_filter = ["category"]
    raw_id_fields = ["region", "department"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = HandlingRecord
    extra = 0
    fields = ["kind", "at", "actor", "text"]
    readonly_fields = ["kind", "at", "actor", "text"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HelpRequest)
class HelpRequestAdmin(ReadOnlyAdmin):
    list_display = ["title", "enterprise", "category", "channel", "department", "status", "filed_at", "response_seconds"]
    list_filter = ["status", "category", "channel"]
    search_fields = ["title", "enterprise__name"]
    inlines = [EventInline]


@admin.register(Position)
class PositionAdmin(ReadOnlyAdmin):
    list_display = ["title", "enterprise", "count", "matched_count", "filled_count", "status", "start_date"]
    list_filter = ["status"]
    search_fields = ["title", "enterprise__name"]
