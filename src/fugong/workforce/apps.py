from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "fugong.workforce"
    label = "workforce"
    verbose_name = "人员"
