from django.urls import path

from fugong.quarantine import views

app_name = "quarantine"
urlpatterns = [
    path("", views.placement_list, name="list"),
    path("sites/", views.site_list, name="sites"),
    path("sites/<int:pk>/", views.site_detail, name="site"),
    path("place/<uuid:person>/", views.place_person, name="place"),
    path("place/alert/<uuid:alert>/", views.place_from_alert, name="place-from-alert"),
    path("<uuid:uuid>/", views.placement_detail, name="detail"),
    path("<uuid:uuid>/checks/", views.check_view, name="check"),
    path("<uuid:uuid>/release/", views.release_view, name="release"),
]
