"""Reads for the review side: the step each application waits on, who may decide it, the review
queue and its counts. Everything is worked out in SQL (correlated subqueries), so a queue of
thousands of applications costs the same handful of queries as a queue of three."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from fugong.accounts.scope import Scope, scope_of
from fugong.policy.services import current
from fugong.regions.models import Region
from fugong.resumption.choices import UNDER_REVIEW, Stage, StepStatus
from fugong.resumption.models import Application, ReturnPlanEntry, ReviewStep


def decidable_q(scope: Scope) -> Q:
    """Steps this scope may decide, as ``services.can_decide`` says: a department's step for its
    reviewers, a town's or county's step for command officers of exactly that region."""
    if scope.is_admin:
        return Q()
    return (Q(stage=Stage.DEPARTMENT, department_id__in=scope.department_ids)
            | Q(stage__in=[Stage.TOWN, Stage.COUNTY], region__path__in=scope.command_paths))


def _current_step_of(application_ref: Any, round_ref: Any) -> QuerySet[ReviewStep]:
    """The pending steps of the application's latest submission, first one first: the first is
    the step it waits on (``services.pending_step``)."""
    return ReviewStep.objects.filter(application=application_ref, round=round_ref, status=StepStatus.PENDING).order_by("order")


def with_current_step(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate each application with the step it waits on: ``step_stage``, ``step_opened_at``,
    ``step_department`` (name) and ``step_region`` (name); all None when nothing is pending."""
    step = _current_step_of(OuterRef("pk"), OuterRef("submission_count"))
    return queryset.annotate(
        step_stage=Subquery(step.values("stage")[:1]),
        step_opened_at=Subquery(step.values("opened_at")[:1]),
        step_department=Subquery(step.values("department__name")[:1]),
        step_region=Subquery(step.values("region__name")[:1]),
    )


def with_returning_headcount(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate ``headcount_total``: the sum of the return plan (a subquery, so the scoping joins
    cannot multiply it)."""
    total = (ReturnPlanEntry.objects.filter(application=OuterRef("pk")).order_by().values("application")
             .annotate(total=Sum("count")).values("total")[:1])
    return queryset.annotate(headcount_total=Subquery(total))


def decidable_by(scope: Scope) -> Exists:
    """True for an application whose current step (first pending of its latest round, while under
    review) is one the scope may decide. An earlier step still pending means it is not yet theirs
    (the town's step exists, pending, from submission on, but waits for the departments)."""
    earlier_pending = ReviewStep.objects.filter(application=OuterRef("application"), round=OuterRef("round"),
                                                status=StepStatus.PENDING, order__lt=OuterRef("order"))
    steps = (_current_step_of(OuterRef("pk"), OuterRef("submission_count"))
             .filter(decidable_q(scope), application__status__in=UNDER_REVIEW)
             .filter(~Exists(earlier_pending)))
    return Exists(steps)


def in_scope(user: Any) -> QuerySet[Application]:
    """``Application.objects.for_user`` as a semi-join (``pk IN (…)``). The scoping joins review
    steps for reviewers and so needs DISTINCT; kept inside the subquery, the outer query can be
    annotated, counted (without computing the annotations) and aggregated without it."""
    return Application.objects.filter(pk__in=Application.objects.for_user(user).values("pk"))


def review_queue(user: Any) -> QuerySet[Application]:
    """Applications in the user's scope whose current step the user may decide, longest waiting first."""
    scope = scope_of(user)
    queryset = in_scope(user).filter(status__in=UNDER_REVIEW).filter(decidable_by(scope))
    return with_current_step(queryset).order_by("step_opened_at", "pk")


def review_due_hours(user: Any) -> int:
    """The policy's time limit for one review step, for the place the user works in (its county
    may set its own); the base policy for users with no or several places."""
    cached = getattr(user, "_fugong_review_due_hours", None)
    if cached is not None:  # read once per request (the list, its filter and its counts all need it)
        return int(cached)
    scope = scope_of(user)
    paths = set(scope.command_paths + scope.reviewer_paths + scope.grid_paths)
    region = Region.objects.filter(path=next(iter(paths))).first() if len(paths) == 1 else None
    hours = int(current(region).review_due_hours)
    if user is not None:
        user._fugong_review_due_hours = hours
    return hours


def due_before(user: Any, now: datetime | None = None) -> datetime:
    """Steps opened before this moment are overdue."""
    return (now or timezone.now()) - timedelta(hours=review_due_hours(user))


def overdue_q(before: datetime) -> Q:
    """On an application queryset annotated by :func:`with_current_step`."""
    return Q(step_opened_at__lt=before)


@dataclass(frozen=True)
class QueueCounts:
    department: int = 0
    town: int = 0
    county: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.department + self.town + self.county


def queue_counts(queue: QuerySet[Application], before: datetime) -> QueueCounts:
    """How many wait at each stage, and how many of them are overdue: one query."""
    counts = queue.order_by().aggregate(
        department=Count("pk", filter=Q(step_stage=Stage.DEPARTMENT)),
        town=Count("pk", filter=Q(step_stage=Stage.TOWN)),
        county=Count("pk", filter=Q(step_stage=Stage.COUNTY)),
        overdue=Count("pk", filter=overdue_q(before)),
    )
    return QueueCounts(**{key: value or 0 for key, value in counts.items()})


def hours_waiting(opened_at: datetime | None, now: datetime | None = None) -> int | None:
    """Whole hours a step has waited (None when nothing waits)."""
    if opened_at is None:
        return None
    return max(0, int(((now or timezone.now()) - opened_at).total_seconds() // 3600))


def waiting_text(hours: int | None) -> str:
    """"30 小时", or "5 天" past two days: how long, as a person says it."""
    if hours is None:
        return ""
    return f"{hours} 小时" if hours < 48 else f"{hours // 24} 天"


def step_label(stage: str | None, department: str | None, region: str | None) -> str:
    """"主管部门审核（经贸办）" / "镇街指挥部审批（高新区）", from the annotations."""
    if not stage:
        return ""
    where = department or region or ""
    return f"{Stage(stage).label}（{where}）" if where else str(Stage(stage).label)
