"""Template filters of the help pages."""

from __future__ import annotations

from django import template

from fugong.assistance.selectors import duration_label

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """Seconds as 45分钟 / 3.5小时 / 2天4小时; a dash when not measured yet."""
    return duration_label(seconds)
