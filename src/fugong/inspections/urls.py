from django.urls import path

from fugong.inspections import patrol_views, views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("acceptance/<uuid:application>/", views.start_acceptance, name="start-acceptance"),
    path("enterprise/<int:pk>/start/", views.start_inspection, name="start"),
    path("<uuid:uuid>/", views.inspection_detail, name="detail"),
    path("<uuid:uuid>/photos/", views.photo_upload, name="photo-upload"),
    path("<uuid:uuid>/photos/<uuid:photo>/", views.photo_view, name="photo"),
    path("<uuid:uuid>/complete/", views.inspection_complete_view, name="complete"),
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/answer/", views.rectification_answer_view, name="rectification-answer"),
    path("rectifications/<int:pk>/verify/", views.rectification_verify_view, name="rectification-verify"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification-detail"),
    path("rectifications/<int:pk>/photos/<uuid:photo>/", views.rectification_evidence, name="rectification-photo"),
    path("rectifications/summary/", views.rectification_summary, name="rectification-summary"),
    path("enterprise/<int:pk>/rectification/", views.rectification_new, name="rectification-new"),
    path("patrol/", patrol_views.patrol_home, name="patrol"),
    path("patrol/enterprise/<int:pk>/start/", patrol_views.patrol_start_view, name="patrol-start"),
    path("patrol/coverage/", patrol_views.patrol_coverage_view, name="patrol-coverage"),
    path("patrol/plans/", patrol_views.patrol_plans, name="patrol-plans"),
]
