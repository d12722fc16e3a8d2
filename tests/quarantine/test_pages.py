"""The quarantine pages as officers, the enterprise and the employee use them."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fugong.accounts.models import User
from fugong.enterprises.models import Enterprise
from fugong.health.choices import AlertKind, AlertOutcome, AlertStatus
from fugong.health.services import alert_raise
from fugong.quarantine.choices import PlacementReason, PlacementStatus, QuarantineKind
from fugong.quarantine.models import Placement, QuarantineCheck, Site
from fugong.quarantine.services import placement_create
from fugong.workforce.models import Person

pytestmark = pytest.mark.django_db


def place(person: Person, user: User, **kwargs: Any) -> Placement:
    kwargs.setdefault("kind", QuarantineKind.HOME)
    kwargs.setdefault("reason", PlacementReason.OUTSIDE_CITY)
    return placement_create(person=person, acting_user=user, **kwargs)


@pytest.fixture
def employee_record(own_enterprise: Enterprise, users: Callable[[str], User], person_at: Callable[..., Person]) -> Person:
    """The demo employee's own record (made here when the workforce demo did not link one)."""
    found = Person.objects.filter(user__username="employee").first()
    if found is not None:
        return found
    person = person_at(own_enterprise, "张晓明")
    Person.objects.filter(pk=person.pk).update(user=users("employee"))
    return Person.objects.get(pk=person.pk)


# -- the list --------------------------------------------------------------------------------------


def test_the_town_command_sees_the_summary_and_who_is_due_today(client_for: Callable[[str], Client], admin: User, own_enterprise: Enterprise,
                                                                central_site: Site, person_at: Callable[..., Person]) -> None:
    # Given a worker due for release today and one placed today
    today = timezone.localdate()
    due = place(person_at(own_enterprise, "到期甲"), admin, start=today - timedelta(days=14))
    place(person_at(own_enterprise, "新来乙"), admin, kind=QuarantineKind.CENTRAL, site=central_site)
    # When 高新区's command opens the quarantine page
    response = client_for("hitech_cmd").get(reverse("quarantine:list"))
    # Then the summary counts what its scope holds, and the due-today card names the worker
    assert response.status_code == 200
    scoped = Placement.objects.filter(enterprise__town__code="441602-GXQ")
    summary = response.context["summary"]
    assert summary.due_today == scoped.filter(status=PlacementStatus.ACTIVE, planned_end=today).count() >= 1
    assert summary.by_kind[QuarantineKind.CENTRAL] == scoped.filter(status=PlacementStatus.ACTIVE, kind=QuarantineKind.CENTRAL).count() >= 1
    card = response.context["due_today"]
    assert card and all(p.planned_end == today for p in card) and len(card) == min(summary.due_today, 10)
    # And the "due today" filter lists exactly those
    filtered = client_for("hitech_cmd").get(reverse("quarantine:list"), {"due": "today"})
    listed = set(filtered.context["page"].paginator.object_list)
    assert due in listed
    assert all(p.planned_end == today and p.status == PlacementStatus.ACTIVE for p in listed)


