"""Quarantine pages: the placements list with the summary card, the sites with their occupancy,
a site's rooms and beds, a placement with its checks and the record-check and release forms, and
the form that places a person (from their record or from an open fever alert).

Every object is looked up in ``for_user`` (out of scope is a 404); every write is a service call;
a refused POST renders the page again with what was typed and says in Chinese what to fix."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fugong.core.views import ScopedListView
from fugong.health.choices import AlertKind, AlertStatus
from fugong.health.models import Alert
from fugong.quarantine.choices import PlacementStatus, QuarantineKind
from fugong.quarantine.exporters import export_placements
from fugong.quarantine.filters import PlacementFilter, SiteFilter
from fugong.quarantine.forms import CheckForm, PlacementForm, ReleaseForm, apply_service_errors
from fugong.quarantine.models import Bed, Placement, QuarantineCheck, Room, Site
from fugong.quarantine.selectors import due_for_release, occupancy_by_kind, occupancy_percent, summary, with_occupancy
from fugong.quarantine.services import check_record, check_slot, placement_create, placement_release, slot_label
from fugong.workforce.models import Person

DUE_TODAY_SHOWN = 10  # the summary lists the first ones; the list's "今日到期" filter shows them all
FOUND_SHOWN = 10  # people found by name for "安排隔离"


def _policy_of(placement: Placement) -> Any:
    from fugong.policy.services import current

    return current(placement.enterprise.region)


# -- lists -----------------------------------------------------------------------------------------

class PlacementListView(ScopedListView):
    model = Placement
    filterset_class = PlacementFilter
    permission_required = "quarantine.list_placements"
    export_permission = "quarantine.export_placements"
    export_name = "隔离台账"
    template_name = "quarantine/list.html"
    table_template = "quarantine/_table.html"

    def base_queryset(self) -> QuerySet[Placement]:
        return (super().base_queryset().select_related("person", "enterprise__town", "site", "room", "bed")
                .order_by("status", "planned_end", "-start"))

    def export(self, queryset: QuerySet[Placement]) -> bytes:
        return export_placements(queryset)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["today"] = today = timezone.localdate()
        if not self.request.headers.get("HX-Request"):
            scoped = Placement.objects.for_user(self.request.user)
            context["summary"] = summary(scoped, today)
            context["due_today"] = list(due_for_release(scoped, today).order_by("site__name", "person__name")[:DUE_TODAY_SHOWN])
            context["occupancy"] = occupancy_by_kind(Site.objects.for_user(self.request.user))
            context["kinds"] = QuarantineKind
            context.update(self._to_place())
        return context

    def _to_place(self) -> dict[str, Any]:
        """Who may need placing: open fever and symptom alerts of people not yet isolated, and the
        people found by name (``?find=``), each with a link to the placement form."""
        user = self.request.user
        if not user.has_perm("quarantine.open_place_form"):
            return {}
        held = Placement.objects.filter(status=PlacementStatus.ACTIVE).values("person_id")
        alerts = (Alert.objects.for_user(user).filter(status=AlertStatus.OPEN, kind__in=[AlertKind.FEVER, AlertKind.SYMPTOM],
                                                      person__isnull=False)
                  .exclude(person_id__in=held).select_related("person", "enterprise").order_by("-raised_at"))
        find = self.request.GET.get("find", "").strip()
        found = (Person.objects.for_user(user).filter(Q(name__icontains=find) | Q(phone=find)).select_related("enterprise")
                 .order_by("name")[:FOUND_SHOWN]) if find else []
        return {"open_alerts": list(alerts[:DUE_TODAY_SHOWN]), "open_alert_count": alerts.count(), "find": find, "found": found,
                "held_ids": set(Placement.objects.filter(status=PlacementStatus.ACTIVE, person__in=list(found)).values_list("person_id", flat=True))
                if find else set()}


placement_list = PlacementListView.as_view()


class SiteListView(ScopedListView):
    model = Site
    filterset_class = SiteFilter
    permission_required = "quarantine.list_sites"
    template_name = "quarantine/sites.html"
    table_template = "quarantine/_site_table.html"

    def base_queryset(self) -> QuerySet[Site]:
        return with_occupancy(super().base_queryset().select_related("region", "enterprise")).order_by("-kind", "reserve", "name")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = context["page"]
        page.object_list = list(page.object_list)
        for site in page.object_list:
            site.percent = occupancy_percent(site.used_beds, site.bed_count)
        if not self.request.headers.get("HX-Request"):
            context["occupancy"] = occupancy_by_kind(Site.objects.for_user(self.request.user))
            context["kinds"] = QuarantineKind
        return context


site_list = SiteListView.as_view()


@login_required
@permission_required("quarantine.list_sites", raise_exception=True)
@require_safe
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The rooms and beds of a site as a grid: free, occupied (with the person when the user may
    see the placement), due for release today."""
    site = get_object_or_404(with_occupancy(Site.objects.for_user(request.user)).select_related("region", "enterprise"), pk=pk)
    today = timezone.localdate()
    rooms = list(Room.objects.filter(site=site).prefetch_related(Prefetch("beds", queryset=Bed.objects.order_by("label"))))
    held = {p.bed_id: p for p in Placement.objects.filter(site=site, status=PlacementStatus.ACTIVE).only("pk", "bed_id", "planned_end")}
    visible = set(Placement.objects.for_user(request.user).filter(site=site, status=PlacementStatus.ACTIVE).values_list("pk", flat=True))
    names = dict(Placement.objects.filter(pk__in=visible).values_list("pk", "person__name"))
    grid = []
    for room in rooms:
        beds = []
        for bed in room.beds.all():
            placement = held.get(bed.pk)
            beds.append({"bed": bed, "placement": placement, "visible": placement is not None and placement.pk in visible,
                         "name": names.get(placement.pk, "") if placement else "", "due": placement is not None and placement.planned_end <= today})
        grid.append({"room": room, "beds": beds, "full": all(b["placement"] for b in beds)})
    return render(request, "quarantine/site.html", {
        "site": site, "grid": grid, "percent": occupancy_percent(site.used_beds, site.bed_count),  # type: ignore[attr-defined]
        "can_place": request.user.has_perm("quarantine.open_place_form"),
    })


