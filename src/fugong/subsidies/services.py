"""Writes of the subsidies: an enterprise applies (a snapshot of its computed lines with its
declaration), an officer approves or rejects (with a reason; after a rejection the enterprise may
correct its roster and apply again). Each checks the permission again, runs in a transaction and
writes an audit entry with counts and amounts, never a person's name."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fugong.audit.services import record
from fugong.enterprises.models import Enterprise
from fugong.subsidies.calculation import money
from fugong.subsidies.choices import ApplicationStatus
from fugong.subsidies.models import SubsidyApplication, SubsidyLine, SubsidyScheme
from fugong.subsidies.selectors import compute_for, open_application

APPLICATION_LABEL = "补贴申请"  # what the audit log shows (the lines name people)
DECLARATION = ("本企业承诺：所报人员均为本企业在岗职工，返岗日期、入职日期、来源地和介绍人等信息真实准确，"
               "同一人员未重复申领同类补贴；如有虚报冒领，自愿退回补贴并承担相应责任。")
ALREADY_OPEN = "本企业该补贴本期已有待审核或已批准的申请，不能重复申请；如被驳回，可修改后重新申请。"
MAX_RENT = Decimal("10000000")


def clean_rent(value: Any) -> Decimal | None:
    """A monthly rent as typed (元): empty → None; refused in Chinese if not a positive amount."""
    if value in (None, ""):
        return None
    try:
        rent = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ValidationError({"monthly_rent": "月租金应为金额（元），如 12000。"}) from None
    if not rent.is_finite() or rent <= 0:
        raise ValidationError({"monthly_rent": "月租金应大于 0。"})
    if rent >= MAX_RENT:
        raise ValidationError({"monthly_rent": "月租金过大，请核对（单位：元）。"})
    return money(rent)


def application_submit(*, scheme: SubsidyScheme, enterprise: Enterprise, acting_user: Any, declared: bool, declared_by_name: str = "",
                       monthly_rent: Any = None, as_of: date | None = None, request: Any = None) -> SubsidyApplication:
    """Apply for ``scheme`` for ``enterprise``: the lines computed from its roster now are kept as
    they are (the snapshot), with the declaration the applicant ticked.

    Refused (Chinese ValidationError) when the scheme does not take applications or does not
    cover the enterprise, the declaration is not ticked, the monthly rent is missing where a rent
    rule needs it, nothing is computed, or an application of the same scheme and period is
    pending or approved. For the enterprise's admin (``subsidies.apply``).
    """
    if not acting_user.has_perm("subsidies.apply", enterprise):
        raise PermissionDenied("只有本企业的防疫专员可以申请补贴。")
    if not scheme.active:
        raise ValidationError("该补贴政策已停止受理。")
    if not SubsidyScheme.objects.covering(enterprise).filter(pk=scheme.pk).exists():
        raise ValidationError("该补贴政策不适用于本企业。")
    errors: dict[str, str] = {}
    rent = None
    try:
        rent = clean_rent(monthly_rent)
    except ValidationError as exc:
        errors.update({key: messages[0] for key, messages in exc.message_dict.items()})
    if scheme.needs_rent and rent is None and "monthly_rent" not in errors:
        errors["monthly_rent"] = "本政策含租金减免，请填写每月租金（元）。"
    if not declared:
        errors["declared"] = "请阅读并勾选承诺后再提交申请。"
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    with transaction.atomic():
        # Lock the enterprise: two applications of one enterprise serialise; the partial unique
        # constraint is the last guard.
        Enterprise.objects.select_for_update().only("pk").get(pk=enterprise.pk)
        if open_application(scheme, enterprise) is not None:
            raise ValidationError(ALREADY_OPEN, code="already_open")
        computation = compute_for(scheme=scheme, enterprise=enterprise, as_of=as_of or today, monthly_rent=rent)
        if computation.not_applicable:
            raise ValidationError(computation.not_applicable)
        if not computation.lines:
            raise ValidationError("按本企业当前花名册，没有符合条件的补贴明细，无法申请。请核对返岗日期、入职日期、来源地和介绍人。")
        application = SubsidyApplication(
            scheme=scheme, enterprise=enterprise, period_start=scheme.period_start, period_end=scheme.period_end,
            status=ApplicationStatus.PENDING, computed_on=computation.as_of, monthly_rent=rent, total_amount=computation.total,
            people_count=computation.people, line_count=len(computation.lines),
            exclusions=[exclusion.as_json() for exclusion in computation.exclusions], declaration=DECLARATION,
            declared_by_name=(declared_by_name or getattr(acting_user, "display_name", "") or str(acting_user))[:100],
            submitted_at=timezone.now(), created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        try:
            with transaction.atomic():
                application.save(force_insert=True)
        except IntegrityError:
            raise ValidationError(ALREADY_OPEN, code="already_open") from None
        SubsidyLine.objects.bulk_create([
            SubsidyLine(application=application, rule_id=line.rule_id, rule_kind=line.rule_kind, rule_name=line.rule_name,
                        person_id=line.person_id, person_name=line.person_name, id_masked=line.id_masked, amount=line.amount,
                        reason=line.reason[:255], order=order)
            for order, line in enumerate(computation.lines, start=1)
        ])
        record(action="subsidy.apply", actor=acting_user, obj=application, object_label=APPLICATION_LABEL, request=request,
               data={"scheme": scheme.pk, "enterprise": enterprise.pk, "lines": len(computation.lines), "people": computation.people,
                     "total": str(computation.total), "computed_on": computation.as_of.isoformat(), "rent": str(rent) if rent else None})
    return application


def _decide(*, application: SubsidyApplication, acting_user: Any, status: str, note: str, action: str, request: Any) -> SubsidyApplication:
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError("该申请已审核，不能重复处理。", code="decided")
    if not acting_user.has_perm("subsidies.decide", application):
        raise PermissionDenied("补贴申请由企业所在辖区的指挥部审核。")
    with transaction.atomic():
        locked = SubsidyApplication.objects.select_for_update().get(pk=application.pk)
        if locked.status != ApplicationStatus.PENDING:
            raise ValidationError("该申请已审核，不能重复处理。", code="decided")
        locked.status = status
        locked.decided_at = timezone.now()
        locked.decided_by = acting_user if getattr(acting_user, "pk", None) else None
        locked.decision_note = note
        locked.save(update_fields=["status", "decided_at", "decided_by", "decision_note", "updated_at"])
        record(action=action, actor=acting_user, obj=locked, object_label=APPLICATION_LABEL, request=request,
               data={"scheme": locked.scheme_id, "enterprise": locked.enterprise_id, "total": str(locked.total_amount),
                     "people": locked.people_count})
    return locked


def application_approve(*, application: SubsidyApplication, acting_user: Any, note: str = "", request: Any = None) -> SubsidyApplication:
    """Approve a pending application as it was declared (its snapshot is what will be paid)."""
    return _decide(application=application, acting_user=acting_user, status=ApplicationStatus.APPROVED, note=note.strip(),
                   action="subsidy.approve", request=request)


def application_reject(*, application: SubsidyApplication, acting_user: Any, reason: str, request: Any = None) -> SubsidyApplication:
    """Reject a pending application; the reason is required (the enterprise reads it, corrects its
    roster and may apply again)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写驳回理由，企业将据此修改后重新申请。"})
    return _decide(application=application, acting_user=acting_user, status=ApplicationStatus.REJECTED, note=reason,
                   action="subsidy.reject", request=request)
