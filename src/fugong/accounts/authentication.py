"""DRF authentication with hashed API tokens (``Authorization: Token <key>``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from fugong.accounts.models import ApiToken, hash_token


class HashedTokenAuthentication(TokenAuthentication):
    """Looks the key up by its SHA-256, so a leaked database gives away no usable key."""

    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        try:
            token = ApiToken.objects.select_related("user").get(key_hash=hash_token(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed("令牌无效。") from None
        if not token.is_usable:
            raise exceptions.AuthenticationFailed("令牌已过期或已吊销。")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("账号已停用。")
        now = timezone.now()
        # Touch at most once a minute: a gate posting every few seconds should not write every time.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
