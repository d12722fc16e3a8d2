"""The pass block of a person's page (``workforce/_person_passes.html``)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def person_passes(context: Any, person: Any) -> dict[str, Any]:
    """``{% person_passes person as block %}``: the person's passes and what the signed-in user
    may do with them (issue, revoke), decided by the object rules of the person's enterprise."""
    from fugong.workforce.views.passes import person_pass_block

    return person_pass_block(context["request"].user, person)
