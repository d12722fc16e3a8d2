from django.urls import path

from fugong.policy import views

app_name = "policy"
urlpatterns = [path("", views.policy_index, name="index")]
