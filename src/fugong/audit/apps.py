from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "fugong.audit"
    label = "audit"
    verbose_name = "审计"
