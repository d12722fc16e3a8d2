from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "fugong.health"
    label = "health"
    verbose_name = "健康监测"
