"""The subsidy pages as the enterprise, the officers and the others use them: scoping (404 outside),
forms that keep what was typed and answer in Chinese, names masked or not, and the exports."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fugong.accounts.models import User
from fugong.enterprises.models import Enterprise
from fugong.subsidies.choices import ApplicationStatus
from fugong.subsidies.models import SubsidyApplication, SubsidyScheme
from fugong.subsidies.services import application_approve, application_submit
from fugong.workforce.models import Person
from tests.workforce.factories import id_number

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows_of(content: bytes) -> list[list[Any]]:
    return [list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]  # type: ignore[union-attr]


@pytest.fixture
def applied(heyuan_scheme: SubsidyScheme, fresh_enterprise: Enterprise, roster: dict[str, Person], admin: User) -> SubsidyApplication:
    return application_submit(scheme=heyuan_scheme, enterprise=fresh_enterprise, declared=True, acting_user=admin)


def test_the_enterprise_admin_sees_its_computed_subsidy_line_by_line(heyuan_scheme: SubsidyScheme, fresh_enterprise: Enterprise,
                                                                     roster: dict[str, Person], enterprise_admin: User) -> None:
    response = logged_in(enterprise_admin).get(reverse("subsidies:enterprise", args=[fresh_enterprise.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    card = next(c for c in response.context["cards"] if c.scheme.pk == heyuan_scheme.pk)
    assert card.computation.total == Decimal("2100") and card.form is not None
    # its own staff by their full names, the reasons, the exclusions explained
    for text in ("王早归", "2月20日前返岗", "介绍新员工1人（陈*）", "入职未满3个月", "来源地为本地未外出，不属于返岗人员", "2100"):
        assert text in html
    # the menu's list page links the enterprise admin to it
    listing = logged_in(enterprise_admin).get(reverse("subsidies:list")).content.decode()
    assert reverse("subsidies:enterprise", args=[fresh_enterprise.pk]) in listing


def test_officers_read_a_computation_in_their_jurisdiction_and_nothing_beyond(heyuan_scheme: SubsidyScheme, fresh_enterprise: Enterprise,
                                                                              roster: dict[str, Person], client_for: Callable[[str], Client]) -> None:
    url = reverse("subsidies:enterprise", args=[fresh_enterprise.pk])
    grid = client_for("grid_officer").get(url)
    assert grid.status_code == 200
    html = grid.content.decode()
    assert "王*" in html and "王早归" not in html  # a grid officer reads names masked
    assert all(card.form is None for card in grid.context["cards"])  # and cannot apply
    assert client_for("heshan_cmd").get(url).status_code == 404
    assert client_for("ent_admin").get(url).status_code == 404  # another enterprise
    assert client_for("jmb_reviewer").get(url).status_code == 403
    assert client_for("employee").get(url).status_code == 403


def test_applying_from_the_page_keeps_the_snapshot_and_shows_it(heyuan_scheme: SubsidyScheme, fresh_enterprise: Enterprise,
                                                                roster: dict[str, Person], enterprise_admin: User) -> None:
    client = logged_in(enterprise_admin)
    response = client.post(reverse("subsidies:apply", args=[fresh_enterprise.pk]), {"scheme": heyuan_scheme.pk, "declared": "on"})
    application = SubsidyApplication.objects.get(enterprise=fresh_enterprise)
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert application.declared_by_name == "补贴测试 防疫专员"
    detail = client.get(application.get_absolute_url()).content.decode()
    assert "王早归" in detail and "2100" in detail and "待审核" in detail
    # a second application of the same period is refused on the page, in Chinese
    again = client.post(reverse("subsidies:apply", args=[fresh_enterprise.pk]), {"scheme": heyuan_scheme.pk, "declared": "on"})
    assert again.status_code == 200
    assert "本期已申请" in again.content.decode()
    assert SubsidyApplication.objects.filter(enterprise=fresh_enterprise).count() == 1


def test_a_refused_application_keeps_what_was_typed_and_says_why(rent_scheme: SubsidyScheme, enterprise_admin: User,
                                                                 fresh_enterprise: Enterprise) -> None:
    Enterprise.objects.filter(pk=fresh_enterprise.pk).update(in_park=True)
    client = logged_in(enterprise_admin)
    url = reverse("subsidies:apply", args=[fresh_enterprise.pk])
    # the rent typed, the declaration forgotten
    response = client.post(url, {"scheme": rent_scheme.pk, "monthly_rent": "8000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "请阅读并勾选承诺后再提交申请。" in html
    assert 'value="8000"' in html
    assert "2020年2月租金全免（月租金8000.00元）" in html  # computed with the rent typed
    # nonsense rent
    bad = client.post(url, {"scheme": rent_scheme.pk, "monthly_rent": "八千", "declared": "on"}).content.decode()
    assert "月租金应为金额（元），如 12000。" in bad and 'value="八千"' in bad
    # 试算 saves nothing
    preview = client.post(url, {"scheme": rent_scheme.pk, "monthly_rent": "9000", "preview": "1"})
    assert preview.status_code == 200 and "2020年3月租金减半（月租金9000.00元）" in preview.content.decode()
    assert not SubsidyApplication.objects.filter(enterprise=fresh_enterprise).exists()
    # and then applied
    done = client.post(url, {"scheme": rent_scheme.pk, "monthly_rent": "9000", "declared": "on"})
    assert done.status_code == 302
    assert SubsidyApplication.objects.get(enterprise=fresh_enterprise).total_amount == Decimal("18000.00")


def test_the_command_approves_and_rejects_with_a_reason_others_may_not(applied: SubsidyApplication, client_for: Callable[[str], Client],
                                                                       enterprise_admin: User) -> None:
    reject = reverse("subsidies:reject", args=[applied.pk])
    approve = reverse("subsidies:approve", args=[applied.pk])
    # the enterprise and the grid officer see it but may not decide
    assert logged_in(enterprise_admin).post(approve).status_code == 403
    assert client_for("grid_officer").post(approve).status_code == 403
    # another county does not see it at all
    assert client_for("heshan_cmd").post(approve).status_code == 404
    assert client_for("heshan_cmd").get(applied.get_absolute_url()).status_code == 404
    # a rejection without a reason is refused in Chinese, the page shown again
    command = client_for("hitech_cmd")
    empty = command.post(reject, {"reason": "  "})
    assert empty.status_code == 200 and "请填写驳回理由，企业将据此修改后重新申请。" in empty.content.decode()
    assert SubsidyApplication.objects.get(pk=applied.pk).status == ApplicationStatus.PENDING
    assert command.post(reject, {"reason": "赵新近返岗日期有误"}).status_code == 302
    rejected = SubsidyApplication.objects.get(pk=applied.pk)
    assert (rejected.status, rejected.decision_note) == (ApplicationStatus.REJECTED, "赵新近返岗日期有误")
    # the enterprise reads the reason and is offered to apply again
    page = logged_in(enterprise_admin).get(applied.get_absolute_url()).content.decode()
    assert "赵新近返岗日期有误" in page and 'data-testid="reapply"' in page


def test_the_application_list_is_scoped_and_exports_its_rows(applied: SubsidyApplication, client_for: Callable[[str], Client]) -> None:
    listed = client_for("hitech_cmd").get(reverse("subsidies:list"))
    assert applied in list(listed.context["page"].object_list) or applied.pk in {a.pk for a in listed.context["page"].paginator.object_list}
    assert applied.pk not in {a.pk for a in client_for("heshan_cmd").get(reverse("subsidies:list")).context["page"].paginator.object_list}
    assert applied.pk not in {a.pk for a in client_for("ent_admin").get(reverse("subsidies:list")).context["page"].paginator.object_list}
    export = client_for("hitech_cmd").get(reverse("subsidies:list"), {"scheme": applied.scheme_id, "export": "xlsx"})
    assert export.status_code == 200
    rows = rows_of(export.content)
    assert rows[0][:3] == ["补贴政策", "企业", "统一社会信用代码"]
    assert [row[1] for row in rows[1:]] == [applied.enterprise.name]
    assert Decimal(str(rows[1][7])) == Decimal("2100")


def test_the_payment_list_downloads_approved_lines_names_in_full_only_for_those_who_may(
        applied: SubsidyApplication, client_for: Callable[[str], Client], users: Callable[[str], User]) -> None:
    application_approve(application=applied, acting_user=users("hitech_cmd"))
    url = reverse("subsidies:payment-list", args=[applied.scheme_id])
    command = client_for("hitech_cmd").get(url)
    assert command.status_code == 200 and "attachment" in command["Content-Disposition"]
    full = rows_of(command.content)
    assert len(full) == 1 + 8 and "王早归" in {row[4] for row in full}
    grid = rows_of(client_for("grid_officer").get(url).content)
    assert {row[4] for row in grid[1:]} == {"王*", "李*", "刘*", "陈*", "赵*"}
    assert client_for("ent_admin").get(url).status_code == 200  # another enterprise's admin: nothing of this one
    assert len(rows_of(client_for("ent_admin").get(url).content)) == 1
    assert client_for("jmb_reviewer").get(url).status_code == 403
    assert client_for("heshan_cmd").get(url).status_code == 404  # not a scheme of theirs


def test_the_summary_totals_per_scheme(applied: SubsidyApplication, client_for: Callable[[str], Client], users: Callable[[str], User]) -> None:
    application_approve(application=applied, acting_user=users("hitech_cmd"))
    response = client_for("hitech_cmd").get(reverse("subsidies:summary"))
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r.scheme.pk == applied.scheme_id)
    assert (row.applications, row.approved, row.people_approved, row.amount_approved) == (1, 1, 5, Decimal("2100"))
    assert client_for("ent_admin").get(reverse("subsidies:summary")).status_code == 403


def test_the_scheme_pages_show_the_rules_in_words(heyuan_scheme: SubsidyScheme, client_for: Callable[[str], Client]) -> None:
    page = client_for("ent_admin").get(reverse("subsidies:scheme", args=[heyuan_scheme.pk])).content.decode()
    for text in ("2月20日前返岗 300.00 元/人", "外省 300.00 元", "满 3 个月", "老员工带新员工奖励300元"):
        assert text in page
    listing = client_for("grid_officer").get(reverse("subsidies:schemes")).content.decode()
    assert heyuan_scheme.name in listing
    assert client_for("heshan_cmd").get(reverse("subsidies:scheme", args=[heyuan_scheme.pk])).status_code == 404


def test_a_person_form_shows_and_keeps_the_hiring_date_and_referrer(own_enterprise: Enterprise, client_for: Callable[[str], Client]) -> None:
    colleague = Person.objects.filter(enterprise=own_enterprise, user__isnull=True).order_by("name").first()
    assert colleague is not None
    client = client_for("ent_admin")
    form = client.get(reverse("workforce:create")).content.decode()
    assert "入职日期" in form and "介绍人" in form
    response = client.post(reverse("workforce:create"), {
        "enterprise": own_enterprise.pk, "name": "新招用", "id_number": id_number(8999, area="441625"), "phone": "13900000001", "post": "other",
        "hired_on": "2020-02-15", "referred_by": str(colleague.pk)})
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Person.objects.get(enterprise=own_enterprise, name="新招用")
    assert (made.hired_on, made.referred_by_id) == (date(2020, 2, 15), colleague.pk)


def test_an_officer_who_reviews_here_and_serves_a_grid_elsewhere_gets_no_computation(heyuan_scheme: SubsidyScheme,
                                                                                     fresh_enterprise: Enterprise,
                                                                                     roster: dict[str, Person]) -> None:
    # Given a grid officer of 鹤山市 who is also a reviewer at the department over the enterprise
    from fugong.accounts.choices import Role
    from fugong.accounts.models import Membership
    from fugong.regions.models import Region

    two_hats = User.objects.create_user(username="two_hats", password="x", display_name="两个身份")
    Membership.objects.create(user=two_hats, role=Role.GRID,
                              region=Region.objects.filter(level="grid", path__contains="/440784/").order_by("code").first())
    Membership.objects.create(user=two_hats, role=Role.REVIEWER, department=Membership.objects.get(user__username="jmb_reviewer").department)
    # Then the enterprise's roster money is not theirs to read: not found, as for any enterprise beyond their grid
    assert logged_in(two_hats).get(reverse("subsidies:enterprise", args=[fresh_enterprise.pk])).status_code == 404
