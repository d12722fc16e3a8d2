from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from fugong.enterprises.api import EnterpriseViewSet
from fugong.regions.api import RegionViewSet
from fugong.resumption.api import ApplicationViewSet
from fugong.workforce.api import PassKeysView, PassRevokedView, PassVerifyView

app_name = "api"

router = DefaultRouter()
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("regions", RegionViewSet, basename="region")
router.register("applications", ApplicationViewSet, basename="application")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("passes/verify", PassVerifyView.as_view(), name="pass-verify"),
    path("passes/keys", PassKeysView.as_view(), name="pass-keys"),
    path("passes/revoked", PassRevokedView.as_view(), name="pass-revoked"),
    path("", include(router.urls)),
]
