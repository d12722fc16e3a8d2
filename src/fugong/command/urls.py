from django.urls import path

from fugong.command import views

app_name = "command"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard.json", views.dashboard_json, name="dashboard-json"),
    path("flags/", views.flag_list, name="flags"),
    path("flags/<int:pk>/", views.flag_detail, name="flag"),
    path("placard/mine/", views.placard_mine, name="placard-mine"),
    path("placard/enterprise/<int:pk>/", views.placard_enterprise, name="placard-enterprise"),
    path("placard/<str:token>/", views.placard, name="placard"),
    path("summaries/", views.summary_list, name="summaries"),
    path("summaries/generate/", views.summary_generate_view, name="summary-generate"),
    path("summaries/<int:pk>/pdf/", views.summary_pdf, name="summary-pdf"),
]
