"""The health declaration (健康申报): sent through a personal link, by the signed-in employee or by
the enterprise for them; stored with the legal basis and consent, copied onto the person,
re-classifying them, and raising an alert on a fever or a symptom."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from fugong.audit.models import AuditEntry
from fugong.health.choices import AlertKind, AlertStatus
from fugong.health.models import Alert
from fugong.policy.services import current
from fugong.regions.models import Region
from fugong.workforce.choices import ClassificationCategory, DeclarationChannel, RiskLevel
from fugong.workforce.declarations import LEGAL_BASIS, clean_trips, declaration_submit, place_name
from fugong.workforce.links import make_token
from fugong.workforce.models import HealthDeclaration, Pass, Person, RiskArea

pytestmark = pytest.mark.django_db

WUHAN_WUCHANG = ("420000", "420100", "420106")  # 湖北省 → 武汉市 → 武昌区
BEIJING_DONGCHENG = ("110000", "110101", "")  # a county right below a municipality


def form(trips=(), **answers) -> dict:
    """The declaration page's form: ``trips`` as (province, city, county, from, to)."""
    data = {"travel-TOTAL_FORMS": str(max(len(trips), 1)), "travel-INITIAL_FORMS": "0", "travel-MIN_NUM_FORMS": "0",
            "travel-MAX_NUM_FORMS": "20", "contact_with_case": "no", "household_health": "healthy", "consent": "on"}
    for number, (province, city, county, start, end) in enumerate(trips):
        data |= {f"travel-{number}-province": province, f"travel-{number}-city": city, f"travel-{number}-county": county,
                 f"travel-{number}-start": start, f"travel-{number}-end": end}
    data.update({k: v for k, v in answers.items() if v is not None})
    return data


def days_ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


def answers(**overrides) -> dict:
    """The service's data: a healthy person who stayed at home, unless told otherwise."""
    return {"travel_history": [], "contact_with_case": False, "household_health": "healthy", "consent": True} | overrides


# -- through the personal link -----------------------------------------------------------------------


def test_a_declaration_by_link_is_stored_with_the_legal_basis_and_copied_onto_the_person(client, staff):
    # Given a person with their personal link, who went to Beijing last week
    person = staff["colleague"]
    token = make_token(person)
    page = client.get(reverse("workforce:link-declare", args=[token]))
    shown = page.content.decode()
    assert "《中华人民共和国传染病防治法》第十二条、第三十一条" in shown and "《突发公共卫生事件应急条例》第二十一条" in shown
    assert "仅用于疫情防控" in shown and "疫情应急响应结束后依法删除" in shown
    # When they declare it
    response = client.post(reverse("workforce:link-declare", args=[token]), form([(*BEIJING_DONGCHENG, days_ago(6), days_ago(4))]))
    # Then they are back on their page, and the declaration is kept as sent, with the basis they were shown
    assert response.status_code == 302 and response["Location"] == reverse("workforce:link-home", args=[token])
    declaration = HealthDeclaration.objects.get(person=person)
    assert (declaration.channel, declaration.consent, declaration.legal_basis) == (DeclarationChannel.LINK, True, LEGAL_BASIS)
    assert declaration.travel_history == [{"region": "110101", "name": "北京市东城区", "from": days_ago(6), "to": days_ago(4)}]
    assert declaration.recorded_by is None
    # And the person's file says what the latest declaration said
    person.refresh_from_db()
    assert person.travel_history == declaration.travel_history and person.declared_at == declaration.declared_at
    assert person.household_health == "healthy" and person.contact_with_case is False
    # And the audit entry names the record and the channel, and nothing declared
    entry = AuditEntry.objects.filter(action="person.declare").latest("seq")
    assert entry.object_id == str(person.pk) and entry.data["channel"] == "link"
    assert "北京" not in str(entry.payload()) and person.name not in str(entry.payload())


