from django.urls import path

from fugong.subsidies import views

app_name = "subsidies"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("summary/", views.summary, name="summary"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("schemes/<int:pk>/payment-list/", views.payment_list, name="payment-list"),
    path("enterprises/<int:pk>/", views.enterprise_subsidies, name="enterprise"),
    path("enterprises/<int:pk>/apply/", views.apply_view, name="apply"),
    path("<uuid:uuid>/", views.application_detail, name="detail"),
    path("<uuid:uuid>/approve/", views.approve_view, name="approve"),
    path("<uuid:uuid>/reject/", views.reject_view, name="reject"),
]