# -- a placement -----------------------------------------------------------------------------------

def _scoped_placement(request: HttpRequest, uuid: Any) -> Placement:
    return get_object_or_404(
        Placement.objects.for_user(request.user).select_related("person", "enterprise__region", "enterprise__town", "site__region", "room", "bed",
                                                                "alert", "released_by"),
        pk=uuid,
    )


def _check_rows(placement: Placement, per_day: int, today: date) -> list[dict[str, Any]]:
    """One row per day of the isolation so far (newest first), a cell per slot: the check or a gap."""
    checks: dict[tuple[date, int], QuarantineCheck] = {(c.date, c.slot): c for c in placement.checks.select_related("recorded_by")}
    last = min(placement.released_on or today, today)
    rows = []
    day = last
    while day >= placement.start:
        rows.append({"date": day, "cells": [checks.get((day, slot)) for slot in range(1, per_day + 1)]})
        day -= timedelta(days=1)
    return rows


def _render_detail(request: HttpRequest, placement: Placement, *, check_form: CheckForm | None = None, release_form: ReleaseForm | None = None,
                   status: int = 200) -> HttpResponse:
    policy = _policy_of(placement)
    per_day = int(policy.quarantine_check_per_day)
    today = timezone.localdate()
    slots = [(slot, slot_label(slot, per_day)) for slot in range(1, per_day + 1)]
    # The state first: a superuser passes every rule, an open placement is still needed.
    can_check = placement.is_active and request.user.has_perm("quarantine.record_check", placement)
    can_release = placement.is_active and request.user.has_perm("quarantine.release", placement)
    if check_form is None and can_check:
        # The slot of now (morning until the policy's hour), so a phone user just types the temperature.
        check_form = CheckForm(slots=slots, initial={"slot": check_slot(timezone.localtime().hour, policy)})
    if release_form is None and can_release:
        release_form = ReleaseForm()
    return render(request, "quarantine/detail.html", {
        "placement": placement, "person": placement.person, "today": today, "slots": slots,
        "rows": _check_rows(placement, per_day, today), "check_form": check_form if can_check else None,
        "release_form": release_form if can_release else None,
        "days_left": (placement.planned_end - today).days if placement.is_active else None,
        "early": placement.is_active and today < placement.planned_end,
    }, status=status)


@login_required
@require_safe
def placement_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    return _render_detail(request, _scoped_placement(request, uuid))


