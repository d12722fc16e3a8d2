from django.urls import path

from fugong.gates import views

app_name = "gates"
urlpatterns = [
    path("", views.gate_index, name="index"),
    path("<int:pk>/", views.gate_page, name="gate"),
    path("<int:pk>/scan/", views.scan, name="scan"),
    path("<int:pk>/visitor/", views.visitor, name="visitor"),
    path("<int:pk>/vehicle/", views.vehicle, name="vehicle"),
    path("<int:pk>/log/", views.gate_log, name="log"),
]
