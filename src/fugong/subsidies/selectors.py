"""Reads of the subsidies: an enterprise's roster as facts for the rules, what it earns under a
scheme, the totals per scheme and the approved lines of the payment list. Each reader acting for
a user starts from a scoped queryset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from fugong.core.masking import mask_name
from fugong.enterprises.models import Enterprise
from fugong.subsidies.calculation import Computation, PersonFacts, RuleSpec, compute
from fugong.subsidies.choices import ApplicationStatus
from fugong.subsidies.models import SubsidyApplication, SubsidyLine, SubsidyScheme
from fugong.workforce.models import Person

FACT_FIELDS = ("id", "name", "id_masked", "return_date", "origin", "category", "hired_on", "referred_by_id")


def roster_facts(enterprise: Enterprise) -> list[PersonFacts]:
    """The enterprise's roster as the rules read it (one query, values only)."""
    rows = Person.objects.filter(enterprise=enterprise).order_by("name", "id").values_list(*FACT_FIELDS)
    return [PersonFacts(id=pk, name=name, id_masked=masked, return_date=returned, origin=origin, category=category, hired_on=hired,
                        referred_by=referrer)
            for pk, name, masked, returned, origin, category, hired, referrer in rows]


def rule_specs(scheme: SubsidyScheme) -> list[RuleSpec]:
    return [RuleSpec(rule.pk, rule.kind, rule.name, rule.params) for rule in scheme.rules.all()]


def compute_for(*, scheme: SubsidyScheme, enterprise: Enterprise, as_of: date | None = None, monthly_rent: Decimal | None = None,
                people: list[PersonFacts] | None = None) -> Computation:
    """What ``enterprise``'s roster earns under ``scheme`` today (or ``as_of``)."""
    return compute(period=(scheme.period_start, scheme.period_end), rules=rule_specs(scheme),
                   people=roster_facts(enterprise) if people is None else people, as_of=as_of or timezone.localdate(),
                   monthly_rent=monthly_rent, park_tenant=enterprise.in_park, park_tenants_only=scheme.park_tenants_only)


def open_application(scheme: SubsidyScheme, enterprise: Enterprise) -> SubsidyApplication | None:
    """The enterprise's pending or approved application of the scheme's current period, if any."""
    return (SubsidyApplication.objects.filter(scheme=scheme, enterprise=enterprise, period_start=scheme.period_start,
                                              period_end=scheme.period_end,
                                              status__in=[ApplicationStatus.PENDING, ApplicationStatus.APPROVED]).first())


def display_name(user: Any, name: str, enterprise: Enterprise, *, reveal: bool | None = None) -> str:
    """A person's name as this user may see it (``subsidies.reveal_names``), else 张*."""
    if reveal is None:
        reveal = user.has_perm("subsidies.reveal_names", enterprise)
    return name if reveal else mask_name(name)


@dataclass(frozen=True)
class SchemeTotals:
    """One scheme's figures over the applications a user sees."""

    scheme: SubsidyScheme
    applications: int
    pending: int
    approved: int
    rejected: int
    people_approved: int
    amount_approved: Decimal
    amount_pending: Decimal


def scheme_totals(user: Any) -> list[SchemeTotals]:
    """Per scheme the user sees: applications by status, people and amounts approved (one query
    over the applications, one over the schemes)."""
    approved, pending = Q(status=ApplicationStatus.APPROVED), Q(status=ApplicationStatus.PENDING)
    rows = {row["scheme"]: row for row in SubsidyApplication.objects.for_user(user).order_by().values("scheme").annotate(
        n=Count("pk"), pending=Count("pk", filter=pending), approved=Count("pk", filter=approved),
        rejected=Count("pk", filter=Q(status=ApplicationStatus.REJECTED)),
        people=Sum("people_count", filter=approved), amount=Sum("total_amount", filter=approved),
        amount_pending=Sum("total_amount", filter=pending))}
    result = []
    for scheme in SubsidyScheme.objects.for_user(user).select_related("region"):
        row = rows.get(scheme.pk, {})
        result.append(SchemeTotals(scheme, row.get("n", 0), row.get("pending", 0), row.get("approved", 0), row.get("rejected", 0),
                                   row.get("people") or 0, row.get("amount") or Decimal("0"), row.get("amount_pending") or Decimal("0")))
    return result


def payment_lines(user: Any, scheme: SubsidyScheme) -> QuerySet[SubsidyLine]:
    """The approved lines of ``scheme`` the user sees: the payment list (发放清单)."""
    return (SubsidyLine.objects.for_user(user).filter(application__scheme=scheme, application__status=ApplicationStatus.APPROVED)
            .select_related("application__enterprise__region", "application__enterprise__town")
            .order_by("application__enterprise__name", "application_id", "order"))
