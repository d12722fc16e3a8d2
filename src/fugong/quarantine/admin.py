"""Sites, rooms and beds are places the admin may correct; placements and checks are records,
read only here (they change only through the services, which audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fugong.quarantine.models import Bed, Placement, QuarantineCheck, Room, Site


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0
    fields = ["number", "order"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "enterprise", "reserve"]
    list_filter = ["kind", "reserve"]
    search_fields = ["name", "address", "enterprise__name"]
    raw_id_fields = ["region", "enterprise"]
    inlines = [RoomInline]


class BedInline(admin.TabularInline):
    model = Bed
    extra = 0


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["site", "number"]
    search_fields = ["site__name", "number"]
    raw_id_fields = ["site"]
    inlines = [BedInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin):
    list_display = ["id", "enterprise", "kind", "site", "start", "planned_end", "status"]
    list_filter = ["kind", "status", "reason"]
    list_select_related = ["enterprise", "site"]
    search_fields = ["enterprise__name", "site__name"]


@admin.register(QuarantineCheck)
class QuarantineCheckAdmin(ReadOnlyAdmin):
    list_display = ["placement", "date", "slot", "temperature"]
    list_filter = ["date"]
