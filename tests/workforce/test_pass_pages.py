"""Pass pages: the 待发证 list and its approvals (one, many, 1,000), the pass with its QR code,
revocation, and the employee's own pass on the phone (signed in and through the personal link)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fugong.accounts.models import User
from fugong.audit.models import AuditEntry
from fugong.enterprises.choices import Status as EnterpriseStatus
from fugong.enterprises.models import Enterprise
from fugong.policy.classification import Origin
from fugong.workforce import links
from fugong.workforce.api import verify
from fugong.workforce.classify import classify_queryset
from fugong.workforce.importers import RosterImporter
from fugong.workforce.models import Pass, Person
from fugong.workforce.services import pass_issue, passes_issue_bulk
from tests.workforce.conftest import register
from tests.workforce.factories import many_csv

pytestmark = pytest.mark.django_db


def user(username: str) -> User:
    return User.objects.get(username=username)


def texts(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def people(own_enterprise: Enterprise, neighbour_enterprise: Enterprise, heshan_enterprise: Enterprise) -> dict[str, Person]:
    """At ent_admin's enterprise (工业企业第1网格): a local worker (eligible today), one back from
    another province yesterday (eligible in 13 days), one back 20 days ago (eligible since a
    week), and the demo employee's own record (local); one local worker at a neighbour of 高新区
    and one in 鹤山市."""
    today = timezone.localdate()
    for enterprise in (own_enterprise, neighbour_enterprise, heshan_enterprise):
        Enterprise.objects.filter(pk=enterprise.pk).update(status=EnterpriseStatus.RESUMED)
    # The demo's own record of the employee steps aside for the one made here.
    Person.objects.filter(user=user("employee")).update(user=None)
    employee = register(own_enterprise, 601, "张晓明", origin=Origin.LOCAL_NOT_AWAY)
    Person.objects.filter(pk=employee.pk).update(user=user("employee"))
    employee.refresh_from_db()
    return {
        "local": register(own_enterprise, 602, "李秀英", origin=Origin.LOCAL_NOT_AWAY),
        "isolating": register(own_enterprise, 603, "王建军", origin=Origin.OTHER_PROVINCE, return_date=today - timedelta(days=1)),
        "isolated": register(own_enterprise, 604, "刘芳", origin=Origin.OTHER_PROVINCE, return_date=today - timedelta(days=20)),
        "employee": employee,
        "neighbour": register(neighbour_enterprise, 605, "陈伟", origin=Origin.LOCAL_NOT_AWAY),
        "heshan": register(heshan_enterprise, 606, "黄丽", origin=Origin.LOCAL_NOT_AWAY),
    }


def pending(client: Client, people: dict[str, Person], **query: Any) -> set[str]:
    """Which of the people these tests made are on the 待发证 list (the demo has its own)."""
    response = client.get(reverse("workforce:pass-pending"), query)
    assert response.status_code == 200
    listed = {p.pk for p in response.context["page"].paginator.object_list}
    return {key for key, person in people.items() if person.pk in listed}


def pending_all(client: Client, **query: Any) -> set[str]:
    response = client.get(reverse("workforce:pass-pending"), query)
    assert response.status_code == 200
    return {p.name for p in response.context["page"].paginator.object_list}


# -- 待发证 --------------------------------------------------------------------------------------------


def test_pending_list_holds_the_eligible_people_of_the_officer_scope_without_a_pass(people: dict[str, Person], client_for: Callable[[str], Client]) -> None:
    # Given people of ent_admin's enterprise, a neighbour in 高新区 and one in 鹤山市, one already holding a pass
    pass_issue(person=people["employee"], acting_user=user("grid_officer"))
    # Then the grid officer lists the eligible ones of their grid only, and the 高新区 command those of 高新区
    assert pending(client_for("grid_officer"), people) == {"local", "isolated"}
    assert pending(client_for("hitech_cmd"), people) == {"local", "isolated", "neighbour"}
    assert pending(client_for("heshan_cmd"), people) == {"heshan"}
    assert pending(client_for("grid_officer"), people, q="刘芳") == {"isolated"}


@pytest.mark.parametrize("username", ["ent_admin", "employee", "gate_guard", "jmb_reviewer"])
def test_only_officers_approve_passes(people: dict[str, Person], client_for: Callable[[str], Client], username: str) -> None:
    client = client_for(username)
    assert client.get(reverse("workforce:pass-pending")).status_code == 403
    assert client.post(reverse("workforce:pass-issue", args=[people["local"].pk])).status_code == 403
    assert not Pass.objects.filter(person=people["local"]).exists()


def test_grid_officer_approves_one_person_from_the_pending_list(people: dict[str, Person], client_for: Callable[[str], Client]) -> None:
    response = client_for("grid_officer").post(reverse("workforce:pass-issue", args=[people["local"].pk]))
    assert response.status_code == 302 and response["Location"] == reverse("workforce:pass-pending")
    issued = Pass.objects.get(person=people["local"])
    assert issued.issued_by == user("grid_officer") and issued.valid_from == timezone.localdate()
    assert any("已为 李秀英 发放出入证" in m for m in texts(response))


def test_person_not_yet_eligible_is_refused_with_the_reason_and_the_date(people: dict[str, Person], client_for: Callable[[str], Client]) -> None:
    person = people["isolating"]
    eligible = (timezone.localdate() + timedelta(days=13)).isoformat()
    # The service refuses
    with pytest.raises(ValidationError) as refused:
        pass_issue(person=person, acting_user=user("grid_officer"))
    assert eligible in refused.value.messages[0] and "单人单间隔离" in refused.value.messages[0]
    # And the page says so, and writes nothing
    response = client_for("grid_officer").post(reverse("workforce:pass-issue", args=[person.pk]), {"next": f"/people/{person.pk}/"})
    assert response["Location"] == f"/people/{person.pk}/"
    assert any(eligible in m for m in texts(response))
    assert not Pass.objects.filter(person=person).exists()


def test_person_holding_a_pass_or_of_a_suspended_enterprise_gets_no_second_one(people: dict[str, Person]) -> None:
    officer = user("grid_officer")
    pass_issue(person=people["local"], acting_user=officer)
    with pytest.raises(ValidationError, match="已有有效出入证"):
        pass_issue(person=people["local"], acting_user=officer)
    Enterprise.objects.filter(pk=people["isolated"].enterprise_id).update(status=EnterpriseStatus.SUSPENDED)
    people["isolated"].enterprise.refresh_from_db()
    with pytest.raises(ValidationError, match="停工"):
        pass_issue(person=people["isolated"], acting_user=officer)


def test_officer_cannot_approve_a_person_outside_the_jurisdiction(people: dict[str, Person], client_for: Callable[[str], Client]) -> None:
    assert client_for("grid_officer").post(reverse("workforce:pass-issue", args=[people["neighbour"].pk])).status_code == 404
    # A ticked id from elsewhere is not found either: nothing is issued for it
    response = client_for("grid_officer").post(reverse("workforce:pass-issue-bulk"), {"person": [str(people["heshan"].pk)]})
    assert response.status_code == 302
    assert not Pass.objects.filter(person__in=[people["neighbour"], people["heshan"]]).exists()


def test_bulk_approval_issues_the_ticked_and_names_the_refused(people: dict[str, Person], client_for: Callable[[str], Client]) -> None:
    ticked = [people["local"], people["isolated"], people["isolating"]]
    response = client_for("grid_officer").post(reverse("workforce:pass-issue-bulk"), {"person": [str(p.pk) for p in ticked]})
    assert response.status_code == 302
    assert set(Pass.objects.filter(person__in=ticked).values_list("person__name", flat=True)) == {"李秀英", "刘芳"}
    said = texts(response)
    assert any("已为 2 人发放出入证" in m for m in said)
    assert any("1 人未发证" in m and "王建军" in m for m in said)
    entry = AuditEntry.objects.filter(action="pass.issue_bulk").latest("seq")
    assert entry.data["count"] == 2 and entry.object_label == "出入证"
    assert "李秀英" not in str(entry.data)


def test_bulk_approval_of_1000_people_is_one_call_and_fast(own_enterprise: Enterprise, client_for: Callable[[str], Client]) -> None:
    # Given a new enterprise of the grid with 1,000 people, back from elsewhere in the province long enough ago to be eligible
    factory = Enterprise.objects.create(
        name="河源市千人测试电子有限公司", uscc="91441602MA4UJ8XX1K", sector=own_enterprise.sector, size=own_enterprise.size,
        address="高新区科技大道9号", region=own_enterprise.region, town=own_enterprise.town, legal_representative="张三",
        contact_name="李四", contact_phone="13800000000", headcount=1000, status=EnterpriseStatus.RESUMED)
    result = RosterImporter(enterprise=factory, acting_user=user("admin")).run(many_csv(1000), "花名册.csv")
    assert result.imported == 1000
    classify_queryset(factory.people.all())
    listed = client_for("grid_officer").get(reverse("workforce:pass-pending"), {"enterprise": factory.pk})
    assert listed.context["page"].paginator.count == 1000
    client = client_for("grid_officer")
    audit_before = AuditEntry.objects.exclude(action__startswith="auth.").count()
    # When the grid officer approves "all matching" the enterprise filter
    started = time.perf_counter()
    response = client.post(reverse("workforce:pass-issue-bulk"), {"all": "1", "enterprise": factory.pk})
    seconds = time.perf_counter() - started
    # Then all 1,000 get a pass in one approval, one audit entry, in a few seconds, and the list is empty
    assert response.status_code == 302
    assert Pass.objects.filter(enterprise=factory, revoked_at__isnull=True).count() == 1000
    assert AuditEntry.objects.exclude(action__startswith="auth.").count() == audit_before + 1
    assert seconds < 5, f"1,000 passes took {seconds:.1f} s"
    assert pending_all(client_for("grid_officer"), enterprise=factory.pk) == set()


def test_bulk_service_refuses_everything_for_a_person_outside_the_user_rights(people: dict[str, Person]) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        passes_issue_bulk(persons=[people["local"], people["heshan"]], acting_user=user("grid_officer"))
    assert not Pass.objects.filter(person__in=[people["local"], people["heshan"]]).exists()


# -- the pass and its QR code ---------------------------------------------------------------------


def test_pass_page_shows_the_qr_code_of_a_token_the_gate_accepts(people: dict[str, Person], client_for: Callable[[str], Client]) -> None:
    issued = pass_issue(person=people["local"], acting_user=user("grid_officer"))
    client = client_for("ent_admin")
    page = client.get(reverse("workforce:pass-detail", args=[issued.pk]))
    html = page.content.decode()
    # The card: enterprise, masked name, validity, the QR image served by our own view, the token to type
    assert page.status_code == 200
    assert issued.enterprise.name in html and "李*" in html and "李秀英" not in page.context["pass"].masked_name
    assert reverse("workforce:pass-qr", args=[issued.pk]) in html and issued.token in html
    qr = client.get(reverse("workforce:pass-qr", args=[issued.pk]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert qr.content.lstrip().startswith(b"<svg") and b"<script" not in qr.content
    # And the token in the page is one the gate verifies as valid
    token = page.context["pass"].token
    assert verify(token) == {"valid": True, "reason": "有效", "enterprise": issued.enterprise.name, "person": "李*", "must_check_temperature": True}


def test_qr_code_encodes_the_token(people: dict[str, Person]) -> None:
    """The SVG's modules are the token's QR code: the same text drawn by segno gives the same path."""
    import io

    import segno

    issued = pass_issue(person=people["local"], acting_user=user("grid_officer"))
    client = Client()
    client.force_login(user("grid_officer"))
    served = client.get(reverse("workforce:pass-qr", args=[issued.pk])).content
    expected = io.BytesIO()
    segno.make(issued.token, error="m", micro=False).save(expected, kind="svg", scale=6, border=2, xmldecl=False, svgns=True,
                                                           title="出入证二维码")
    assert served == expected.getvalue()
    assert segno.make(issued.token, error="m").designator  # a real QR version, not an empty image


def test_revoking_on_the_page_puts_the_pass_on_the_gates_revocation_list(people: dict[str, Person], client_for: Callable[[str], Client]) -> None:
    issued = pass_issue(person=people["local"], acting_user=user("grid_officer"))
    client = client_for("grid_officer")
    refused = client.post(reverse("workforce:pass-revoke", args=[issued.pk]), {"reason": ""})
    assert refused.status_code == 302 and any("请选择吊销原因" in m for m in texts(refused))
    response = client.post(reverse("workforce:pass-revoke", args=[issued.pk]), {"reason": "fever"})
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.revoked_reason == "fever"
    listed = client.get(reverse("api:pass-revoked")).json()["revoked"]
    assert str(issued.pk) in listed
    assert verify(issued.token)["reason"] == "已吊销"
    # An enterprise admin reads the pass but may not revoke it
    other = pass_issue(person=people["isolated"], acting_user=user("grid_officer"))
    assert client_for("ent_admin").post(reverse("workforce:pass-revoke", args=[other.pk]), {"reason": "other"}).status_code == 403


def test_pass_list_filters_states_and_exports(people: dict[str, Person], client_for: Callable[[str], Client]) -> None:
    officer = user("grid_officer")
    valid = pass_issue(person=people["local"], acting_user=officer)
    old = pass_issue(person=people["isolated"], acting_user=officer)
    Pass.objects.filter(pk=old.pk).update(valid_from=old.valid_from - timedelta(days=40), valid_to=old.valid_to - timedelta(days=40))
    client = client_for("ent_admin")
    listed = {p.pk for p in client.get(reverse("workforce:pass-list")).context["page"].paginator.object_list}
    assert {valid.pk, old.pk} <= listed
    assert not Pass.objects.filter(pk__in=listed).exclude(enterprise=valid.enterprise).exists(), "the enterprise lists its own staff's only"
    expired = client.get(reverse("workforce:pass-list"), {"state": "expired", "q": "刘芳"}).context["page"].paginator.object_list
    assert [p.pk for p in expired] == [old.pk]
    assert not client.get(reverse("workforce:pass-list"), {"state": "valid", "q": "刘芳"}).context["page"].paginator.count
    export = client.get(reverse("workforce:pass-list"), {"export": "xlsx", "q": "李秀英"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    from tests.workforce.factories import read_sheets

    rows = next(iter(read_sheets(export.content).values()))
    assert rows[0][:4] == ["企业", "姓名", "身份证号", "状态"] and [row[1] for row in rows[1:]] == ["李秀英"]
    assert all("*" in row[2] for row in rows[1:]), "ID numbers are exported masked"


@pytest.mark.parametrize(("username", "sees"), [("grid_officer", True), ("ent_admin", True), ("hitech_cmd", True), ("heshan_cmd", False),
                                                ("employee", False), ("gate_guard", False), ("jmb_reviewer", False)])
def test_pass_is_seen_exactly_inside_the_scope(people: dict[str, Person], client_for: Callable[[str], Client], username: str, sees: bool) -> None:
    issued = pass_issue(person=people["local"], acting_user=user("grid_officer"))
    client = client_for(username)
    assert client.get(reverse("workforce:pass-detail", args=[issued.pk])).status_code == (200 if sees else 404)
    assert client.get(reverse("workforce:pass-qr", args=[issued.pk])).status_code == (200 if sees else 404)


# -- the employee's own pass ------------------------------------------------------------------------


def test_employee_sees_their_own_pass_on_the_phone(people: dict[str, Person], client_for: Callable[[str], Client]) -> None:
    client = client_for("employee")
    # Before the approval: no pass, with the classification and the eligible date
    before = client.get(reverse("workforce:my-pass"))
    assert before.status_code == 200 and "暂无有效出入证" in before.content.decode()
    assert before.context["category"] == "审核后发证"
    issued = pass_issue(person=people["employee"], acting_user=user("grid_officer"))
    after = client.get(reverse("workforce:my-pass"))
    html = after.content.decode()
    assert after.context["pass"].pk == issued.pk and "张*" in html
    assert client.get(reverse("workforce:pass-qr", args=[issued.pk]))["Content-Type"] == "image/svg+xml"
    # but not a colleague's pass
    colleague = pass_issue(person=people["local"], acting_user=user("grid_officer"))
    assert client.get(reverse("workforce:pass-qr", args=[colleague.pk])).status_code == 404


def test_account_without_a_record_has_no_own_pass_page(people: dict[str, Person], client_for: Callable[[str], Client]) -> None:
    assert client_for("grid_officer").get(reverse("workforce:my-pass")).status_code == 404
    assert Client().get(reverse("workforce:my-pass")).status_code == 302


def test_personal_link_opens_that_person_pass_without_a_password(people: dict[str, Person]) -> None:
    person = people["isolating"]
    token = links.make_token(person)
    # No pass yet: the reason and the date the person may get one
    page = Client().get(reverse("workforce:link-pass", args=[token]))
    html = page.content.decode()
    assert page.status_code == 200 and "暂无有效出入证" in html
    assert (timezone.localdate() + timedelta(days=13)).isoformat() in html and "单人单间隔离" in html
    assert Client().get(reverse("workforce:link-pass-qr", args=[token])).status_code == 404
    # With a pass: the card and its QR code
    local = people["local"]
    issued = pass_issue(person=local, acting_user=user("grid_officer"))
    local_token = links.make_token(local)
    page = Client().get(reverse("workforce:link-pass", args=[local_token]))
    assert page.context["pass"].pk == issued.pk
    qr = Client().get(reverse("workforce:link-pass-qr", args=[local_token]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"


def test_forged_or_expired_link_is_a_friendly_not_found(people: dict[str, Person], monkeypatch: pytest.MonkeyPatch) -> None:
    token = links.make_token(people["local"])
    forged = Client().get(reverse("workforce:link-pass", args=[token[:-2] + ("AA" if not token.endswith("AA") else "BB")]))
    assert forged.status_code == 404 and "链接无效或已过期" in forged.content.decode()
    # A link made fifteen days ago (the policy keeps links 14 days) no longer opens; one of thirteen does
    real_time = time.time
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", lambda: real_time() - 15 * 86400)
        old = links.make_token(people["local"])
        patched.setattr(time, "time", lambda: real_time() - 13 * 86400)
        recent = links.make_token(people["local"])
    expired = Client().get(reverse("workforce:link-pass", args=[old]))
    assert expired.status_code == 404 and "链接无效或已过期" in expired.content.decode()
    assert Client().get(reverse("workforce:link-pass", args=[recent])).status_code == 200


# -- the block on a person's page ------------------------------------------------------------------


def test_person_pass_block_offers_issue_and_revoke_as_permitted(people: dict[str, Person], rf: Any) -> None:
    from django.template.loader import render_to_string

    def render(username: str, person: Person) -> str:
        request = rf.get("/")
        request.user = user(username)
        return render_to_string("workforce/_person_passes.html", {"person": person, "request": request})

    assert 'data-testid="person-issue-pass"' in render("grid_officer", people["local"])
    assert 'data-testid="person-issue-pass"' not in render("ent_admin", people["local"])
    waiting = render("grid_officer", people["isolating"])
    assert 'data-testid="person-issue-pass"' not in waiting and (timezone.localdate() + timedelta(days=13)).isoformat() in waiting
    pass_issue(person=people["local"], acting_user=user("grid_officer"))
    shown = render("grid_officer", people["local"])
    assert "有效" in shown and "/revoke/" in shown and 'data-testid="person-issue-pass"' not in shown
    assert "/revoke/" not in render("ent_admin", people["local"])  # the enterprise sees its passes, officers revoke them

