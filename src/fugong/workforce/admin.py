"""Personal records in the admin: read only, with the ID number masked. Records change through
the services (audited); a full ID number is revealed only through ``id_number_reveal``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from fugong.core import idcard
from fugong.workforce.models import Person
from fugong.workforce.services import id_number_index


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "id_masked", "enterprise", "post", "origin", "return_date"]
    list_filter = ["post", "origin", "transport", "shuttle_bus"]
    list_select_related = ["enterprise"]
    search_fields = ["name", "enterprise__name"]
    # The ciphertext and the blind index are never shown; the masked number is.
    exclude = ["id_number_encrypted", "id_number_index"]
    readonly_fields = ["id_masked", "birth_date", "sex", "created_at", "updated_at", "created_by"]
    raw_id_fields = ["enterprise", "user"]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Person], search_term: str) -> tuple[QuerySet[Person], bool]:
        """A full ID number is found through its blind index (the column is encrypted)."""
        term = idcard.normalise(search_term)
        if len(term) == idcard.LENGTH:
            return queryset.filter(id_number_index=id_number_index(term)), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
