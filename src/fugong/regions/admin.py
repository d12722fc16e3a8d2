from django.contrib import admin

from fugong.regions.models import Department, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "grid_kind", "parent"]
    list_filter = ["level", "grid_kind", "is_development_zone"]
    search_fields = ["name", "code", "full_name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "full_name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["name", "region__name"]
    autocomplete_fields = ["region"]
