"""Template helpers of the dashboard: a figure with the link to the list behind it."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("command/_figure.html")
def figure(key: str, label: str, value: Any, links: dict[str, str], unit: str = "") -> dict[str, Any]:
    return {"key": key, "label": label, "value": value, "url": links.get(key, ""), "unit": unit}


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None
