from django.apps import AppConfig


class QuarantineConfig(AppConfig):
    name = "fugong.quarantine"
    label = "quarantine"
    verbose_name = "隔离管理"
