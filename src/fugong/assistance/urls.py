from django.urls import path

from fugong.assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.request_list, name="requests"),
    path("new/", views.request_create, name="request-create"),
    path("hotline/", views.request_hotline, name="request-hotline"),
    path("<int:pk>/", views.request_detail, name="request"),
    path("<int:pk>/answer/", views.request_answer, name="request-answer"),
    path("<int:pk>/confirm/", views.request_confirm, name="request-confirm"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_create, name="rule-create"),
    path("rules/<int:pk>/", views.rule_edit, name="rule-edit"),
    path("rules/<int:pk>/delete/", views.rule_remove, name="rule-delete"),
    path("labour/", views.position_list, name="positions"),
    path("labour/summary/", views.labour_summary, name="labour-summary"),
    path("labour/new/", views.position_new, name="position-create"),
    path("labour/<int:pk>/", views.position_detail, name="position"),
    path("labour/<int:pk>/edit/", views.position_edit, name="position-edit"),
    path("labour/<int:pk>/progress/", views.position_progress, name="position-progress"),
]
