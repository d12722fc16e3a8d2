"""The gate log in the admin: read only. Passages are written by the services (audited) and
never edited; names and phones are shown masked."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fugong.gates.models import Passage


@admin.register(Passage)
class PassageAdmin(admin.ModelAdmin):
    list_display = ["at", "gate", "kind", "direction", "masked_name", "plate", "temperature", "outcome", "reason"]
    list_filter = ["kind", "direction", "outcome", "fever"]
    list_select_related = ["gate__enterprise", "gate__region", "person"]
    date_hierarchy = "date"
    search_fields = ["plate", "gate__name", "reason"]
    exclude = ["name", "phone"]
    readonly_fields = ["masked_name", "masked_phone"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