def test_travel_through_a_risk_area_classifies_the_person_at_once(client, staff):
    # Given 湖北省 on the risk-area list, and a person back yesterday
    today = timezone.localdate()
    RiskArea.objects.create(region=Region.objects.get(code="420000"), level=RiskLevel.HIGH, valid_from=today - timedelta(days=60),
                            source="测试：省级通报")
    person = staff["colleague"]
    Person.objects.filter(pk=person.pk).update(return_date=today - timedelta(days=1), origin="other_province")
    # When they declare a stay in 武昌区 four days ago
    client.post(reverse("workforce:link-declare", args=[make_token(person)]), form([(*WUHAN_WUCHANG, days_ago(5), days_ago(4))]))
    # Then the classification has followed: centralised quarantine, with the place in the reason
    person.refresh_from_db()
    assert person.category == ClassificationCategory.CENTRAL_QUARANTINE
    assert "湖北省武汉市武昌区" in person.category_reason
    assert person.eligible_on == today - timedelta(days=1) + timedelta(days=int(current(person.enterprise.region).central_quarantine_days))


def test_a_fever_raises_an_alert_and_revokes_the_persons_pass(client, staff, own_enterprise, users):
    # Given a person holding a valid pass
    person = staff["colleague"]
    today = timezone.localdate()
    held = Pass.objects.create(person=person, enterprise=own_enterprise, valid_from=today, valid_to=today + timedelta(days=10),
                               issued_by=users("grid_officer"))
    # When they declare 38.2 ℃ without ticking "fever"
    client.post(reverse("workforce:link-declare", args=[make_token(person)]), form(temperature="38.2"))
    # Then the declaration counts it as a fever, an open fever alert awaits the enterprise, and the pass is revoked
    declaration = HealthDeclaration.objects.get(person=person)
    assert (declaration.temperature, declaration.fever) == (Decimal("38.2"), True)
    alert = Alert.objects.get(person=person)
    assert (alert.kind, alert.status, alert.temperature) == (AlertKind.FEVER, AlertStatus.OPEN, Decimal("38.2"))
    held.refresh_from_db()
    assert held.revoked_at is not None and held.revoked_reason == "fever"
    person.refresh_from_db()
    assert person.category == ClassificationCategory.REFUSED_FEVER


def test_a_cough_raises_a_symptom_alert(staff):
    person = staff["colleague"]
    declaration_submit(person=person, data=answers(cough=True), channel=DeclarationChannel.LINK)
    assert Alert.objects.get(person=person).kind == AlertKind.SYMPTOM


def test_a_healthy_declaration_raises_no_alert(staff):
    declaration_submit(person=staff["colleague"], data=answers(temperature="36.6"), channel=DeclarationChannel.LINK)
    assert not Alert.objects.filter(person=staff["colleague"]).exists()


def test_a_refused_declaration_keeps_what_was_typed_and_says_what_to_fix(client, staff):
    # Given a person who forgets the consent box and gives a trip older than 14 days
    person = staff["colleague"]
    data = form([(*WUHAN_WUCHANG, days_ago(20), days_ago(18))], temperature="36.8", other_symptoms="轻微鼻塞") | {"consent": ""}
    # When they send it
    response = client.post(reverse("workforce:link-declare", args=[make_token(person)]), data)
    # Then nothing is stored, each problem is said in Chinese, and the form comes back as typed
    assert response.status_code == 200
    assert not HealthDeclaration.objects.filter(person=person).exists()
    html = response.content.decode()
    assert "请阅读告知内容并勾选承诺后再提交" in html
    assert "第 1 条行程" in html and "最近 14 天内" in html
    assert 'value="36.8"' in html and 'value="轻微鼻塞"' in html
    # The places stay picked: the city and county selects hold 武汉市 and 武昌区, selected
    assert '<option value="420100" selected>' in html and '<option value="420106" selected>' in html


def test_contact_with_a_case_needs_a_detail(client, staff):
    response = client.post(reverse("workforce:link-declare", args=[make_token(staff["colleague"])]), form(contact_with_case="yes"))
    assert response.status_code == 200 and "请说明接触的时间、地点和对象" in response.content.decode()


def test_a_place_not_under_the_chosen_province_is_refused(client, staff):
    response = client.post(reverse("workforce:link-declare", args=[make_token(staff["colleague"])]),
                           form([("110000", "420100", "", days_ago(3), days_ago(2))]))
    assert response.status_code == 200 and not HealthDeclaration.objects.filter(person=staff["colleague"]).exists()
    assert "第 1 条行程" in response.content.decode()


