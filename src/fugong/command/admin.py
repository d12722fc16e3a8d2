from django.contrib import admin

from fugong.command.models import DailySummary, EnterpriseFlag, FlagChange


@admin.register(EnterpriseFlag)
class EnterpriseFlagAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "flag", "reason_codes", "computed_at", "dirty")
    list_filter = ("flag", "dirty")
    search_fields = ("enterprise__name",)
    raw_id_fields = ("enterprise",)


@admin.register(FlagChange)
class FlagChangeAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "changed_at", "old_flag", "new_flag")
    raw_id_fields = ("enterprise",)


@admin.register(DailySummary)
class DailySummaryAdmin(admin.ModelAdmin):
    list_display = ("region", "day", "status", "generated_at")
    raw_id_fields = ("region",)
