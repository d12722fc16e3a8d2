from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "fugong.exports"
    label = "exports"
    verbose_name = "导出任务"
