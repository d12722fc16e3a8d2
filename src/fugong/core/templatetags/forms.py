"""Bootstrap classes on form widgets without a third-party package."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def bootstrap(field: BoundField) -> BoundField:
    """Give the widget Bootstrap's class (and is-invalid when it has errors) before rendering."""
    widget = field.field.widget
    kind = getattr(widget, "input_type", "")
    css = "form-select" if kind == "select" or widget.__class__.__name__.endswith("Select") else "form-control"
    if kind == "checkbox":
        return field
    classes = {css, *widget.attrs.get("class", "").split()}
    if field.errors:
        classes.add("is-invalid")
    widget.attrs["class"] = " ".join(sorted(c for c in classes if c))
    return field


@register.simple_tag
def querystring_without(query: Any, *keys: str) -> str:
    copy = query.copy()
    for key in keys:
        copy.pop(key, None)
    return copy.urlencode()
