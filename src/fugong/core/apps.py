from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fugong.core"
    label = "core"
    verbose_name = "基础"
