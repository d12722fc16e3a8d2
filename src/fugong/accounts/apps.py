from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fugong.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        from fugong.accounts import signals  # noqa: F401
