"""Registering and editing enterprises through the form pages: every write goes through the
audited services, and a refused form comes back with what was typed and Chinese reasons."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from fugong.audit.models import AuditEntry
from fugong.enterprises.models import Enterprise
from fugong.enterprises.services import enterprise_create, enterprise_update
from tests.enterprises.conftest import HITECH, NEIGHBOUR_GRID, OFFICER_GRID
from tests.enterprises.factories import edit_data, form_data, uscc_for, with_wrong_check

pytestmark = pytest.mark.django_db


def audit_entries(action: str, enterprise: Enterprise | None = None):
    entries = AuditEntry.objects.filter(action=action)
    return entries.filter(object_id=str(enterprise.pk)) if enterprise else entries


def errors_of(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


# -- registering ------------------------------------------------------------------------------


def test_a_command_officer_registers_an_enterprise_and_the_registration_is_audited(client_for, users, region):
    # Given the hi-tech zone's command officer and a grid of the zone
    grid = region(NEIGHBOUR_GRID)
    code = uscc_for(101)

    # When they fill in the form, typing the credit code in lower case
    response = client_for("hitech_cmd").post("/enterprises/new/", form_data(grid, uscc=code.lower()))

    # Then the enterprise is registered in that grid and town, with the code normalised
    enterprise = Enterprise.objects.get(uscc=code)
    assert response.status_code == 302
    assert response["Location"] == f"/enterprises/{enterprise.pk}/"
    assert (enterprise.region, enterprise.town.code, enterprise.created_by) == (grid, HITECH, users("hitech_cmd"))
    assert (enterprise.headcount, enterprise.has_canteen, enterprise.has_dormitory) == (320, True, False)
    # And one audit entry records who did it
    entry = audit_entries("enterprise.create", enterprise).get()
    assert entry.actor_id == users("hitech_cmd").pk
    assert entry.data == {"uscc": code, "region": NEIGHBOUR_GRID}


@pytest.mark.parametrize("typed", [
    lambda code: code.lower(),
    lambda code: code.translate({ord(c): ord(c) + 0xFEE0 for c in code}),  # full width
    lambda code: f" {code[:4]} {code[4:8]}-{code[8:13]} {code[13:]} ",  # grouped as printed on licences
], ids=["lower-case", "full-width", "spaced"])
def test_a_code_typed_in_lower_case_full_width_or_with_spaces_is_stored_compact(client_for, region, typed):
    code = uscc_for(107)

    response = client_for("hitech_cmd").post("/enterprises/new/", form_data(region(NEIGHBOUR_GRID), uscc=typed(code)))

    assert response.status_code == 302, response.context["form"].errors
    assert Enterprise.objects.filter(uscc=code).exists()


def test_a_bad_check_character_is_refused_with_the_typed_values_kept_and_a_chinese_reason(client_for, region):
    # Given a code whose last character is wrong
    code, right = with_wrong_check(uscc_for(102))
    client = client_for("hitech_cmd")
    before = (Enterprise.objects.count(), AuditEntry.objects.count())

    # When the form is posted
    response = client.post(
        "/enterprises/new/", form_data(region(NEIGHBOUR_GRID), uscc=code, name="河源市回填测试有限公司", address="高新区回填路7号")
    )

    # Then the page comes back with the error on the code, naming the right character
    assert response.status_code == 200
    assert errors_of(response, "uscc") == [f"统一社会信用代码校验位错误：最后一位应为“{right}”，而不是“{code[-1]}”，请核对。"]
    html = response.content.decode()
    assert "请修改下面标红的项目后再提交。" in html
    # And everything typed is still in the form
    for typed in (code, "河源市回填测试有限公司", "高新区回填路7号", "13912345678", "王建国"):
        assert f'value="{typed}"' in html
    assert 'name="has_canteen" id="id_has_canteen" checked' in html
    # And nothing was written
    assert (Enterprise.objects.count(), AuditEntry.objects.count()) == before


def test_a_credit_code_that_is_already_registered_is_refused_on_the_form(client_for, region, other_hitech_enterprise):
    before = Enterprise.objects.count()

    response = client_for("hitech_cmd").post("/enterprises/new/", form_data(region(NEIGHBOUR_GRID), uscc=other_hitech_enterprise.uscc))

    assert response.status_code == 200
    [error] = errors_of(response, "uscc")
    assert "统一社会信用代码" in error and "已存在" in error
    assert Enterprise.objects.count() == before


def test_missing_required_fields_are_named_in_chinese(client_for, region):
    response = client_for("hitech_cmd").post("/enterprises/new/", form_data(region(NEIGHBOUR_GRID), name="", contact_phone=""))

    assert response.status_code == 200
    assert errors_of(response, "name") == ["该字段是必填项。"]
    assert errors_of(response, "contact_phone") == ["该字段是必填项。"]


def test_a_grid_officer_registers_an_enterprise_in_their_own_grid(client_for, region):
    response = client_for("grid_officer").post("/enterprises/new/", form_data(region(OFFICER_GRID), uscc=uscc_for(103)))

    assert response.status_code == 302
    assert Enterprise.objects.get(uscc=uscc_for(103)).region.code == OFFICER_GRID


def test_a_grid_officer_cannot_place_an_enterprise_in_a_grid_that_is_not_theirs(client_for, region):
    # Given a grid officer of grid IND01
    # When they try to register an enterprise in the neighbouring grid
    response = client_for("grid_officer").post("/enterprises/new/", form_data(region(NEIGHBOUR_GRID), uscc=uscc_for(104)))

    # Then the region is refused in Chinese and nothing is registered
    assert response.status_code == 200
    [error] = errors_of(response, "region")
    assert "该选择不在可用的选项中" in error
    assert not Enterprise.objects.filter(uscc=uscc_for(104)).exists()


def test_the_registration_service_itself_refuses_a_region_outside_the_grid_officers_grid(users, region):
    data = {**form_data(region(NEIGHBOUR_GRID)), "region": region(NEIGHBOUR_GRID), "headcount": 1, "local_staff_percent": 50}

    with pytest.raises(PermissionDenied, match="所选辖区不在您的管辖范围内"):
        enterprise_create(acting_user=users("grid_officer"), data=data)

    assert not Enterprise.objects.filter(uscc=data["uscc"]).exists()


def test_a_command_officer_cannot_register_an_enterprise_in_another_county(client_for, region):
    heshan_grid = region("沙坪街道").children.get().children.first()

    response = client_for("hitech_cmd").post("/enterprises/new/", form_data(heshan_grid, uscc=uscc_for(105)))

    assert response.status_code == 200
    assert errors_of(response, "region")
    assert not Enterprise.objects.filter(uscc=uscc_for(105)).exists()


def test_a_registration_in_a_community_is_filed_under_its_town(client_for, region):
    community = region("沙坪街道").children.get()

    client_for("heshan_cmd").post("/enterprises/new/", form_data(community, uscc=uscc_for(106, "440784")))

    enterprise = Enterprise.objects.get(uscc=uscc_for(106, "440784"))
    assert (enterprise.region, enterprise.town) == (community, region("沙坪街道"))


@pytest.mark.parametrize("username", ["ent_admin", "employee", "jmb_reviewer", "gate_guard"])
def test_only_admins_command_and_grid_officers_may_open_the_registration_form(client_for, username):
    assert client_for(username).get("/enterprises/new/").status_code == 403


# -- editing ----------------------------------------------------------------------------------


def test_a_command_officer_moves_an_enterprise_within_their_zone_and_the_change_is_audited(client_for, users, region, other_hitech_enterprise):
    # Given an enterprise of the hi-tech zone
    enterprise = other_hitech_enterprise
    old_region, old_headcount = enterprise.region, enterprise.headcount
    target = region("441602-GXQ-CON03") if old_region.code != "441602-GXQ-CON03" else region(NEIGHBOUR_GRID)

    # When the zone's command officer changes its headcount and grid
    response = client_for("hitech_cmd").post(
        f"/enterprises/{enterprise.pk}/edit/", edit_data(enterprise, headcount=str(old_headcount + 7), region=str(target.pk))
    )

    # Then both are saved
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert (enterprise.headcount, enterprise.region, enterprise.town.code) == (old_headcount + 7, target, HITECH)
    # And the audit entry lists exactly the changed fields, old and new
    entry = audit_entries("enterprise.update", enterprise).get()
    assert entry.actor_id == users("hitech_cmd").pk
    assert entry.data == {"changed": {"headcount": [old_headcount, old_headcount + 7], "region": [old_region.pk, target.pk]}}


def test_saving_an_unchanged_form_writes_no_audit_entry(client_for, other_hitech_enterprise):
    response = client_for("hitech_cmd").post(f"/enterprises/{other_hitech_enterprise.pk}/edit/", edit_data(other_hitech_enterprise))

    assert response.status_code == 302
    assert not audit_entries("enterprise.update", other_hitech_enterprise).exists()


def test_a_refused_edit_keeps_the_typed_values_and_changes_nothing(client_for, other_hitech_enterprise):
    enterprise = other_hitech_enterprise

    response = client_for("hitech_cmd").post(
        f"/enterprises/{enterprise.pk}/edit/", edit_data(enterprise, name="改名后的企业", local_staff_percent="130")
    )

    assert response.status_code == 200
    assert errors_of(response, "local_staff_percent") == ["确保该值小于或等于100。"]
    assert 'value="改名后的企业"' in response.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.name != "改名后的企业"
    assert not audit_entries("enterprise.update", enterprise).exists()


def test_a_command_officer_cannot_move_an_enterprise_out_of_their_zone(client_for, users, region, other_hitech_enterprise):
    heshan_grid = region("共和镇").children.get().children.first()

    response = client_for("hitech_cmd").post(
        f"/enterprises/{other_hitech_enterprise.pk}/edit/", edit_data(other_hitech_enterprise, region=str(heshan_grid.pk))
    )

    assert response.status_code == 200
    assert errors_of(response, "region")
    with pytest.raises(PermissionDenied):
        enterprise_update(enterprise=other_hitech_enterprise, acting_user=users("hitech_cmd"), data={"region": heshan_grid})
    other_hitech_enterprise.refresh_from_db()
    assert other_hitech_enterprise.town.code == HITECH


def test_an_enterprise_admin_edits_their_own_details_but_cannot_move_the_enterprise(client_for, users, region, own_enterprise):
    # Given ent_admin's enterprise in grid IND01
    home = own_enterprise.region
    elsewhere = region(NEIGHBOUR_GRID)

    # When ent_admin changes the contact phone and also sends another grid
    response = client_for("ent_admin").post(
        f"/enterprises/{own_enterprise.pk}/edit/", edit_data(own_enterprise, contact_phone="13655556666", region=str(elsewhere.pk))
    )

    # Then the phone is saved, the enterprise stays where it is, and only the phone is audited
    assert response.status_code == 302
    own_enterprise.refresh_from_db()
    assert (own_enterprise.contact_phone, own_enterprise.region) == ("13655556666", home)
    entry = audit_entries("enterprise.update", own_enterprise).get()
    assert entry.actor_id == users("ent_admin").pk
    assert list(entry.data["changed"]) == ["contact_phone"]
    # And the service refuses a move outright
    with pytest.raises(PermissionDenied):
        enterprise_update(enterprise=own_enterprise, acting_user=users("ent_admin"), data={"region": elsewhere})


def test_the_enterprise_admins_form_shows_the_region_but_does_not_offer_to_change_it(client_for, own_enterprise):
    form = client_for("ent_admin").get(f"/enterprises/{own_enterprise.pk}/edit/").context["form"]

    assert form.fields["region"].disabled
    assert list(form.fields["region"].queryset) == [own_enterprise.region]


def test_an_enterprise_admin_cannot_open_another_enterprise(client_for, other_hitech_enterprise):
    client = client_for("ent_admin")

    assert client.get(f"/enterprises/{other_hitech_enterprise.pk}/").status_code == 404
    assert client.post(f"/enterprises/{other_hitech_enterprise.pk}/edit/", edit_data(other_hitech_enterprise)).status_code == 404


def test_an_employee_neither_sees_nor_edits_their_enterprise_registry_entry(client_for, own_enterprise):
    client = client_for("employee")

    assert client.get(f"/enterprises/{own_enterprise.pk}/").status_code == 404
    assert client.post(f"/enterprises/{own_enterprise.pk}/edit/", edit_data(own_enterprise, name="x")).status_code == 404
    own_enterprise.refresh_from_db()
    assert own_enterprise.name != "x"


# -- detail -----------------------------------------------------------------------------------


def test_the_detail_page_shows_the_registry_fields(client_for, own_enterprise):
    response = client_for("hitech_cmd").get(f"/enterprises/{own_enterprise.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    for shown in (own_enterprise.name, own_enterprise.uscc, own_enterprise.address, own_enterprise.legal_representative,
                  own_enterprise.contact_phone, own_enterprise.region.name, "高新区", own_enterprise.get_sector_display()):
        assert shown in html
    assert f'href="/enterprises/{own_enterprise.pk}/edit/"' in html


def test_another_countys_officer_gets_not_found_for_the_detail_page(client_for, own_enterprise):
    assert client_for("heshan_cmd").get(f"/enterprises/{own_enterprise.pk}/").status_code == 404
