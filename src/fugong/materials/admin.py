"""The catalogue and the stockpiles are data the admin may correct; movements, counts and
allocations are records, read only here (they change only through the services, which audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fugong.materials.models import Allocation, Material, StockCount, StockMovement, Stockpile, StockpileMovement


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "unit", "usage_parameter", "whole_units", "order", "active"]
    list_editable = ["order", "active"]


@admin.register(Stockpile)
class StockpileAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "keeper"]
    search_fields = ["name", "region__name"]
    raw_id_fields = ["region"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["date", "enterprise", "material", "kind", "quantity", "note"]
    list_filter = ["kind", "material"]
    search_fields = ["enterprise__name"]


@admin.register(StockCount)
class StockCountAdmin(ReadOnlyAdmin):
    list_display = ["date", "enterprise", "material", "counted", "counted_by"]
    search_fields = ["enterprise__name"]


@admin.register(StockpileMovement)
class StockpileMovementAdmin(ReadOnlyAdmin):
    list_display = ["date", "stockpile", "material", "kind", "quantity", "note"]
    list_filter = ["kind", "material", "stockpile"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "stockpile", "enterprise", "material", "quantity", "status"]
    list_filter = ["status", "material", "stockpile"]
    search_fields = ["enterprise__name", "stockpile__name"]
