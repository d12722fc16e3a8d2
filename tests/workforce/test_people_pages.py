"""The person list (一人一档) and a person's file, as officers, enterprise admins and employees use
them: search by a full ID number through the blind index, exports with masked numbers, the audited
reveal of a full number, and forms that keep what was typed when refused."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fugong.audit.models import AuditEntry
from fugong.workforce.choices import ClassificationCategory
from fugong.workforce.models import Pass, Person
from fugong.workforce.services import DUPLICATE_MESSAGE
from tests.workforce.conftest import register
from tests.workforce.factories import id_number

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"\b\d{17}[\dX]\b")


def listed(response) -> list[Person]:
    return list(response.context["page"].paginator.object_list)


def workbook_rows(response) -> list[tuple]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True))


# -- the list ------------------------------------------------------------------------------------


def test_officer_finds_a_person_by_the_full_id_number_through_the_blind_index(client_for, staff):
    # Given a command officer of the zone and a colleague registered at ent_admin's enterprise
    client = client_for("hitech_cmd")
    # When the officer searches for the colleague's full ID number, typed with spaces and a lower-case x
    number = id_number(2)
    typed = f" {number[:6]} {number[6:14]} {number[14:].lower()} "
    response = client.get(reverse("workforce:list"), {"q": typed})
    # Then exactly that person is found
    assert [p.pk for p in listed(response)] == [staff["colleague"].pk]
    # And a part of the number finds nobody: the column is encrypted, only whole numbers are indexed
    assert listed(client.get(reverse("workforce:list"), {"q": number[:14]})) == []


def test_list_finds_people_by_name_or_phone(client_for, staff, own_enterprise):
    client = client_for("ent_admin")
    found = listed(client.get(reverse("workforce:list"), {"q": "李秀英"}))
    assert staff["colleague"] in found and all(p.enterprise_id == own_enterprise.pk for p in found)
    by_phone = listed(client.get(reverse("workforce:list"), {"q": staff["colleague"].phone}))
    assert staff["colleague"] in by_phone


def test_enterprise_admin_lists_only_its_own_staff_without_an_enterprise_filter(client_for, staff, own_enterprise):
    response = client_for("ent_admin").get(reverse("workforce:list"))
    assert response.status_code == 200
    people = listed(response)
    assert people and {p.enterprise_id for p in people} == {own_enterprise.pk}
    assert staff["neighbour"] not in people and staff["heshan"] not in people
    assert "enterprise" not in response.context["filter"].form.fields


def test_officer_filters_by_enterprise_category_return_dates_and_valid_pass(client_for, staff, own_enterprise, users):
    # Given two people of ent_admin's enterprise: one classified to work and holding a pass, one back later
    today = timezone.localdate()
    holder, later = staff["colleague"], staff["employee"]
    Person.objects.filter(pk=holder.pk).update(category=ClassificationCategory.WORK_WITH_CHECKS, return_date=today)
    Person.objects.filter(pk=later.pk).update(category="", return_date=today + timezone.timedelta(days=5))
    Pass.objects.create(person=holder, enterprise=own_enterprise, valid_from=today, valid_to=today, issued_by=users("grid_officer"))
    client = client_for("grid_officer")
    url = reverse("workforce:list")
    # Then each filter narrows the list as it says
    mine = {"enterprise": own_enterprise.pk}
    assert holder in listed(client.get(url, mine | {"has_pass": "yes"}))
    assert later not in listed(client.get(url, mine | {"has_pass": "yes"}))
    assert later in listed(client.get(url, mine | {"category": "none"}))
    assert holder in listed(client.get(url, mine | {"category": ClassificationCategory.WORK_WITH_CHECKS}))
    upcoming = listed(client.get(url, mine | {"returned_from": (today + timezone.timedelta(days=1)).isoformat()}))
    assert later in upcoming and holder not in upcoming


def test_an_employee_is_sent_to_their_own_file_and_reviewers_and_gates_get_no_list(client_for, staff):
    response = client_for("employee").get(reverse("workforce:list"))
    assert response.status_code == 302 and response["Location"] == reverse("workforce:me")
    assert client_for("jmb_reviewer").get(reverse("workforce:list")).status_code == 403
    assert client_for("gate_guard").get(reverse("workforce:list")).status_code == 403


def test_export_masks_every_id_number_and_names_people_for_the_enterprise_admin(client_for, staff):
    # When ent_admin exports the ledger of its staff
    response = client_for("ent_admin").get(reverse("workforce:list"), {"export": "xlsx"})
    assert response.status_code == 200
    rows = workbook_rows(response)
    header, body = rows[0], rows[1:]
    # Then every ID number is masked, none in full anywhere in the sheet
    column = header.index("身份证号（脱敏）")
    assert staff["colleague"].id_masked in [row[column] for row in body]
    assert not any(FULL_ID.search(str(cell)) for row in rows for cell in row if cell is not None)
    assert id_number(2) not in str(rows)
    # And the names and phone numbers the admin sees on the page are there
    assert "姓名" in header and "李秀英" in [row[header.index("姓名")] for row in body]


def test_export_holds_exactly_the_filtered_people(client_for, staff, own_enterprise):
    response = client_for("hitech_cmd").get(reverse("workforce:list"), {"export": "xlsx", "q": "陈建国"})
    names = [row[0] for row in workbook_rows(response)[1:]]
    assert names == ["陈建国"]


# -- a person's file ------------------------------------------------------------------------------


def test_file_shows_the_derived_birth_date_and_sex_and_only_the_masked_number(client_for, staff):
    person = staff["colleague"]
    response = client_for("grid_officer").get(reverse("workforce:detail", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert person.id_masked in html and id_number(2) not in html
    assert "1990-01-01" in html and "女" in html  # id_number(2): born 1990-01-01, 17th digit even
    assert response["Cache-Control"] == "private, no-store"


def test_file_of_another_enterprise_is_not_found_for_an_enterprise_admin(client_for, staff):
    assert client_for("ent_admin").get(reverse("workforce:detail", args=[staff["neighbour"].pk])).status_code == 404
    assert client_for("grid_officer").get(reverse("workforce:detail", args=[staff["heshan"].pk])).status_code == 404


def test_command_officer_reveals_the_full_number_once_and_the_reveal_is_audited(client_for, staff):
    # Given the zone's command officer on a person's file, where the reveal button is offered
    person = staff["colleague"]
    client = client_for("hitech_cmd")
    assert 'data-testid="reveal-id"' in client.get(reverse("workforce:detail", args=[person.pk])).content.decode()
    # When they ask to see the full number
    response = client.post(reverse("workforce:reveal-id", args=[person.pk]), HTTP_HX_REQUEST="true")
    # Then it is shown, this once
    assert response.status_code == 200 and id_number(2) in response.content.decode()
    assert id_number(2) not in client.get(reverse("workforce:detail", args=[person.pk])).content.decode()
    # And the reveal is in the audit log, without the number or the name
    entry = AuditEntry.objects.filter(action="person.reveal_id").latest("seq")
    assert entry.object_id == str(person.pk)
    assert id_number(2) not in str(entry.payload()) and person.name not in str(entry.payload())


@pytest.mark.parametrize("username", ["grid_officer", "ent_admin"])
def test_grid_officer_and_enterprise_admin_may_not_reveal_and_the_attempt_is_audited(client_for, staff, username):
    person = staff["colleague"]
    client = client_for(username)
    # They are not offered the button
    assert 'data-testid="reveal-id"' not in client.get(reverse("workforce:detail", args=[person.pk])).content.decode()
    before = AuditEntry.objects.filter(action="person.reveal_id_refused").count()
    # And a posted request is refused without the number, and logged
    response = client.post(reverse("workforce:reveal-id", args=[person.pk]))
    assert response.status_code == 403 and id_number(2) not in response.content.decode()
    assert AuditEntry.objects.filter(action="person.reveal_id_refused").count() == before + 1


# -- registering and editing -------------------------------------------------------------------------


def person_form(enterprise, **overrides) -> dict:
    data = {"enterprise": enterprise.pk, "name": "欧阳春晓", "id_number": id_number(31), "phone": "139 0000 1111", "post": "front_line",
            "origin": "local_not_away", "return_date": "2020-02-10", "transport": "self_drive", "household_region": "广东省河源市",
            "holiday_location": "源城区", "home_address": "河源市源城区兴源路8号", "dormitory_room": "B201"}
    data.update(overrides)
    return data


def test_a_refused_form_keeps_what_was_typed_and_says_what_to_fix(client_for, own_enterprise):
    # Given an ID number with a wrong check character
    number = id_number(31)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    # When the enterprise admin registers the person with it
    response = client_for("ent_admin").post(reverse("workforce:create"), person_form(own_enterprise, id_number=wrong))
    # Then the form comes back with the reason in Chinese and everything typed still there
    html = response.content.decode()
    assert response.status_code == 200
    assert "校验位错误" in response.context["form"].errors["id_number"][0]
    for typed in ("欧阳春晓", wrong, "139 0000 1111", "河源市源城区兴源路8号", "B201"):
        assert typed in html
    assert not Person.objects.filter(name="欧阳春晓").exists()


def test_a_second_record_of_the_same_number_at_the_enterprise_is_refused(client_for, own_enterprise, staff):
    response = client_for("ent_admin").post(reverse("workforce:create"), person_form(own_enterprise, id_number=id_number(2)))
    assert response.status_code == 200
    assert DUPLICATE_MESSAGE in response.context["form"].errors["id_number"]


def test_registering_a_person_opens_their_file_with_an_unknown_area_code_as_a_warning(client_for, own_enterprise):
    # Given an ID number whose area code is in no division table (a new or merged county)
    unknown = id_number(32, area="449999")
    # When it is registered
    response = client_for("ent_admin").post(reverse("workforce:create"), person_form(own_enterprise, id_number=unknown), follow=True)
    # Then the person is registered, with the phone as typed cleaned, and the doubt is shown, not refused
    person = Person.objects.get(name="欧阳春晓")
    assert (person.enterprise_id, person.phone, person.id_masked) == (own_enterprise.pk, "13900001111", unknown[:6] + "********" + unknown[-4:])
    assert response.redirect_chain[-1][0] == reverse("workforce:detail", args=[person.pk])
    assert any("不在行政区划代码库中" in str(m) for m in response.context["messages"])


def test_an_enterprise_admin_cannot_register_people_at_another_enterprise(client_for, neighbour_enterprise):
    response = client_for("ent_admin").post(reverse("workforce:create"), person_form(neighbour_enterprise))
    assert response.status_code == 200 and "enterprise" in response.context["form"].errors
    assert not Person.objects.filter(name="欧阳春晓").exists()


def test_editing_keeps_the_id_number_when_left_empty_and_refuses_a_bad_phone_keeping_the_input(client_for, staff):
    person = staff["colleague"]
    client = client_for("ent_admin")
    url = reverse("workforce:edit", args=[person.pk])
    form = client.get(url).context["form"]
    data = {name: (value if value is not None else "") for name, value in form.initial.items()} | {"id_number": "", "dormitory_room": "C303"}
    data = {k: v for k, v in data.items() if v is not False}
    refused = client.post(url, data | {"phone": "12345"})
    assert refused.status_code == 200 and "手机号" in refused.context["form"].errors["phone"][0] and "C303" in refused.content.decode()
    saved = client.post(url, data)
    assert saved.status_code == 302
    person.refresh_from_db()
    assert (person.dormitory_room, person.id_masked) == ("C303", staff["colleague"].id_masked)


def test_an_employee_may_read_but_not_edit_their_file(client_for, staff):
    own = staff["employee"]
    client = client_for("employee")
    assert client.get(reverse("workforce:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("workforce:edit", args=[own.pk])).status_code == 403
    assert client.get(reverse("workforce:detail", args=[staff["colleague"].pk])).status_code == 404


def test_registered_person_is_listed_for_the_grid_officer(client_for, own_enterprise):
    person = register(own_enterprise, 33, "司马青衫")
    assert person in listed(client_for("grid_officer").get(reverse("workforce:list"), {"q": "司马青衫"}))