@login_required
@require_POST
def check_view(request: HttpRequest, uuid: Any) -> HttpResponse:
    placement = _scoped_placement(request, uuid)
    if not placement.is_active:
        messages.error(request, "该人员已解除隔离，不能再登记检测。")
        return redirect(placement)
    if not request.user.has_perm("quarantine.record_check", placement):
        raise PermissionDenied("您无权为该人员登记隔离检测。")
    per_day = int(_policy_of(placement).quarantine_check_per_day)
    form = CheckForm(request.POST, slots=[(slot, slot_label(slot, per_day)) for slot in range(1, per_day + 1)])
    if not form.is_valid():
        return _render_detail(request, placement, check_form=form)
    data = form.cleaned_data
    try:
        result = check_record(placement=placement, temperature=data["temperature"], cough=data["cough"], symptoms=data["symptoms"],
                              day=data["date"], slot=data["slot"], acting_user=request.user, request=request)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _render_detail(request, placement, check_form=form)
    if result.alert is not None:
        messages.warning(request, f"已登记：{result.alert.detail}。已生成{result.alert.get_kind_display()}预警，请按流程送发热门诊排查。")
    else:
        messages.success(request, f"已登记 {data['date']:%m月%d日}{slot_label(data['slot'], per_day)}检测：{result.check.temperature}℃。")
    return redirect(placement)


@login_required
@require_POST
def release_view(request: HttpRequest, uuid: Any) -> HttpResponse:
    placement = _scoped_placement(request, uuid)
    if not placement.is_active:
        messages.info(request, "该人员已解除隔离。")
        return redirect(placement)
    if not request.user.has_perm("quarantine.release", placement):
        raise PermissionDenied("解除隔离由辖区指挥部或网格长决定。")
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, placement, release_form=form)
    try:
        released = placement_release(placement=placement, note=form.cleaned_data["note"], on=form.cleaned_data["on"], acting_user=request.user,
                                     request=request)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _render_detail(request, placement, release_form=form)
    messages.success(request, f"已于 {released.released_on:%Y-%m-%d} 解除隔离。如需返岗，请网格长重新签发出入证。")
    return redirect(released)


# -- placing a person ------------------------------------------------------------------------------

def _place(request: HttpRequest, person: Person, alert: Alert | None) -> HttpResponse:
    current = Placement.objects.filter(person=person, status=PlacementStatus.ACTIVE).select_related("site").first()
    initial = {"reason": "fever"} if alert is not None else {}
    form = PlacementForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            placement = placement_create(person=person, kind=data["kind"], reason=data["reason"], start=data["start"], site=data.get("site"),
                                         room=data.get("room_obj"), note=data["note"], alert=alert, acting_user=request.user, request=request)
        except ValidationError as exc:
            apply_service_errors(form, exc, aliases={"on": "start", "bed": "room", "person": "__all__", "alert": "__all__"})
        else:
            closed = "，预警已处置为“已隔离”" if alert is not None else ""
            messages.success(request, f"已安排{placement.get_kind_display()}，计划 {placement.planned_end:%Y-%m-%d} 解除；出入证已自动吊销{closed}。")
            return redirect(placement)
    return render(request, "quarantine/place.html", {"person": person, "alert": alert, "form": form, "current": current})


@login_required
@permission_required("quarantine.open_place_form", raise_exception=True)
@require_http_methods(["GET", "POST"])
def place_person(request: HttpRequest, person: Any) -> HttpResponse:
    """Place a person in isolation, from their record (``/quarantine/place/<person uuid>/``)."""
    found = get_object_or_404(Person.objects.for_user(request.user).select_related("enterprise__region", "enterprise__town"), pk=person)
    if not request.user.has_perm("quarantine.place_person", found):
        raise PermissionDenied("您无权为该人员安排隔离。")
    return _place(request, found, None)


@login_required
@permission_required("quarantine.open_place_form", raise_exception=True)
@require_http_methods(["GET", "POST"])
def place_from_alert(request: HttpRequest, alert: Any) -> HttpResponse:
    """安排隔离 from an open fever or symptom alert; the placement closes the alert as "isolated"."""
    found = get_object_or_404(
        Alert.objects.for_user(request.user).filter(status=AlertStatus.OPEN, kind__in=[AlertKind.FEVER, AlertKind.SYMPTOM], person__isnull=False)
        .select_related("person__enterprise__region", "person__enterprise__town"),
        uuid=alert,
    )
    person = found.person
    assert person is not None
    if not request.user.has_perm("quarantine.place_person", person):
        raise PermissionDenied("您无权为该人员安排隔离。")
    return _place(request, person, found)
