from django.apps import AppConfig


class CommandConfig(AppConfig):
    name = "fugong.command"
    label = "command"
    verbose_name = "指挥看板"

    def ready(self) -> None:
        from fugong.command import rules, signals  # noqa: F401  (permissions and the dirty marks)
