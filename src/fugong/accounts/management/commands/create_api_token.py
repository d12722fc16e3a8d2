"""``fugong create_api_token USERNAME``: print a new API key (only its hash is kept)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fugong.accounts.models import ApiToken, User
from fugong.audit.services import record


class Command(BaseCommand):
    help = "为用户（或门岗设备账号）生成 API 令牌并打印；令牌只显示这一次。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="用途说明，如“东门闸机”")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"用户“{username}”不存在。") from None
        token, key = ApiToken.issue(user=user, name=name)
        record(action="api_token.create", actor=None, obj=token, data={"user": user.pk, "name": name})
        self.stdout.write(key)
