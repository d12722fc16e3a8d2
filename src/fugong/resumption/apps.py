from django.apps import AppConfig


class ResumptionConfig(AppConfig):
    name = "fugong.resumption"
    label = "resumption"
    verbose_name = "复工申请"