def test_towns_villages_and_grids_are_not_travel_places(staff):
    with pytest.raises(ValidationError) as refused:
        declaration_submit(person=staff["colleague"], data=answers(travel_history=[{"region": "441602-GXQ", "from": days_ago(2), "to": days_ago(1)}]),
                           channel=DeclarationChannel.LINK)
    assert "地区代码“441602-GXQ”不存在" in str(refused.value)


# -- by account and by the enterprise --------------------------------------------------------------


def test_the_signed_in_employee_declares_for_themself(client_for, staff):
    client = client_for("employee")
    response = client.post(reverse("workforce:me-declare"), form())
    assert response.status_code == 302 and response["Location"] == reverse("workforce:me")
    declaration = HealthDeclaration.objects.filter(recorded_by__username="employee").latest("declared_at")
    assert declaration.channel == DeclarationChannel.ACCOUNT and declaration.person.user.username == "employee"


def test_an_account_channel_is_for_ones_own_record_only(staff, users):
    with pytest.raises(PermissionDenied):
        declaration_submit(person=staff["colleague"], data=answers(), channel=DeclarationChannel.ACCOUNT, acting_user=users("employee"))


def test_the_enterprise_fills_it_in_for_its_staff_and_not_for_others(client_for, staff):
    client = client_for("ent_admin")
    response = client.post(reverse("workforce:declare-for", args=[staff["colleague"].pk]), form())
    assert response.status_code == 302 and response["Location"] == reverse("workforce:detail", args=[staff["colleague"].pk])
    declaration = HealthDeclaration.objects.get(person=staff["colleague"])
    assert declaration.channel == DeclarationChannel.ENTERPRISE and declaration.recorded_by.username == "ent_admin"
    assert client.post(reverse("workforce:declare-for", args=[staff["neighbour"].pk]), form()).status_code == 404
    assert not HealthDeclaration.objects.filter(person=staff["neighbour"]).exists()


def test_the_employee_cannot_fill_it_in_as_the_enterprise(client_for, staff):
    assert client_for("employee").post(reverse("workforce:declare-for", args=[staff["employee"].pk]), form()).status_code == 403


# -- the region tree behind the selects -----------------------------------------------------------------


def test_divisions_list_public_division_names_for_anyone(client):
    provinces = client.get(reverse("workforce:divisions")).json()["children"]
    assert len(provinces) == 34 and {"code": "420000", "name": "湖北省", "leaf": False} in provinces
    cities = client.get(reverse("workforce:divisions"), {"parent": "420000"}).json()["children"]
    assert {"code": "420100", "name": "武汉市", "leaf": False} in cities
    assert {"code": "429004", "name": "仙桃市", "leaf": True} in cities  # a county-level city right below the province
    # Towns, villages and grids are local: never listed, even where the tree has them
    assert client.get(reverse("workforce:divisions"), {"parent": "441602"}).json()["children"] == []


def test_places_are_named_as_people_write_them():
    assert place_name(Region.objects.get(code="420106")) == "湖北省武汉市武昌区"
    assert place_name(Region.objects.get(code="110101")) == "北京市东城区"
    assert place_name(Region.objects.get(code="420000")) == "湖北省"


@settings(max_examples=60, deadline=None)
@given(start=st.integers(min_value=-30, max_value=5), length=st.integers(min_value=-3, max_value=20), days=st.integers(min_value=1, max_value=30))
def test_a_trip_is_accepted_exactly_when_it_lies_within_the_travel_window(start: int, length: int, days: int) -> None:
    # Given a trip from ``start`` days after today (negative: before) lasting ``length`` days, and a window of ``days``
    today = date(2020, 2, 20)
    first, last = today + timedelta(days=start), today + timedelta(days=start + length)
    entry = {"region": "420106", "from": first.isoformat(), "to": last.isoformat()}
    inside = first <= last and first >= today - timedelta(days=days - 1) and last <= today
    # When it is checked
    try:
        trips = clean_trips([entry], today=today, days=days)
    except ValidationError as exc:
        accepted, message = False, " ".join(exc.messages)
    else:
        accepted, message = True, ""
    # Then it is accepted exactly when it is inside the window, and kept with its place's name
    assert accepted == inside, message
    if accepted:
        assert (trips[0].start, trips[0].end, trips[0].name) == (first, last, "湖北省武汉市武昌区")
