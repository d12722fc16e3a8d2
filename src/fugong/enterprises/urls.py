from django.urls import path

from fugong.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("new/", views.enterprise_create_view, name="create"),
    path("import/", views.enterprise_import_view, name="import"),
    path("import/template.xlsx", views.enterprise_import_template, name="import-template"),
    path("import/errors.xlsx", views.enterprise_import_errors, name="import-errors"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit_view, name="edit"),
]
