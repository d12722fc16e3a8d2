"""每日一面牌子: an enterprise's public placard, updated daily. Addressed by a signed id (a
forged or altered one is not found) and showing only what may be public: the name, the status
and flag colour, today's headcount on site, today's temperature checks done against those
required, and the date — never a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core import signing
from django.db.models import Q

from fugong.enterprises.models import Enterprise

SALT = "fugong.command.placard"


def placard_token(enterprise: Enterprise | int) -> str:
    return signing.Signer(salt=SALT).sign(str(getattr(enterprise, "pk", enterprise)))


def enterprise_of_token(token: str) -> int | None:
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


@dataclass(frozen=True)
class Placard:
    name: str
    status: str
    flag: str
    flag_label: str
    day: date
    on_site: int
    checks_done: int
    checks_required: int
    reported: bool

    @property
    def checks_complete(self) -> bool:
        return self.checks_required > 0 and self.checks_done >= self.checks_required


def placard_figures(enterprise: Enterprise, day: date) -> Placard:
    """The placard's figures (a handful of queries): on site = people who checked in or entered
    by a gate today; checks required = the people expected at work × the policy's checks a day."""
    from fugong.command.choices import Flag
    from fugong.command.models import EnterpriseFlag
    from fugong.health.models import CheckIn, DailyReport
    from fugong.health.reports import FILED, on_site_person_ids
    from fugong.policy.services import current
    from fugong.workforce.choices import ClassificationCategory
    from fugong.workforce.models import Person

    flag = EnterpriseFlag.objects.filter(enterprise=enterprise).values_list("flag", flat=True).first() or ""
    on_site = len(on_site_person_ids(enterprise, day))
    done = CheckIn.objects.filter(enterprise=enterprise, date=day).count()
    off_site = [ClassificationCategory.REFUSED_FEVER, ClassificationCategory.MUST_NOT_RETURN, ClassificationCategory.CENTRAL_QUARANTINE,
                ClassificationCategory.ISOLATE_BEFORE_PASS]
    expected = Person.objects.filter(enterprise=enterprise).filter(Q(return_date__isnull=True) | Q(return_date__lte=day)).exclude(
        category__in=off_site).count() if enterprise.status in ("approved", "resumed") else 0
    per_day = int(current(enterprise.region).checkins_per_day)
    reported = DailyReport.objects.filter(enterprise=enterprise, date=day, status__in=FILED).exists()
    return Placard(name=enterprise.name, status=enterprise.get_status_display(), flag=flag,
                   flag_label=str(Flag(flag).label) if flag else "未评定", day=day, on_site=on_site, checks_done=done,
                   checks_required=max(expected, on_site) * per_day, reported=reported)


def placard_context(enterprise: Enterprise, day: date, base_url: str) -> dict[str, Any]:
    from django.urls import reverse

    from fugong.core.qr import qr_data_uri

    url = base_url.rstrip("/") + reverse("command:placard", args=[placard_token(enterprise)])
    return {"placard": placard_figures(enterprise, day), "public_url": url, "qr": qr_data_uri(url)}
