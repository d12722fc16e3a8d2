"""Computing from a roster, applying (the snapshot, no second open application), approving,
rejecting and applying again, the totals per scheme, and the payment list."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from fugong.accounts.models import User
from fugong.audit.models import AuditEntry
from fugong.enterprises.models import Enterprise
from fugong.subsidies.choices import ApplicationStatus
from fugong.subsidies.exporters import export_payment_list
from fugong.subsidies.models import SubsidyApplication, SubsidyRule, SubsidyScheme
from fugong.subsidies.selectors import compute_for, payment_lines, scheme_totals
from fugong.subsidies.services import ALREADY_OPEN, application_approve, application_reject, application_submit
from fugong.workforce.models import Person
from fugong.workforce.services import person_update
from tests.subsidies.conftest import make_enterprise

pytestmark = pytest.mark.django_db
AS_OF = date(2020, 6, 1)


def apply(scheme: SubsidyScheme, enterprise: Enterprise, user: User, **kwargs: Any) -> SubsidyApplication:
    kwargs.setdefault("declared", True)
    kwargs.setdefault("as_of", AS_OF)
    return application_submit(scheme=scheme, enterprise=enterprise, acting_user=user, **kwargs)


def test_the_roster_is_computed_person_by_person_and_rule_by_rule(heyuan_scheme: SubsidyScheme, fresh_enterprise: Enterprise,
                                                                  roster: dict[str, Person]) -> None:
    # When the fresh enterprise's roster is computed on 2020-06-01
    result = compute_for(scheme=heyuan_scheme, enterprise=fresh_enterprise, as_of=AS_OF)
    # Then each person has one line per rule they meet, with the reason
    lines = {(line.person_name, line.rule_name): (line.amount, line.reason) for line in result.lines}
    assert lines == {
        ("王早归", "返岗补助"): (Decimal("300"), "2月20日前返岗"),
        ("李晚归", "返岗补助"): (Decimal("200"), "2月20日后、3月31日前返岗"),
        ("刘老员", "返岗补助"): (Decimal("300"), "2月20日前返岗"),
        ("陈新人", "返岗补助"): (Decimal("300"), "2月20日前返岗"),
        ("刘老员", "老员工介绍新员工奖励"): (Decimal("300"), "介绍新员工1人（陈*）"),
        ("陈新人", "新员工稳岗生活补助"): (Decimal("300"), "2020年2月15日入职，已满3个月"),
        ("陈新人", "新员工交通补贴"): (Decimal("300"), "来源地：外省"),
        ("赵新近", "新员工交通补贴"): (Decimal("100"), "来源地：本市其他区"),
    }
    # And the exclusions say why
    assert {(e.person_name, e.reason) for e in result.exclusions} == {
        ("张本地", "来源地为本地未外出，不属于返岗人员"),
        ("赵新近", "4月1日返岗，晚于最后时段（3月31日）"),
        ("赵新近", "入职未满3个月（2020年7月1日满3个月）"),
    }
    assert result.total == Decimal("2100") and result.people == 5
    assert [(t.rule_name, t.amount) for t in result.totals] == [
        ("返岗补助", Decimal("1100")), ("老员工介绍新员工奖励", Decimal("300")), ("新员工稳岗生活补助", Decimal("300")),
        ("新员工交通补贴", Decimal("400"))]


def test_the_rules_amounts_are_data_a_changed_rule_changes_the_computation(heyuan_scheme: SubsidyScheme, fresh_enterprise: Enterprise,
                                                                           roster: dict[str, Person]) -> None:
    # Given the county raises the referral bonus to 500 in its rule
    referral = heyuan_scheme.rules.get(kind="referral")
    referral.params = {"amount": "500"}
    referral.full_clean()
    referral.save()
    # Then the referrer's line follows it
    result = compute_for(scheme=SubsidyScheme.objects.get(pk=heyuan_scheme.pk), enterprise=fresh_enterprise, as_of=AS_OF)
    assert [line.amount for line in result.lines if line.rule_name == "老员工介绍新员工奖励"] == [Decimal("500")]


def test_a_rule_with_nonsense_params_is_not_saved_through_its_form(heyuan_scheme: SubsidyScheme) -> None:
    rule = SubsidyRule(scheme=heyuan_scheme, kind="retention", name="稳岗", params={"amount": "300", "months": "-1"})
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert "正整数" in str(refused.value)


def test_applying_keeps_a_snapshot_that_later_roster_changes_do_not_touch(heyuan_scheme: SubsidyScheme, fresh_enterprise: Enterprise,
                                                                          roster: dict[str, Person], admin: User) -> None:
    # When the enterprise applies
    application = apply(heyuan_scheme, fresh_enterprise, admin)
    # Then the lines are kept as computed, with the declaration and counts
    assert application.status == ApplicationStatus.PENDING
    assert (application.total_amount, application.people_count, application.line_count) == (Decimal("2100"), 5, 8)
    assert application.lines.filter(person=roster["王早归"]).get().reason == "2月20日前返岗"
    assert {e["person"] for e in application.exclusions} == {"张*", "赵*"}  # exclusions keep masked names only
    assert "承诺" in application.declaration
    # And a later change of the roster leaves the snapshot as it was
    person_update(person=roster["王早归"], acting_user=admin, data={"return_date": date(2020, 3, 5)})
    assert application.lines.get(person=roster["王早归"]).amount == Decimal("300")
    # And the audit entry keeps counts, no names
    entry = AuditEntry.objects.filter(action="subsidy.apply", object_id=str(application.pk)).get()
    assert entry.data["total"] == "2100.00" and "王早归" not in str(entry.data) and entry.object_label == "补贴申请"


def test_no_second_application_while_one_is_pending_or_approved(heyuan_scheme: SubsidyScheme, fresh_enterprise: Enterprise,
                                                                roster: dict[str, Person], admin: User, users: Callable[[str], User]) -> None:
    first = apply(heyuan_scheme, fresh_enterprise, admin)
    with pytest.raises(ValidationError) as refused:
        apply(heyuan_scheme, fresh_enterprise, admin)
    assert refused.value.messages == [ALREADY_OPEN]
    application_approve(application=first, acting_user=users("hitech_cmd"))
    with pytest.raises(ValidationError):
        apply(heyuan_scheme, fresh_enterprise, admin)
    assert SubsidyApplication.objects.filter(enterprise=fresh_enterprise).count() == 1


def test_after_a_rejection_the_enterprise_corrects_its_roster_and_applies_again(heyuan_scheme: SubsidyScheme, fresh_enterprise: Enterprise,
                                                                               roster: dict[str, Person], admin: User,
                                                                               users: Callable[[str], User]) -> None:
    command = users("hitech_cmd")
    first = apply(heyuan_scheme, fresh_enterprise, admin)
    # A rejection needs a reason
    with pytest.raises(ValidationError) as refused:
        application_reject(application=first, acting_user=command, reason="  ")
    assert "驳回理由" in str(refused.value)
    rejected = application_reject(application=first, acting_user=command, reason="赵新近返岗日期有误")
    assert (rejected.status, rejected.decision_note, rejected.decided_by) == (ApplicationStatus.REJECTED, "赵新近返岗日期有误", command)
    # A decided application is not decided twice
    with pytest.raises(ValidationError):
        application_approve(application=rejected, acting_user=command)
    # The enterprise corrects 赵新近's return date and applies again: the new snapshot pays 200 more
    person_update(person=roster["赵新近"], acting_user=admin, data={"return_date": date(2020, 3, 20)})
    second = apply(heyuan_scheme, fresh_enterprise, admin)
    assert second.total_amount == Decimal("2300")
    assert application_approve(application=second, acting_user=command, note="同意").status == ApplicationStatus.APPROVED


def test_applying_needs_the_declaration_and_lines(heyuan_scheme: SubsidyScheme, fresh_enterprise: Enterprise, admin: User,
                                                 person_at: Callable[..., Person]) -> None:
    with pytest.raises(ValidationError) as refused:
        apply(heyuan_scheme, fresh_enterprise, admin, declared=False)
    assert refused.value.message_dict == {"declared": ["请阅读并勾选承诺后再提交申请。"]}
    person_at(fresh_enterprise, "张本地", origin="local_not_away")
    with pytest.raises(ValidationError) as nothing:
        apply(heyuan_scheme, fresh_enterprise, admin)
    assert "没有符合条件的补贴明细" in nothing.value.messages[0]


def test_the_rent_waiver_needs_the_monthly_rent_and_a_park_tenant(rent_scheme: SubsidyScheme, admin: User) -> None:
    tenant, outsider = make_enterprise(in_park=True), make_enterprise(in_park=False)
    with pytest.raises(ValidationError) as refused:
        apply(rent_scheme, tenant, admin)
    assert refused.value.message_dict == {"monthly_rent": ["本政策含租金减免，请填写每月租金（元）。"]}
    with pytest.raises(ValidationError) as bad:
        apply(rent_scheme, tenant, admin, monthly_rent="-3")
    assert bad.value.message_dict == {"monthly_rent": ["月租金应大于 0。"]}
    application = apply(rent_scheme, tenant, admin, monthly_rent="10,000")
    assert [(line.amount, line.person_name) for line in application.lines.order_by("order")] == [
        (Decimal("10000.00"), "（企业）"), (Decimal("5000.00"), "（企业）"), (Decimal("5000.00"), "（企业）")]
    assert application.monthly_rent == Decimal("10000.00") and application.people_count == 0
    with pytest.raises(ValidationError) as not_covered:
        apply(rent_scheme, outsider, admin, monthly_rent="10000")
    assert not_covered.value.messages == ["该补贴政策不适用于本企业。"]


def test_only_the_enterprises_admin_applies_and_only_the_command_over_it_decides(heyuan_scheme: SubsidyScheme, fresh_enterprise: Enterprise,
                                                                                  roster: dict[str, Person], enterprise_admin: User,
                                                                                  users: Callable[[str], User]) -> None:
    for username in ("hitech_cmd", "grid_officer", "ent_admin", "jmb_reviewer"):
        with pytest.raises(PermissionDenied):
            apply(heyuan_scheme, fresh_enterprise, users(username))
    application = apply(heyuan_scheme, fresh_enterprise, enterprise_admin)
    for username in ("grid_officer", "heshan_cmd", "jmb_reviewer"):
        with pytest.raises(PermissionDenied):
            application_approve(application=application, acting_user=users(username))
    with pytest.raises(PermissionDenied):
        application_approve(application=application, acting_user=enterprise_admin)
    assert application_approve(application=application, acting_user=users("county_cmd")).status == ApplicationStatus.APPROVED


def test_an_inactive_scheme_takes_no_application(heyuan_scheme: SubsidyScheme, fresh_enterprise: Enterprise, roster: dict[str, Person],
                                                admin: User) -> None:
    SubsidyScheme.objects.filter(pk=heyuan_scheme.pk).update(active=False)
    with pytest.raises(ValidationError) as refused:
        apply(SubsidyScheme.objects.get(pk=heyuan_scheme.pk), fresh_enterprise, admin)
    assert refused.value.messages == ["该补贴政策已停止受理。"]


def test_totals_per_scheme_count_applications_people_and_approved_amounts(heyuan_scheme: SubsidyScheme, fresh_enterprise: Enterprise,
                                                                          roster: dict[str, Person], admin: User,
                                                                          users: Callable[[str], User], person_at: Callable[..., Person]) -> None:
    command = users("hitech_cmd")
    other = make_enterprise()
    person_at(other, "孙返岗", return_date=date(2020, 2, 3))
    application_approve(application=apply(heyuan_scheme, fresh_enterprise, admin), acting_user=command)
    application_reject(application=apply(heyuan_scheme, other, admin), acting_user=command, reason="材料不全")
    apply(heyuan_scheme, other, admin)  # applied again: pending
    totals = next(t for t in scheme_totals(command) if t.scheme.pk == heyuan_scheme.pk)
    assert (totals.applications, totals.pending, totals.approved, totals.rejected) == (3, 1, 1, 1)
    assert (totals.people_approved, totals.amount_approved, totals.amount_pending) == (5, Decimal("2100"), Decimal("300"))
    # Another county's command sees none of them (the scheme is not theirs either)
    assert all(t.scheme.pk != heyuan_scheme.pk for t in scheme_totals(users("heshan_cmd")))


def test_the_payment_list_holds_approved_lines_with_names_masked_unless_revealed(heyuan_scheme: SubsidyScheme, fresh_enterprise: Enterprise,
                                                                                 roster: dict[str, Person], admin: User,
                                                                                 users: Callable[[str], User]) -> None:
    command = users("hitech_cmd")
    # A name typed as a formula, and a pending application that must not be listed
    Person.objects.filter(pk=roster["王早归"].pk).update(name="=HYPERLINK(\"x\")")
    application_approve(application=apply(heyuan_scheme, fresh_enterprise, admin), acting_user=command)
    lines = list(payment_lines(command, heyuan_scheme))
    assert len(lines) == 8 and {line.application.status for line in lines} == {ApplicationStatus.APPROVED}

    def sheet(reveal: bool) -> list[list[Any]]:
        workbook = load_workbook(io.BytesIO(export_payment_list(lines, lambda enterprise: reveal)))
        return [list(row) for row in workbook.active.iter_rows(values_only=True)]  # type: ignore[union-attr]

    revealed, masked = sheet(True), sheet(False)
    assert revealed[0] == ["序号", "企业", "统一社会信用代码", "镇街", "姓名", "身份证号", "补贴项目", "金额(元)", "依据", "审核时间"]
    names = [row[4] for row in revealed[1:]]
    assert "'=HYPERLINK(\"x\")" in names  # neutralised: Excel shows it as text
    assert {row[4] for row in masked[1:]} == {"'=*", "李*", "刘*", "陈*", "赵*"}
    assert all(len(str(row[5])) == 18 and "*" in str(row[5]) for row in revealed[1:])  # never a full ID number
    assert sum(Decimal(str(row[7])) for row in revealed[1:]) == Decimal("2100")


def test_the_hiring_date_comes_in_with_the_roster_and_earns_the_retention_bonus(heyuan_scheme: SubsidyScheme, fresh_enterprise: Enterprise,
                                                                                admin: User) -> None:
    from fugong.workforce.importers import RosterImporter
    from tests.workforce.factories import id_number

    # Given a roster with an 入职日期 column (as enterprises keep it: 2020/2/15)
    content = ("姓名,身份证号,手机号,来源地,入职日期\n"
               f"周新招,{id_number(8990, area='441625')},13900000002,外省,2020/2/15\n").encode("utf-8-sig")
    result = RosterImporter(enterprise=fresh_enterprise, acting_user=admin).run(content, "花名册.csv")
    assert result.imported == 1, result.refused
    # Then the new hire's date is kept, and the scheme pays the retention bonus and the travel subsidy
    assert Person.objects.get(enterprise=fresh_enterprise, name="周新招").hired_on == date(2020, 2, 15)
    lines = compute_for(scheme=heyuan_scheme, enterprise=fresh_enterprise, as_of=AS_OF).lines
    assert {(line.rule_name, line.amount) for line in lines} == {("新员工稳岗生活补助", Decimal("300")), ("新员工交通补贴", Decimal("300"))}
