from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "fugong.assistance"
    label = "assistance"
    verbose_name = "企业帮扶"
