from django.urls import path

from fugong.inspections import views

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
]
