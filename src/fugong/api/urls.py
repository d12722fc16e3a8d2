from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from fugong.enterprises.api import EnterpriseViewSet
from fugong.gates.api import GateScanView
from fugong.health.api import CheckInViewSet, checkins_endpoint
from fugong.health.report_api import DailyReportViewSet
from fugong.quarantine.api import PlacementViewSet
from fugong.regions.api import RegionViewSet
from fugong.resumption.api import ApplicationViewSet
from fugong.workforce.api import PassKeysView, PassRevokedView, PassVerifyView, PersonViewSet

app_name = "api"

router = DefaultRouter()
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("regions", RegionViewSet, basename="region")
router.register("applications", ApplicationViewSet, basename="application")
router.register("people", PersonViewSet, basename="person")
router.register("placements", PlacementViewSet, basename="placement")
router.register("daily-reports", DailyReportViewSet, basename="daily-report")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("passes/verify", PassVerifyView.as_view(), name="pass-verify"),
    path("passes/keys", PassKeysView.as_view(), name="pass-keys"),
    path("passes/revoked", PassRevokedView.as_view(), name="pass-revoked"),
    path("gates/<int:pk>/scan", GateScanView.as_view(), name="gate-scan"),
    # One URL without a trailing slash, as the gate devices post it: one check-in or a list
    # (token POSTs take the devices' lean view, health.api.device_post).
    path("checkins", checkins_endpoint(CheckInViewSet.as_view({"get": "list", "post": "create"})), name="checkin-list"),
    path("", include(router.urls)),
]
