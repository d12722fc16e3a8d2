from django.urls import path

from fugong.health import report_views, views

app_name = "health"
urlpatterns = [
    # Check-ins and alerts: health/views.py
    path("p/<str:token>/checkin", views.link_checkin, name="link-checkin"),
    path("me/checkin", views.my_checkin, name="my-checkin"),
    path("checkins/", views.checkin_list, name="checkins"),
    path("checkins/missing/", views.missing_list, name="checkins-missing"),
    path("checkins/bulk/", views.bulk_checkin, name="bulk"),
    path("checkins/bulk/template/", views.bulk_template, name="bulk-template"),
    path("checkins/bulk/errors/", views.bulk_import_errors, name="bulk-errors"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<uuid:uuid>/", views.alert_detail, name="alert-detail"),
    path("alerts/<uuid:uuid>/close/", views.alert_close_view, name="alert-close"),
    # Daily reports (日报告): health/report_views.py
    path("reports/", report_views.report_status, name="report-status"),
    path("reports/mine/", report_views.report_mine, name="report-mine"),
    path("reports/enterprise/<int:pk>/", report_views.report_enterprise, name="report-enterprise"),
    path("reports/enterprise/<int:pk>/confirm/", report_views.report_confirm, name="report-confirm"),
    path("reports/enterprise/<int:pk>/zero/", report_views.report_zero, name="report-zero"),
]
