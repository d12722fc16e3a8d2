"""Small display helpers for resumption pages: colours of statuses, icons of checks.

Load with ``{% load applications %}``; used by the application pages and by any page that
includes ``resumption/_timeline.html`` or ``resumption/_checks.html``."""

from __future__ import annotations

from typing import Any

from django import template

from fugong.resumption.choices import Status, StepStatus

register = template.Library()

STATUS_COLOURS = {
    Status.DRAFT: "secondary", Status.DEPARTMENT_REVIEW: "primary", Status.RETURNED: "warning", Status.TOWN_REVIEW: "primary",
    Status.COUNTY_REVIEW: "primary", Status.INSPECTION: "info", Status.APPROVED: "success", Status.REJECTED: "danger",
    Status.SUSPENDED: "dark",
}
STEP_COLOURS = {
    StepStatus.PENDING: "warning", StepStatus.APPROVED: "success", StepStatus.RETURNED: "warning", StepStatus.REJECTED: "danger",
    StepStatus.SUPERSEDED: "secondary",
}
STEP_ICONS = {
    StepStatus.PENDING: "hourglass-split", StepStatus.APPROVED: "check-circle-fill", StepStatus.RETURNED: "arrow-return-left",
    StepStatus.REJECTED: "x-circle-fill", StepStatus.SUPERSEDED: "dash-circle",
}
CHECK_ICONS = {"ok": "check-circle-fill text-success", "warning": "exclamation-triangle-fill text-warning",
               "error": "x-circle-fill text-danger"}


@register.filter
def status_colour(status: str) -> str:
    """Bootstrap colour of an application status badge."""
    return STATUS_COLOURS.get(status, "secondary")  # type: ignore[call-overload]


@register.filter
def step_colour(status: str) -> str:
    return STEP_COLOURS.get(status, "secondary")  # type: ignore[call-overload]


@register.filter
def step_icon(status: str) -> str:
    return STEP_ICONS.get(status, "circle")  # type: ignore[call-overload]


@register.filter
def check_icon(level: str) -> str:
    return CHECK_ICONS.get(level, "circle")


@register.filter
def blocking_count(checks: list[Any] | None) -> int:
    """How many checks still stop the submission."""
    return sum(1 for c in checks or () if not c.ok and c.blocking)
