"""Links to pages other apps may or may not provide (the check-in page of health, the pass page):
the personal pages show a button only when its page exists."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def optional_url(*names: str, **kwargs: Any) -> str:
    """The URL of the first of ``names`` that resolves with ``kwargs``, or "" when none does."""
    for name in names:
        try:
            return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            continue
    return ""
