from django.contrib import admin

from fugong.enterprises.models import Enterprise, Gate


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "town", "sector", "size", "status"]
    list_filter = ["sector", "size", "status"]
    search_fields = ["name", "uscc"]
    autocomplete_fields = ["region"]
    readonly_fields = ["status"]


@admin.register(Gate)
class GateAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "enterprise", "region"]
    search_fields = ["name", "enterprise__name"]
    autocomplete_fields = ["enterprise", "region"]
