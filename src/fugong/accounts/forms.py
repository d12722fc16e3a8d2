from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Django's login form, labelled for username or mobile number."""

    username = forms.CharField(label="用户名或手机号", max_length=150, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))

    error_messages = {
        "invalid_login": "用户名/手机号或密码错误。连续 5 次错误将锁定 30 分钟。",
        "inactive": "该账号已停用。",
    }
