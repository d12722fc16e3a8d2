"""The enterprise's daily report (日报告) to its town (SPEC.md, "Health monitoring").

The figures are filled in from the data, never typed: on-site headcount (a check-in or a gate
entry that day), returned today by origin, in isolation, fever cases, and days of protective
materials. The enterprise confirms them, or files a zero report (零报告) in one click when
nothing is abnormal. Enterprises with an approved resumption application must report; after the
policy's ``daily_report_deadline_hour`` (per county: 鹤山市 9, elsewhere 10) a missing report
raises an alert (:func:`check_missing_reports`, run by django-celery-beat).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from fugong.audit.services import record
from fugong.enterprises.models import Enterprise
from fugong.health.choices import AlertKind, AlertOutcome, AlertStatus, ReportStatus
from fugong.health.models import Alert, CheckIn, DailyReport
from fugong.health.services import alert_close, alert_raise, local_day_and_hour
from fugong.policy.parameters import SHANGHAI
from fugong.workforce.choices import PersonOrigin
from fugong.workforce.models import Person

REPORT_LABEL = "企业日报"
UNKNOWN_ORIGIN = "unknown"
ORIGIN_LABELS: dict[str, str] = {**{o.value: str(o.label) for o in PersonOrigin}, UNKNOWN_ORIGIN: "未填来源地"}
FILED = (ReportStatus.CONFIRMED, ReportStatus.ZERO)
MATERIALS_DAYS_MAX = Decimal("99999.9")  # what the column holds (max_digits=6, one decimal)


# -- the figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFigures:
    """What the report says for one enterprise and day, as computed from the data."""

    day: date
    on_site: int
    returned_today: dict[str, int] = field(default_factory=dict)
    in_isolation: int = 0
    fever_cases: int = 0
    materials_days: Decimal | None = None
    masks: int | None = None  # the mask reserve the days were computed from

    @property
    def returned_total(self) -> int:
        return sum(self.returned_today.values())

    @property
    def abnormal(self) -> bool:
        """Something a zero report would hide: someone in isolation or with a fever."""
        return bool(self.in_isolation or self.fever_cases)

    def as_fields(self) -> dict[str, Any]:
        return {"on_site": self.on_site, "returned_today": dict(self.returned_today), "in_isolation": self.in_isolation,
                "fever_cases": self.fever_cases, "materials_days": self.materials_days}


def returned_rows(returned: dict[str, int]) -> list[tuple[str, int]]:
    """(label, count) of a ``returned_today`` mapping, in the choices' order."""
    order = [*(o.value for o in PersonOrigin), UNKNOWN_ORIGIN]
    return [(ORIGIN_LABELS.get(key, key), returned[key]) for key in sorted(returned, key=lambda k: order.index(k) if k in order else 99)
            if returned[key]]


def gate_entries(enterprise: Enterprise, day: date) -> set[Any]:
    """The staff who entered through one of the enterprise's gates on ``day`` (an allowed passage
    in). Empty while the gates app is not installed: the check-ins alone then count."""
    if not apps.is_installed("fugong.gates"):
        return set()
    from fugong.gates.choices import Direction, Outcome
    from fugong.gates.models import Passage

    # The enterprise's own gates: a checkpoint on the road into the city is not being on site.
    return set(Passage.objects.filter(enterprise=enterprise, gate__enterprise=enterprise, date=day, direction=Direction.IN,
                                      outcome=Outcome.ALLOWED, person__isnull=False).values_list("person_id", flat=True).distinct())


def on_site_person_ids(enterprise: Enterprise, day: date) -> set[Any]:
    """Who was on site: a check-in that day, or a gate entry."""
    checked = set(CheckIn.objects.filter(enterprise=enterprise, date=day).values_list("person_id", flat=True).distinct())
    return checked | gate_entries(enterprise, day)


def mask_reserve(enterprise: Enterprise) -> int | None:
    """Masks in reserve according to the latest approved resumption application; None when there
    is no approved application or it declared no masks."""
    from fugong.resumption.choices import MaterialItem, Status
    from fugong.resumption.models import MaterialReserve

    reserve = (MaterialReserve.objects.filter(application__enterprise=enterprise, application__status=Status.APPROVED, item=MaterialItem.MASK)
               .order_by("-application__decided_at", "-application__pk").values_list("quantity", flat=True).first())
    return reserve


