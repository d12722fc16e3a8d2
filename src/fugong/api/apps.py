from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fugong.api"
    label = "api"
    verbose_name = "API"
