from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from fugong.accounts.models import ApiToken, Membership, User
from fugong.audit.services import record


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

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        """Granting or withdrawing a role changes what someone may see: audit each one."""
        super().save_formset(request, form, formset, change)
        for membership in formset.new_objects:
            record(action="membership.grant", actor=request.user, obj=membership, request=request,
                   data={"user": membership.user_id, "role": membership.role})
        for membership, changed in formset.changed_objects:
            record(action="membership.change", actor=request.user, obj=membership, request=request, data={"changed": changed})
        for membership in formset.deleted_objects:
            record(action="membership.revoke", actor=request.user, object_label=str(membership), request=request,
                   data={"user": membership.user_id, "role": membership.role})


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    autocomplete_fields = ["user"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # keys are shown once; create them with `fugong create_api_token`
