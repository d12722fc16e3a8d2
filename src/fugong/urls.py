from django.contrib import admin
from django.urls import include, path

from fugong.accounts import views as account_views

admin.site.site_header = "复工复产防控平台 · 管理后台"
admin.site.site_title = "复工复产防控平台"

urlpatterns = [
    path("", account_views.home, name="home"),
    # First: the API takes the platform's volume (devices' check-ins) and Django tries the
    # prefixes in order; no other prefix can match "api/v1/", so the order changes nothing else.
    path("api/v1/", include("fugong.api.urls")),
    path("accounts/", include("fugong.accounts.urls")),
    path("enterprises/", include("fugong.enterprises.urls")),
    path("regions/", include("fugong.regions.urls")),
    path("applications/", include("fugong.resumption.urls")),
    path("inspections/", include("fugong.inspections.urls")),
    path("policy/", include("fugong.policy.urls")),
    path("audit/", include("fugong.audit.urls")),
    path("gates/", include("fugong.gates.urls")),
    path("health/", include("fugong.health.urls")),
    path("quarantine/", include("fugong.quarantine.urls")),
    path("subsidies/", include("fugong.subsidies.urls")),
    path("assistance/", include("fugong.assistance.urls")),
    path("materials/", include("fugong.materials.urls")),
    path("exports/", include("fugong.exports.urls")),
    path("command/", include("fugong.command.urls")),
    # /people/… and the personal links /p/<token>/… (see fugong/workforce/urls.py)
    path("", include("fugong.workforce.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
