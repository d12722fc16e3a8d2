from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from fugong.accounts.models import ApiToken, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["region", "department", "enterprise", "gate"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), ("复工平台", {"fields": ("mobile", "display_name")}))
    list_display = ["username", "display_name", "mobile", "is_active", "last_login"]
    search_fields = ["username", "display_name", "mobile"]
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    autocomplete_fields = ["user"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # keys are shown once; create them with `fugong create_api_token`