def materials_days_of(masks: int | None, on_site: int, per_person_per_day: Decimal) -> Decimal | None:
    """Days of masks: the reserve ÷ (on-site headcount × the policy's daily use per person),
    rounded down to a tenth (a reserve is never overstated). None when it cannot be known: no
    reserve declared, nobody on site, or no daily use."""
    if masks is None or on_site <= 0 or per_person_per_day <= 0:
        return None
    days = (Decimal(masks) / (Decimal(on_site) * per_person_per_day)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    return min(days, MATERIALS_DAYS_MAX)


def _policy_on(enterprise: Enterprise, day: date) -> Any:
    from fugong.policy.services import current

    return current(enterprise.region, datetime.combine(day, time(12, 0), tzinfo=SHANGHAI))


def daily_report_figures(enterprise: Enterprise, day: date) -> ReportFigures:
    """The report's figures for ``enterprise`` on ``day``, from the data (a handful of queries)."""
    from fugong.quarantine.models import Placement
    from fugong.quarantine.selectors import in_isolation_on

    on_site = len(on_site_person_ids(enterprise, day))
    returned: dict[str, int] = {}
    for origin, count in (Person.objects.filter(enterprise=enterprise, return_date=day).order_by().values_list("origin")
                          .annotate(n=Count("pk"))):
        key = origin or UNKNOWN_ORIGIN
        returned[key] = returned.get(key, 0) + count
    in_isolation = in_isolation_on(Placement.objects.filter(enterprise=enterprise), day).count()
    fevers = Alert.objects.filter(enterprise=enterprise, kind=AlertKind.FEVER, date=day).aggregate(
        persons=Count("person", distinct=True), anonymous=Count("pk", filter=Q(person__isnull=True)))
    masks = mask_reserve(enterprise)
    per_person = Decimal(str(_policy_on(enterprise, day).masks_per_person_per_day))
    return ReportFigures(day=day, on_site=on_site, returned_today=returned, in_isolation=in_isolation,
                         fever_cases=fevers["persons"] + fevers["anonymous"], materials_days=materials_days_of(masks, on_site, per_person),
                         masks=masks)


# -- writing the report ----------------------------------------------------------------------------


def _locked_report(enterprise: Enterprise, day: date) -> DailyReport:
    """The (enterprise, day) report row, locked; created as a draft when there is none yet."""
    found = DailyReport.objects.select_for_update().filter(enterprise=enterprise, date=day).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return DailyReport.objects.create(enterprise=enterprise, date=day)
    except IntegrityError:  # created meanwhile by a concurrent request
        return DailyReport.objects.select_for_update().get(enterprise=enterprise, date=day)


def daily_report_fill(*, enterprise: Enterprise, day: date) -> DailyReport:
    """The report of ``enterprise`` for ``day`` with the figures computed now: a draft is created
    or refreshed; a filed report (confirmed or zero) is returned as it was filed. Not audited: a
    draft is a computation, the decision is its confirmation."""
    figures = daily_report_figures(enterprise, day)
    with transaction.atomic():
        report = _locked_report(enterprise, day)
        if report.status in FILED:
            return report
        for key, value in figures.as_fields().items():
            setattr(report, key, value)
        report.save(update_fields=[*figures.as_fields(), "updated_at"])
    return report


def _check_day(day: date | None) -> date:
    today = timezone.localdate()
    day = day or today
    if day > today:
        raise ValidationError({"date": "不能报送今天以后的日报。"})
    return day


def _file(*, enterprise: Enterprise, day: date | None, status: str, note: str, acting_user: Any, request: Any) -> DailyReport:
    if not acting_user.has_perm("health.file_daily_report_for", enterprise):
        raise PermissionDenied("只有本企业的防疫专员可以报送日报。")
    day = _check_day(day)
    figures = daily_report_figures(enterprise, day)
    if status == ReportStatus.ZERO and figures.abnormal:
        raise ValidationError({"status": f"今日有隔离观察 {figures.in_isolation} 人、发热 {figures.fever_cases} 人，不能零报告；请核对数据后“确认报送”。"},
                              code="abnormal")
    with transaction.atomic():
        report = _locked_report(enterprise, day)
        previous = report.status
        for key, value in figures.as_fields().items():
            setattr(report, key, value)
        report.status = status
        report.note = note.strip()[:2000]
        report.submitted_at = timezone.now()
        report.submitted_by = acting_user if getattr(acting_user, "pk", None) else None
        report.save(update_fields=[*figures.as_fields(), "status", "note", "submitted_at", "submitted_by", "updated_at"])
        # Aggregate figures only: no person is named in a daily report.
        record(action="daily_report.zero" if status == ReportStatus.ZERO else "daily_report.confirm", actor=acting_user, obj=report,
               object_label=REPORT_LABEL, request=request,
               data={"enterprise": enterprise.pk, "date": day.isoformat(), "previous": previous, "on_site": figures.on_site,
                     "returned": figures.returned_total, "in_isolation": figures.in_isolation, "fever_cases": figures.fever_cases,
                     "materials_days": str(figures.materials_days) if figures.materials_days is not None else None})
        # A late report settles the day's missing-report alert.
        for alert in Alert.objects.filter(enterprise=enterprise, date=day, kind=AlertKind.MISSING_REPORT, status=AlertStatus.OPEN):
            alert_close(alert=alert, outcome=AlertOutcome.CLEARED, note=f"企业已于 {timezone.localtime():%m月%d日 %H:%M} 补报日报。",
                        acting_user=acting_user, request=request)
    return report


def daily_report_confirm(*, enterprise: Enterprise, acting_user: Any, day: date | None = None, note: str = "", request: Any = None) -> DailyReport:
    """The enterprise confirms its report (today's by default) with the figures as they stand now,
    and an optional note. Confirming again refreshes the figures. For the enterprise's admin (and
    the platform admin); audited with the aggregate figures."""
    return _file(enterprise=enterprise, day=day, status=ReportStatus.CONFIRMED, note=note, acting_user=acting_user, request=request)


def daily_report_zero(*, enterprise: Enterprise, acting_user: Any, day: date | None = None, request: Any = None) -> DailyReport:
    """A zero report (零报告) in one click: nothing abnormal today. Refused when the data shows
    someone in isolation or with a fever (then the report must be confirmed). Audited."""
    return _file(enterprise=enterprise, day=day, status=ReportStatus.ZERO, note="", acting_user=acting_user, request=request)


# -- who must report, who has not ------------------------------------------------------------------


def must_report(enterprises: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """The enterprises that file daily reports: those with an approved resumption application."""
    from fugong.resumption.choices import Status
    from fugong.resumption.models import Application

    return enterprises.filter(Exists(Application.objects.filter(enterprise=OuterRef("pk"), status=Status.APPROVED)))


def with_report_status(enterprises: QuerySet[Enterprise], day: date) -> QuerySet[Enterprise]:
    """Enterprises annotated with their report of ``day``: ``report_status`` (None when there is
    none), ``report_submitted_at``."""
    reports = DailyReport.objects.filter(enterprise=OuterRef("pk"), date=day)
    return enterprises.annotate(report_status=Subquery(reports.values("status")[:1]),
                                report_submitted_at=Subquery(reports.values("submitted_at")[:1]))


NOT_FILED = Q(report_status__isnull=True) | Q(report_status=ReportStatus.DRAFT)


def deadline_of(enterprise: Enterprise, day: date, cache: dict[Any, Any] | None = None) -> datetime:
    """When the enterprise's report of ``day`` is due: the county policy's deadline hour that day.
    ``cache`` (by town) saves reading the policy again for every enterprise of a town."""
    cache = cache if cache is not None else {}
    key = (enterprise.town_id, day)
    if key not in cache:
        hour = int(_policy_on(enterprise, day).daily_report_deadline_hour)
        cache[key] = datetime.combine(day, time(hour, 0), tzinfo=SHANGHAI)
    return cache[key]


def check_missing_reports(*, at: datetime | None = None) -> list[Alert]:
    """Raise a missing-report alert (AlertKind.MISSING_REPORT) for every enterprise that must
    report and has not filed today's report by its county's deadline hour.

    ``at`` is the moment of the run (now by default; tests pass it). Idempotent: one alert per
    enterprise and day (the model's unique constraint; an enterprise that has one is skipped).
    Returns the alerts raised by this run.
    """
    at = at or timezone.now()
    day, _hour = local_day_and_hour(at)
    filed = DailyReport.objects.filter(enterprise=OuterRef("pk"), date=day, status__in=FILED)
    alerted = Alert.objects.filter(enterprise=OuterRef("pk"), date=day, kind=AlertKind.MISSING_REPORT)
    candidates = must_report(Enterprise.objects.all()).exclude(Exists(filed)).exclude(Exists(alerted)).select_related("region").order_by("pk")
    raised: list[Alert] = []
    deadlines: dict[Any, Any] = {}
    for enterprise in candidates:
        deadline = deadline_of(enterprise, day, deadlines)
        if at < deadline:
            continue
        try:
            with transaction.atomic():
                raised.append(alert_raise(kind=AlertKind.MISSING_REPORT, enterprise=enterprise, at=at,
                                          detail=f"{day:%m月%d日}日报未在 {deadline:%H:%M} 前报送"))
        except IntegrityError:  # a concurrent run raised it first
            continue
    return raised