def test_the_list_pages_and_answers_htmx_with_the_table_alone(client_for: Callable[[str], Client], admin: User, own_enterprise: Enterprise,
                                                              person_at: Callable[..., Person],
                                                              django_assert_max_num_queries: Any) -> None:
    for number in range(30):
        place(person_at(own_enterprise, f"批量{number}"), admin)
    client = client_for("grid_officer")
    with django_assert_max_num_queries(20):
        page = client.get(reverse("quarantine:list"), {"q": "批量"})
    assert page.context["page"].paginator.count == 30 and len(page.context["page"].object_list) == 25
    table = client.get(reverse("quarantine:list"), {"q": "批量", "page": 2}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-table")
    assert "<html" not in table.content.decode() and len(table.context["page"].object_list) == 5


def test_the_export_lists_the_filtered_placements_with_masked_id_numbers(client_for: Callable[[str], Client], admin: User,
                                                                         own_enterprise: Enterprise, person_at: Callable[..., Person]) -> None:
    person = person_at(own_enterprise, "导出甲")
    place(person, admin)
    response = client_for("hitech_cmd").get(reverse("quarantine:list"), {"q": "导出甲", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "身份证号", "企业")
    assert [row[:3] for row in rows[1:]] == [("导出甲", person.id_masked, own_enterprise.name)]
    assert client_for("ent_admin").get(reverse("quarantine:list"), {"export": "xlsx"}).status_code == 403


# -- placing ---------------------------------------------------------------------------------------


def test_the_grid_officer_places_a_worker_from_their_record(client_for: Callable[[str], Client], own_enterprise: Enterprise,
                                                             person_at: Callable[..., Person]) -> None:
    person = person_at(own_enterprise)
    client = client_for("grid_officer")
    assert client.get(reverse("quarantine:place", args=[person.pk])).status_code == 200
    response = client.post(reverse("quarantine:place", args=[person.pk]), {
        "kind": QuarantineKind.HOME, "reason": PlacementReason.OUTSIDE_CITY, "start": timezone.localdate().isoformat(), "note": "居家单间"})
    placement = Placement.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == placement.get_absolute_url()
    assert placement.note == "居家单间" and placement.planned_end == timezone.localdate() + timedelta(days=14)


def test_a_refused_placement_keeps_what_was_typed_and_says_why(client_for: Callable[[str], Client], admin: User, own_enterprise: Enterprise,
                                                               central_site: Site, person_at: Callable[..., Person]) -> None:
    # Given a worker already isolated at home
    person = person_at(own_enterprise)
    place(person, admin)
    # When the command tries to place them at the central site, in a room that does not exist
    response = client_for("hitech_cmd").post(reverse("quarantine:place", args=[person.pk]), {
        "kind": QuarantineKind.CENTRAL, "reason": PlacementReason.CONTACT, "start": timezone.localdate().isoformat(), "site": central_site.pk,
        "room": "999", "note": "市疾控通知的密接"})
    # Then the form comes back with the typed values and the reason in Chinese
    assert response.status_code == 200
    form = response.context["form"]
    assert "没有 999 室" in str(form.errors["room"])
    assert form["note"].value() == "市疾控通知的密接" and form["site"].value() == str(central_site.pk)
    # And with a real room, the refusal is that the person is already isolated
    again = client_for("hitech_cmd").post(reverse("quarantine:place", args=[person.pk]), {
        "kind": QuarantineKind.CENTRAL, "reason": PlacementReason.CONTACT, "start": timezone.localdate().isoformat(), "site": central_site.pk,
        "room": "101", "note": "市疾控通知的密接"})
    assert "已在隔离中" in str(again.context["form"].non_field_errors())
    assert Placement.objects.filter(person=person).count() == 1


def test_an_open_fever_alert_leads_to_a_placement_that_closes_it(client_for: Callable[[str], Client], own_enterprise: Enterprise,
                                                                 observation_area: Site, person_at: Callable[..., Person]) -> None:
    person = person_at(own_enterprise)
    alert = alert_raise(kind=AlertKind.FEVER, enterprise=own_enterprise, person=person, temperature=Decimal("37.9"), detail="门岗测温 37.9℃")
    client = client_for("ent_admin")
    page = client.get(reverse("quarantine:place-from-alert", args=[alert.uuid]))
    assert page.status_code == 200 and "门岗测温 37.9℃" in page.content.decode()
    assert page.context["form"]["reason"].value() == PlacementReason.FEVER
    response = client.post(reverse("quarantine:place-from-alert", args=[alert.uuid]), {
        "kind": QuarantineKind.ENTERPRISE, "reason": PlacementReason.FEVER, "start": timezone.localdate().isoformat(),
        "site": observation_area.pk, "room": "A1"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.outcome) == (AlertStatus.CLOSED, AlertOutcome.ISOLATED)
    assert Placement.objects.get(person=person).room.number == "A1"  # type: ignore[union-attr]
    # A closed alert no longer opens the form
    assert client.get(reverse("quarantine:place-from-alert", args=[alert.uuid])).status_code == 404


# -- a placement -----------------------------------------------------------------------------------


def test_checks_are_recorded_on_the_placement_page(client_for: Callable[[str], Client], admin: User, own_enterprise: Enterprise,
                                                   person_at: Callable[..., Person]) -> None:
    placement = place(person_at(own_enterprise), admin, start=timezone.localdate() - timedelta(days=1))
    client = client_for("grid_officer")
    page = client.get(placement.get_absolute_url())
    assert page.status_code == 200 and page.context["check_form"] is not None
    assert len(page.context["rows"]) == 2  # yesterday and today, a cell per slot
    url = reverse("quarantine:check", args=[placement.pk])
    fine = client.post(url, {"date": timezone.localdate().isoformat(), "slot": 1, "temperature": "36.5"})
    fever = client.post(url, {"date": timezone.localdate().isoformat(), "slot": 2, "temperature": "38.4"})
    assert fine.status_code == fever.status_code == 302
    assert QuarantineCheck.objects.filter(placement=placement).count() == 2
    assert placement.person.alerts.filter(kind=AlertKind.FEVER).count() == 1
    # A typo is sent back with what was typed
    bad = client.post(url, {"date": timezone.localdate().isoformat(), "slot": 1, "temperature": "3.65"})
    assert bad.status_code == 200 and bad.context["check_form"]["temperature"].value() == "3.65"
    assert "体温应在" in str(bad.context["check_form"].errors)


def test_an_early_release_without_a_reason_is_sent_back(client_for: Callable[[str], Client], admin: User, own_enterprise: Enterprise,
                                                        person_at: Callable[..., Person]) -> None:
    placement = place(person_at(own_enterprise), admin)
    client = client_for("hitech_cmd")
    url = reverse("quarantine:release", args=[placement.pk])
    refused = client.post(url, {"on": timezone.localdate().isoformat(), "note": ""})
    assert refused.status_code == 200 and "提前解除须写明原因" in str(refused.context["release_form"].errors)
    done = client.post(url, {"on": timezone.localdate().isoformat(), "note": "经评估解除"})
    assert done.status_code == 302
    assert Placement.objects.get(pk=placement.pk).status == PlacementStatus.RELEASED
    # The enterprise may read it but not release or record
    assert client_for("ent_admin").get(placement.get_absolute_url()).context["release_form"] is None


def test_the_site_page_shows_its_rooms_and_who_is_in_them(client_for: Callable[[str], Client], admin: User, own_enterprise: Enterprise,
                                                          observation_area: Site, person_at: Callable[..., Person]) -> None:
    place(person_at(own_enterprise, "观察甲"), admin, kind=QuarantineKind.ENTERPRISE, site=observation_area, room=observation_area.rooms.get(number="A2"))
    response = client_for("ent_admin").get(observation_area.get_absolute_url())
    assert response.status_code == 200
    site = response.context["site"]
    assert (site.room_count, site.bed_count, site.used_beds) == (2, 3, 1)
    body = response.content.decode()
    assert "观察甲" in body and body.count('data-testid="bed-free"') == 2


# -- scope -----------------------------------------------------------------------------------------


def test_another_towns_or_countys_placement_is_not_found(client_for: Callable[[str], Client], admin: User, heshan_enterprise: Enterprise,
                                                         person_at: Callable[..., Person]) -> None:
    placement = place(person_at(heshan_enterprise), admin)
    for username in ("hitech_cmd", "grid_officer", "ent_admin", "employee", "gate_guard", "jmb_reviewer"):
        assert client_for(username).get(placement.get_absolute_url()).status_code == 404, username
    assert client_for("heshan_cmd").get(placement.get_absolute_url()).status_code == 200


def test_a_grid_officer_does_not_see_the_towns_central_site_or_another_grids_worker(client_for: Callable[[str], Client], admin: User,
                                                                                    central_site: Site, neighbour_enterprise: Enterprise,
                                                                                    person_at: Callable[..., Person]) -> None:
    other_grid = place(person_at(neighbour_enterprise), admin)
    client = client_for("grid_officer")
    assert client.get(central_site.get_absolute_url()).status_code == 404
    assert client.get(other_grid.get_absolute_url()).status_code == 404
    assert client_for("hitech_cmd").get(central_site.get_absolute_url()).status_code == 200


def test_an_employee_sees_their_own_placement_only(client_for: Callable[[str], Client], admin: User, own_enterprise: Enterprise,
                                                   employee_record: Person, person_at: Callable[..., Person]) -> None:
    own = place(employee_record, admin)
    colleague = place(person_at(own_enterprise, "同事乙"), admin)
    client = client_for("employee")
    page = client.get(own.get_absolute_url())
    assert page.status_code == 200 and page.context["check_form"] is None and page.context["release_form"] is None
    assert client.get(colleague.get_absolute_url()).status_code == 404
    assert client.get(reverse("quarantine:list")).status_code == 403


def test_the_enterprise_does_not_see_a_neighbours_worker(client_for: Callable[[str], Client], admin: User, neighbour_enterprise: Enterprise,
                                                         person_at: Callable[..., Person]) -> None:
    person = person_at(neighbour_enterprise)
    placement = place(person, admin)
    client = client_for("ent_admin")
    assert client.get(placement.get_absolute_url()).status_code == 404
    assert client.get(reverse("quarantine:place", args=[person.pk])).status_code == 404


def test_the_api_lists_placements_in_scope(client_for: Callable[[str], Client], admin: User, own_enterprise: Enterprise,
                                           heshan_enterprise: Enterprise, person_at: Callable[..., Person]) -> None:
    mine = place(person_at(own_enterprise), admin)
    theirs = place(person_at(heshan_enterprise), admin)
    listed = client_for("grid_officer").get(reverse("api:placement-list"), {"page_size": 500}).json()["results"]
    ids = {row["id"] for row in listed}
    assert str(mine.pk) in ids and str(theirs.pk) not in ids
    detail = client_for("grid_officer").get(reverse("api:placement-detail", args=[mine.pk])).json()
    assert detail["kind"] == QuarantineKind.HOME and detail["checks"] == [] and detail["id_masked"] == mine.person.id_masked
    assert client_for("grid_officer").get(reverse("api:placement-detail", args=[theirs.pk])).status_code == 404


def test_the_home_page_tells_officers_and_the_enterprise_what_to_do_next(client_for: Callable[[str], Client], admin: User,
                                                                         own_enterprise: Enterprise, person_at: Callable[..., Person]) -> None:
    place(person_at(own_enterprise), admin, start=timezone.localdate() - timedelta(days=14))
    officer = client_for("hitech_cmd").get(reverse("home"))
    titles = [str(step.title) for step in officer.context["steps"]]
    assert any("今日隔离期满" in title for title in titles) and any("今日未报日报" in title for title in titles)
    enterprise = client_for("ent_admin").get(reverse("home"))
    assert any("日报" in str(step.title) for step in enterprise.context["steps"])
    menu = menu_entries(client_for("grid_officer"))
    assert "quarantine:list" in menu and "health:report-mine" in menu
    assert "quarantine:list" not in menu_entries(client_for("jmb_reviewer"))


def menu_entries(client: Client) -> list[str]:
    """The URL names of the menu's entries, those inside a dropdown group included."""
    menu = client.get(reverse("home")).context["menu"]
    return [entry.url_name for item in menu for entry in getattr(item, "items", (item,))]


def test_the_list_leads_to_placing_from_an_open_alert_or_a_name(client_for: Callable[[str], Client], admin: User, own_enterprise: Enterprise,
                                                                 person_at: Callable[..., Person]) -> None:
    # Given a worker with an open fever alert, and one already isolated with another
    feverish = person_at(own_enterprise, "发热甲")
    alert = alert_raise(kind=AlertKind.FEVER, enterprise=own_enterprise, person=feverish, temperature=Decimal("38.3"), detail="体温 38.3℃")
    isolated = person_at(own_enterprise, "发热乙")
    alert_raise(kind=AlertKind.FEVER, enterprise=own_enterprise, person=isolated, temperature=Decimal("38.0"), detail="体温 38.0℃")
    place(isolated, admin)
    # When the grid officer opens the quarantine page and looks for the first by name
    response = client_for("grid_officer").get(reverse("quarantine:list"), {"find": "发热甲"})
    # Then the open alert leads to the placement form, the isolated one is not offered again
    body = response.content.decode()
    assert reverse("quarantine:place-from-alert", args=[alert.uuid]) in body
    assert isolated.pk not in {a.person_id for a in response.context["open_alerts"]}
    assert list(response.context["found"]) == [feverish]
    assert reverse("quarantine:place", args=[feverish.pk]) in body
