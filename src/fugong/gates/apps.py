from django.apps import AppConfig


class GatesConfig(AppConfig):
    name = "fugong.gates"
    label = "gates"
    verbose_name = "门岗与检查站"
