from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "fugong.inspections"
    label = "inspections"
    verbose_name = "验收与检查"
