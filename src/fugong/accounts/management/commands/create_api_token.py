"""``fugong create_api_token USERNAME``: print a new API key (only its hash is kept).

``fugong create_api_token --gate GATE_ID`` makes the key for a gate device instead: the device
gets its own account (``gate-device-<id>``, no password) bound to that gate, so a scanner at
the gate sees exactly what a gate guard there sees and can be revoked on its own.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from fugong.accounts.choices import Role
from fugong.accounts.models import ApiToken, Membership, User
from fugong.audit.services import record
from fugong.enterprises.models import Gate


def gate_device_user(gate: Gate) -> User:
    """The device account of a gate, created on first use."""
    user, created = User.objects.get_or_create(username=f"gate-device-{gate.pk}", defaults={"display_name": f"{gate} 设备"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, role=Role.GATE, gate=gate)
    return user


class Command(BaseCommand):
    help = "为用户或门岗设备生成 API 令牌并打印；令牌只显示这一次。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", nargs="?")
        parser.add_argument("--gate", type=int, help="门岗编号：为该门岗的设备账号生成令牌")
        parser.add_argument("--name", default="", help="用途说明，如“东门闸机”")

    def handle(self, *args: Any, username: str | None, gate: int | None, name: str, **options: Any) -> None:
        if (username is None) == (gate is None):
            raise CommandError("请给出用户名，或用 --gate 指定门岗（二选一）。")
        with transaction.atomic():
            if gate is not None:
                try:
                    user = gate_device_user(Gate.objects.get(pk=gate))
                except Gate.DoesNotExist:
                    raise CommandError(f"门岗 {gate} 不存在。") from None
            else:
                try:
                    user = User.objects.get(username=username)
                except User.DoesNotExist:
                    raise CommandError(f"用户“{username}”不存在。") from None
            token, key = ApiToken.issue(user=user, name=name)
            record(action="api_token.create", actor=None, obj=token, data={"user": user.pk, "name": name, "gate": gate})
        self.stdout.write(key)
