"""Users, their role memberships and their API tokens."""

from __future__ import annotations

import hashlib
import secrets

import pghistory
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from fugong.accounts.choices import ROLE_TARGET, Role

mobile_validator = RegexValidator(r"^1[3-9]\d{9}$", "请输入 11 位手机号码。")


class User(AbstractUser):
    """A person who logs in. Signs in with username or mobile number."""

    mobile = models.CharField("手机号", max_length=11, unique=True, null=True, blank=True, validators=[mobile_validator])
    display_name = models.CharField("姓名", max_length=50, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        # The login form reads 11 digits as a mobile number, so such a username could never sign in.
        if self.username.isdigit() and len(self.username) == 11:
            raise ValidationError({"username": "用户名不能是 11 位数字（会被当作手机号）；手机号请填在“手机号”一栏。"})

    def save(self, *args: object, **kwargs: object) -> None:
        if self.mobile == "":
            self.mobile = None
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        today = timezone.localdate()
        return self.filter(models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=today))


@pghistory.track()
class Membership(models.Model):
    """Binds a user to a role and a scope: a region subtree (command officers, grid officers),
    a department (reviewers: its region subtree), an enterprise (enterprise admins, employees) or
    a gate (gate guards). A user may hold several."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    region = models.ForeignKey("regions.Region", verbose_name="辖区", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    department = models.ForeignKey(
        "regions.Department", verbose_name="部门", on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    gate = models.ForeignKey("enterprises.Gate", verbose_name="门岗", on_delete=models.CASCADE, null=True, blank=True, related_name="memberships")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope_label}"

    @property
    def scope_label(self) -> str:
        target = self.department or self.enterprise or self.gate or self.region
        return str(target) if target else "全部"

    def clean(self) -> None:
        needed = ROLE_TARGET[Role(self.role)]
        given = {name for name in ("region", "department", "enterprise", "gate") if getattr(self, f"{name}_id")}
        if needed is None and given:
            raise ValidationError("系统管理员不绑定范围。")
        if needed is not None and given != {needed}:
            label = {"region": "辖区", "department": "部门", "enterprise": "企业", "gate": "门岗"}[needed]
            raise ValidationError(f"{Role(self.role).label}必须且只能绑定一个{label}。")


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """An API key for a user or a gate device. Only its SHA-256 is stored; the key itself is shown
    once, when created. Sent as ``Authorization: Token <key>``."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100, blank=True)
    prefix = models.CharField("前缀", max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, *, user: User, name: str = "", expires_at: object = None) -> tuple[ApiToken, str]:
        """Create a token and return it with the plain key, which is never stored."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:8], key_hash=hash_token(key), expires_at=expires_at)
        return token, key

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class Notification(models.Model):
    """An in-app inbox message telling someone that something awaits them."""

    user = models.ForeignKey(User, verbose_name="收件人", on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
