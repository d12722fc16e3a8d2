"""Reads for the inspection pages: the acceptance queue, the enterprise finder and the checklist
cards of one inspection. Everything starts from ``for_user``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from fugong.enterprises.models import Enterprise
from fugong.enterprises.querysets import region_q
from fugong.inspections.choices import Condition, InspectionStatus, RectificationStatus, Result, TemplateKind
from fugong.inspections.models import UNVERIFIED_STATUSES, ChecklistItem, Inspection, InspectionPhoto, RectificationItem
from fugong.inspections.services import applicable_items, may_inspect
from fugong.regions.models import Region
from fugong.resumption.choices import Status
from fugong.resumption.models import Application

# Checks an officer starts by hand on an approved enterprise; the acceptance starts from its application.
STARTABLE_KINDS = (TemplateKind.POST_RESUMPTION, TemplateKind.CANTEEN, TemplateKind.DORMITORY, TemplateKind.SHUTTLE_BUS)
KIND_NEEDS = {TemplateKind.CANTEEN: Condition.CANTEEN, TemplateKind.DORMITORY: Condition.DORMITORY,
              TemplateKind.SHUTTLE_BUS: Condition.SHUTTLE_BUS}


@dataclass
class AwaitingAcceptance:
    application: Application
    open_inspection: Inspection | None
    failed_acceptances: int


def awaiting_acceptance(user: Any, *, limit: int = 50) -> tuple[list[AwaitingAcceptance], int]:
    """Applications approved on paper and waiting for the on-site acceptance that the user may do,
    oldest first, with the acceptance already open (to continue) and how many failed before."""
    applications = (
        Application.objects.for_user(user).filter(status=Status.INSPECTION)
        .select_related("enterprise__town", "enterprise__region")
        .annotate(failed_acceptances=Count("inspections", filter=Q(inspections__status=InspectionStatus.FAILED,
                                                                    inspections__template__kind=TemplateKind.ACCEPTANCE), distinct=True))
        .order_by("updated_at")
    )
    rows = [a for a in applications[: limit * 2] if may_inspect(user, a.enterprise)][:limit]
    total = applications.count()
    open_by_application = {
        i.application_id: i for i in Inspection.objects.filter(application__in=[r.pk for r in rows], status=InspectionStatus.IN_PROGRESS,
                                                               template__kind=TemplateKind.ACCEPTANCE)
    }
    return [AwaitingAcceptance(a, open_by_application.get(a.pk), a.failed_acceptances) for a in rows], total  # type: ignore[attr-defined]


def startable_kinds(enterprise: Enterprise) -> list[tuple[str, str]]:
    """The hand-started checks that apply: no canteen check where there is no canteen."""
    has = {Condition.CANTEEN: enterprise.has_canteen, Condition.DORMITORY: enterprise.has_dormitory,
           Condition.SHUTTLE_BUS: enterprise.has_shuttle_bus}
    return [(kind.value, str(kind.label)) for kind in STARTABLE_KINDS if kind not in KIND_NEEDS or has[KIND_NEEDS[kind]]]


def find_enterprises(user: Any, query: str, *, limit: int = 10) -> list[tuple[Enterprise, list[tuple[str, str]]]]:
    """Enterprises the user may inspect whose name or credit code contains ``query``."""
    query = query.strip()
    if not query:
        return []
    found = (Enterprise.objects.for_user(user).filter(Q(name__icontains=query) | Q(uscc__icontains=query.upper()))
             .select_related("town", "region").order_by("name")[: limit * 3])
    return [(e, startable_kinds(e)) for e in found if may_inspect(user, e)][:limit]


@dataclass
class Card:
    """One checklist item on the inspection page, with what is saved or was just typed."""

    item: ChecklistItem
    result: str = ""
    note: str = ""
    saved: bool = False
    photos: list[InspectionPhoto] = field(default_factory=list)
    error: str = ""

    @property
    def result_label(self) -> str:
        return str(Result(self.result).label) if self.result in Result.values else ""


def inspection_cards(inspection: Inspection, typed: dict[int, tuple[str, str]] | None = None) -> list[Card]:
    """The applicable items in order; typed values (a refused POST) win over saved ones so nothing
    the inspector entered is lost."""
    typed = typed or {}
    results = {r.item_id: r for r in inspection.results.prefetch_related("photos")}
    cards = []
    for item in applicable_items(inspection.template, inspection.enterprise):
        saved = results.get(item.pk)
        card = Card(item=item, saved=saved is not None, photos=list(saved.photos.all()) if saved else [])
        if saved is not None:
            card.result, card.note = saved.result, saved.note
        if item.pk in typed:
            result, note = typed[item.pk]
            card.result = result if result in Result.values else card.result
            card.note = note
            if card.result == Result.FAIL and not note.strip():
                card.error = "不合格项须写明问题。"
        cards.append(card)
    return cards


# -- rectification counts (the summary page and the command centre) -------------------------------------

@dataclass
class TownCounts:
    """Findings of one town: found, rectified (verified), still open (not verified) and overdue."""

    town: Region
    found: int = 0
    rectified: int = 0
    answered: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.rectified / self.found) if self.found else 100


def rectification_counts(regions: Any, *, today: date | None = None, since: date | None = None, until: date | None = None,
                         source: str = "") -> list[TownCounts]:
    """Per town under ``regions`` (a Region queryset, regions or materialised paths): rectification
    items found (optionally between ``since`` and ``until``, by ``source``), rectified (verified),
    waiting for verification, open and overdue on ``today``. One query for the counts."""
    from fugong.inspections.patrols import region_paths

    today = today or timezone.localdate()
    items = RectificationItem.objects.filter(region_q(region_paths(regions), "enterprise__region"))
    if since:
        items = items.filter(created_at__date__gte=since)
    if until:
        items = items.filter(created_at__date__lte=until)
    if source:
        items = items.from_source(source)
    overdue = Q(status__in=UNVERIFIED_STATUSES, deadline__lt=today)
    rows = (items.order_by().values("enterprise__town_id")
            .annotate(found=Count("pk"), rectified=Count("pk", filter=Q(status=RectificationStatus.VERIFIED)),
                      answered=Count("pk", filter=Q(status=RectificationStatus.ANSWERED)),
                      open=Count("pk", filter=~Q(status=RectificationStatus.VERIFIED)), overdue=Count("pk", filter=overdue)))
    towns = Region.objects.in_bulk([r["enterprise__town_id"] for r in rows])
    counts = [TownCounts(town=towns[r["enterprise__town_id"]], found=r["found"], rectified=r["rectified"], answered=r["answered"],
                         open=r["open"], overdue=r["overdue"]) for r in rows]
    return sorted(counts, key=lambda c: c.town.path)


def rectification_history(item: RectificationItem) -> list[Any]:
    """The item's steps in order, each with the photos sent with it (``event.photos``)."""
    events = list(item.history.select_related("actor").prefetch_related("evidence"))
    for event in events:
        event.photos = list(event.evidence.all())  # type: ignore[attr-defined]
    return events
