"""Telling the next actor: an inbox message, and an e-mail through Django's mail backend,
both sent only once the transaction that caused them has committed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership, Notification, User


def notify(users: Iterable[User], *, title: str, body: str = "", url: str = "") -> None:
    recipients = {user.pk: user for user in users if user.is_active}
    if not recipients:
        return

    def send() -> None:
        Notification.objects.bulk_create([Notification(user=u, title=title, body=body, url=url) for u in recipients.values()])
        mails = [(f"[复工平台] {title}", f"{body}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, [u.email])
                 for u in recipients.values() if u.email]
        if mails:
            send_mass_mail(mails, fail_silently=True)  # a mail outage must not lose the inbox message

    transaction.on_commit(send)


def department_reviewers(department: Any) -> list[User]:
    return list(User.objects.filter(memberships__in=Membership.objects.active().filter(role=Role.REVIEWER, department=department)).distinct())


def command_officers(region: Any) -> list[User]:
    """Command officers whose jurisdiction is exactly this region (the town's, or the county's)."""
    return list(User.objects.filter(memberships__in=Membership.objects.active().filter(role=Role.COMMAND, region=region)).distinct())


def grid_officers_of(region: Any) -> list[User]:
    """Grid officers covering a place: memberships on the region or any of its ancestors below the town."""
    codes = [c for c in region.path.strip("/").split("/") if c]
    return list(User.objects.filter(
        memberships__in=Membership.objects.active().filter(role=Role.GRID).filter(Q(region__code__in=codes))
    ).distinct())


def enterprise_admins(enterprise: Any) -> list[User]:
    return list(User.objects.filter(memberships__in=Membership.objects.active().filter(role=Role.ENTERPRISE, enterprise=enterprise)).distinct())
