"""Writes for resumption applications: drafting, uploads, checks, submission with routing,
review decisions, acceptance outcome, notice, suspension. Each runs in one transaction,
audits itself and tells the next actor once it has committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.forms.models import model_to_dict
from django.utils import timezone

from fugong.accounts.notifications import command_officers, department_reviewers, enterprise_admins, grid_officers_of, notify
from fugong.accounts.scope import scope_of
from fugong.audit.services import record
from fugong.core.uploads import check_upload
from fugong.enterprises.choices import Status as EnterpriseStatus
from fugong.enterprises.models import Enterprise
from fugong.policy.decisions import ApplicationFacts, Check, application_checks, needs_county_approval
from fugong.policy.services import current
from fugong.regions.models import Region
from fugong.resumption.choices import OPEN_FOR_EDIT, Decision, Stage, Status, StepStatus
from fugong.resumption.models import (
    Application,
    Attachment,
    MaterialReserve,
    Notice,
    ReturnPlanEntry,
    ReviewStep,
    Submission,
    Suspension,
)
from fugong.resumption.routing import county_of, review_chain
from fugong.workforce.choices import RevocationReason
from fugong.workforce.services import passes_revoke_for_enterprise

FORM_FIELDS = [
    "planned_start", "special_reason", "production_plan", "raw_materials", "logistics", "orders_on_hand", "equipment_checked",
    "risk_assessment", "disinfection_measures", "commuting_measures", "leadership_head", "leadership_members", "canteen_measures",
    "dormitory_rooms", "dormitory_residents", "dormitory_measures", "shuttle_bus_count", "shuttle_bus_measures", "observation_room",
    "observation_room_location", "observation_single_room", "observation_suits", "observation_goggles", "observation_medical_kit",
    "commitment_signed",
]


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("enterprise__region", "enterprise__town").get(pk=application.pk)


def _require_enterprise_admin(user: Any, enterprise: Enterprise) -> None:
    scope = scope_of(user)
    if not (scope.is_admin or enterprise.pk in scope.enterprise_ids):
        raise PermissionDenied("只有本企业的防疫专员可以填写和提交复工申请。")


# -- drafting -----------------------------------------------------------------------------------

def application_start(*, enterprise: Enterprise, acting_user: Any, request: Any = None) -> Application:
    """Open a draft, or return the one already open: an enterprise has one application in progress."""
    _require_enterprise_admin(acting_user, enterprise)
    with transaction.atomic():
        Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        open_application = Application.objects.filter(enterprise=enterprise).exclude(status__in=[Status.REJECTED]).order_by("-created_at").first()
        if open_application is not None:
            return open_application
        application = Application.objects.create(enterprise=enterprise, created_by=acting_user)
        record(action="application.start", actor=acting_user, obj=application, request=request)
    return application


def application_save(
    *, application: Application, acting_user: Any, data: dict[str, Any], reserves: dict[str, int] | None = None,
    return_plan: list[tuple[Any, str, int]] | None = None, request: Any = None,
) -> Application:
    """Keep what the enterprise typed (a draft may be incomplete); only drafts and returned applications change."""
    _require_enterprise_admin(acting_user, application.enterprise)
    with transaction.atomic():
        locked = _lock(application)
        if locked.status not in OPEN_FOR_EDIT:
            raise ValidationError(f"申请当前状态为“{locked.get_status_display()}”，不能修改。")
        before = model_to_dict(locked, fields=FORM_FIELDS)
        for key in FORM_FIELDS:
            if key in data:
                setattr(locked, key, data[key])
        locked.save(update_fields=[*FORM_FIELDS, "updated_at"])
        if reserves is not None:
            locked.reserves.all().delete()
            MaterialReserve.objects.bulk_create([MaterialReserve(application=locked, item=k, quantity=v) for k, v in reserves.items() if v])
        if return_plan is not None:
            locked.return_plan.all().delete()
            ReturnPlanEntry.objects.bulk_create(
                [ReturnPlanEntry(application=locked, return_date=d, origin=o, count=c) for d, o, c in return_plan if c]
            )
        after = model_to_dict(locked, fields=FORM_FIELDS)
        record(action="application.save", actor=acting_user, obj=locked, request=request,
               data={"changed": sorted(k for k in FORM_FIELDS if before.get(k) != after.get(k))})
    return locked


def attachment_add(*, application: Application, kind: str, upload: Any, acting_user: Any, request: Any = None) -> Attachment:
    """Store a checked upload under a generated name."""
    _require_enterprise_admin(acting_user, application.enterprise)
    policy = current(application.enterprise.region)
    checked = check_upload(upload, max_mb=policy.upload_max_mb)
    with transaction.atomic():
        locked = _lock(application)
        if locked.status not in OPEN_FOR_EDIT:
            raise ValidationError(f"申请当前状态为“{locked.get_status_display()}”，不能再上传材料。")
        attachment = Attachment(application=locked, kind=kind, original_name=checked.display_name, content_type=checked.content_type,
                                size=checked.size, uploaded_by=acting_user)
        attachment.file.save(f"upload.{checked.extension}", upload, save=False)
        attachment.save()
        record(action="application.attach", actor=acting_user, obj=locked, request=request,
               data={"kind": kind, "size": checked.size, "type": checked.extension})
    return attachment


def attachment_remove(*, attachment: Attachment, acting_user: Any, request: Any = None) -> None:
    _require_enterprise_admin(acting_user, attachment.application.enterprise)
    with transaction.atomic():
        locked = _lock(attachment.application)
        if locked.status not in OPEN_FOR_EDIT:
            raise ValidationError("申请已提交，不能删除材料。")
        record(action="application.detach", actor=acting_user, obj=locked, request=request, data={"kind": attachment.kind})
        attachment.file.delete(save=False)
        attachment.delete()


# -- checks -------------------------------------------------------------------------------------

def facts_of(application: Application) -> ApplicationFacts:
    enterprise = application.enterprise
    return ApplicationFacts(
        planned_start=application.planned_start,
        is_essential=enterprise.is_essential,
        returning_headcount=application.returning_headcount,
        reserves={r.item: r.quantity for r in application.reserves.all()},
        has_dormitory=enterprise.has_dormitory or application.dormitory_rooms > 0,
        dormitory_rooms=application.dormitory_rooms,
        dormitory_residents=application.dormitory_residents,
        observation_room=application.observation_room,
        observation_equipment={"single_room": application.observation_single_room, "suits": application.observation_suits,
                               "goggles": application.observation_goggles, "medical_kit": application.observation_medical_kit},
        commitment_signed=application.commitment_signed,
        attachment_kinds=frozenset(application.attachments.values_list("kind", flat=True)),
        has_shuttle_bus=enterprise.has_shuttle_bus or application.shuttle_bus_count > 0,
        special_reason=application.special_reason,
        return_batches=tuple((entry.return_date, entry.count) for entry in application.return_plan.all()),
    )


def checks_for(application: Application, at: datetime | None = None) -> list[Check]:
    now = at or timezone.now()
    return application_checks(facts_of(application), current(application.enterprise.region, now), now)


@dataclass(frozen=True)
class SubmissionRefused(Exception):
    """The blocking checks that failed; the page lists them."""

    checks: list[Check]

    def __str__(self) -> str:
        return "；".join(c.message for c in self.checks)


# -- submission and review ------------------------------------------------------------------------

def snapshot(application: Application) -> dict[str, Any]:
    data = {k: v for k, v in model_to_dict(application, fields=FORM_FIELDS).items()}
    data["planned_start"] = application.planned_start.isoformat() if application.planned_start else None
    data["reserves"] = {r.item: r.quantity for r in application.reserves.all()}
    data["return_plan"] = [[e.return_date.isoformat(), e.origin, e.count] for e in application.return_plan.all()]
    data["attachments"] = sorted(f"{a.kind}:{a.original_name}" for a in application.attachments.all())
    return data


def changes_since_last_submission(application: Application) -> dict[str, tuple[Any, Any]]:
    """What the enterprise changed between its last two submissions: the reviewer reads this first."""
    last_two = list(application.submissions.order_by("-number")[:2])
    if len(last_two) < 2:
        return {}
    new, old = last_two[0].data, last_two[1].data
    return {key: (old.get(key), new.get(key)) for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)}


def _lock_county(county: Region) -> None:
    """Serialise numbering per county: two submissions or notices at the same moment must not
    take the same serial (the county row is the lock; callers are inside a transaction)."""
    Region.objects.select_for_update().filter(pk=county.pk).first()


def _number(application: Application) -> str:
    county = county_of(application.enterprise)
    _lock_county(county)
    year = timezone.localdate().year
    prefix = f"FG{county.code[:6]}-{year}-"
    last = Application.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    serial = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{serial:05d}"


def _open_step(step: ReviewStep) -> None:
    step.opened_at = timezone.now()
    step.save(update_fields=["opened_at"])
    url = step.application.get_absolute_url()
    title = f"待审核：{step.application.enterprise.name} 复工申请"
    if step.stage == Stage.DEPARTMENT and step.department:
        notify(department_reviewers(step.department), title=title, body=f"{step.get_stage_display()}（{step.department}）", url=url)
    elif step.region:
        notify(command_officers(step.region), title=title, body=step.get_stage_display(), url=url)


def application_submit(*, application: Application, acting_user: Any, request: Any = None, at: datetime | None = None) -> Application:
    """File the application: refuse while a blocking check fails; otherwise fix the review chain
    for this round from the routing rules, keep a snapshot and hand it to the first department."""
    _require_enterprise_admin(acting_user, application.enterprise)
    with transaction.atomic():
        locked = _lock(application)
        now = at or timezone.now()
        checks = checks_for(locked, now)
        blocking = [c for c in checks if not c.ok and c.blocking]
        if blocking:
            raise SubmissionRefused(blocking)
        _rule, departments = review_chain(locked.enterprise)
        policy = current(locked.enterprise.region, now)
        locked.needs_county = needs_county_approval(facts_of(locked), policy)
        locked.submission_count += 1
        locked.submitted_at = now
        if not locked.number:
            locked.number = _number(locked)
        locked.steps.filter(status=StepStatus.PENDING).update(status=StepStatus.SUPERSEDED)
        round_no = locked.submission_count
        steps = [ReviewStep(application=locked, round=round_no, order=i, stage=Stage.DEPARTMENT, department=d)
                 for i, d in enumerate(departments, start=1)]
        steps.append(ReviewStep(application=locked, round=round_no, order=len(steps) + 1, stage=Stage.TOWN, region=locked.enterprise.town))
        if locked.needs_county:
            steps.append(ReviewStep(application=locked, round=round_no, order=len(steps) + 1, stage=Stage.COUNTY,
                                    region=county_of(locked.enterprise)))
        ReviewStep.objects.bulk_create(steps)
        locked.submit()
        locked.save(update_fields=["status", "needs_county", "submission_count", "submitted_at", "number", "updated_at"])
        Submission.objects.create(application=locked, number=round_no, data=snapshot(locked), submitted_by=acting_user)
        if locked.enterprise.status in (EnterpriseStatus.NOT_APPLIED,):
            Enterprise.objects.filter(pk=locked.enterprise_id).update(status=EnterpriseStatus.APPLYING)
        record(action="application.submit", actor=acting_user, obj=locked, request=request,
               data={"round": round_no, "chain": [d.pk for d in departments], "needs_county": locked.needs_county,
                     "policy_versions": list(policy.version_ids)})
        _open_step(locked.steps.get(round=round_no, order=1))
    return locked


def can_decide(user: Any, step: ReviewStep) -> bool:
    """A reviewer of the step's department, or a command officer of the step's region."""
    scope = scope_of(user)
    if step.stage == Stage.DEPARTMENT:
        return scope.is_admin or (step.department_id in scope.department_ids)
    return scope.is_admin or (step.region is not None and step.region.path in scope.command_paths)


def pending_step(application: Application) -> ReviewStep | None:
    return application.steps.filter(status=StepStatus.PENDING, round=application.submission_count).order_by("order").first()


def review_decide(
    *, application: Application, decision: str, comment: str, acting_user: Any, request: Any = None, expected_step: int | None = None,
) -> Application:
    """Approve, return for revision or reject the step now open, always with a comment.

    ``expected_step`` is the step the reviewer was shown: when another step is open by the time
    the row is locked (a double click, a stale page, a colleague was faster) nothing is decided."""
    comment = comment.strip()
    if not comment:
        raise ValidationError("请填写审核意见。")
    with transaction.atomic():
        locked = _lock(application)
        step = pending_step(locked)
        if step is None or locked.status not in (Status.DEPARTMENT_REVIEW, Status.TOWN_REVIEW, Status.COUNTY_REVIEW):
            raise ValidationError(f"申请当前状态为“{locked.get_status_display()}”，没有待审核的环节。")
        if expected_step is not None and step.pk != expected_step:
            raise ValidationError(f"您审核的环节已经处理过了（重复提交或页面已过期），申请现处于“{step.get_stage_display()}”环节。")
        if not can_decide(acting_user, step):
            raise PermissionDenied("该环节不由您审核。")
        step = ReviewStep.objects.select_for_update().get(pk=step.pk)
        step.decided_by, step.decided_at, step.comment = acting_user, timezone.now(), comment
        later = locked.steps.filter(round=step.round, order__gt=step.order, status=StepStatus.PENDING).order_by("order")
        if decision == Decision.APPROVE:
            step.status = StepStatus.APPROVED
            if step.stage == Stage.DEPARTMENT:
                more = later.filter(stage=Stage.DEPARTMENT).exists()
                locked.approve_department(more_departments=more)
            elif step.stage == Stage.TOWN:
                locked.approve_town()
            else:
                locked.approve_county()
        elif decision == Decision.RETURN:
            step.status = StepStatus.RETURNED
            locked.return_for_revision()
            later.update(status=StepStatus.SUPERSEDED)
        elif decision == Decision.REJECT:
            step.status = StepStatus.REJECTED
            locked.reject()
            locked.decided_at = timezone.now()
            later.update(status=StepStatus.SUPERSEDED)
        else:
            raise ValidationError("未知的审核结论。")
        step.save(update_fields=["status", "decided_by", "decided_at", "comment"])
        locked.save(update_fields=["status", "decided_at", "updated_at"])
        if locked.status == Status.REJECTED:
            Enterprise.objects.filter(pk=locked.enterprise_id, status=EnterpriseStatus.APPLYING).update(status=EnterpriseStatus.NOT_APPLIED)
        record(action=f"application.{decision}", actor=acting_user, obj=locked, request=request,
               data={"step": step.pk, "stage": step.stage, "status": locked.status})
        url = locked.get_absolute_url()
        name = locked.enterprise.name
        if locked.status in (Status.RETURNED, Status.REJECTED):
            notify(enterprise_admins(locked.enterprise), title=f"复工申请{locked.get_status_display()}：{name}", body=comment, url=url)
        elif locked.status == Status.INSPECTION:
            notify(grid_officers_of(locked.enterprise.region) + enterprise_admins(locked.enterprise),
                   title=f"待现场验收：{name}", body="审批已通过，请安排现场验收。", url=url)
        else:
            next_step = later.first()
            if next_step is not None:
                _open_step(next_step)
    return locked


# -- after acceptance -----------------------------------------------------------------------------

def notice_issue(*, application: Application, acting_user: Any, request: Any = None) -> Notice:
    """Approve after a passed acceptance and issue the numbered notice (inside the caller's transaction)."""
    locked = _lock(application)
    locked.pass_acceptance()
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_at", "updated_at"])
    county = county_of(locked.enterprise)
    _lock_county(county)
    year = timezone.localdate().year
    prefix = f"{county.name[:2]}复工〔{year}〕"
    count = Notice.objects.filter(number__startswith=prefix).count()
    notice = Notice.objects.create(application=locked, number=f"{prefix}{count + 1:04d}号", issued_by=acting_user)
    Enterprise.objects.filter(pk=locked.enterprise_id).update(status=EnterpriseStatus.APPROVED)
    record(action="application.approve_notice", actor=acting_user, obj=locked, request=request, data={"notice": notice.number})
    notify(enterprise_admins(locked.enterprise), title=f"已批准复工：{locked.enterprise.name}",
           body=f"复工复产通知书 {notice.number} 已签发。", url=locked.get_absolute_url())
    return notice


def _require_command(user: Any, application: Application) -> None:
    scope = scope_of(user)
    path = application.enterprise.region.path
    if not (scope.is_admin or any(path.startswith(p) for p in scope.command_paths)):
        raise PermissionDenied("只有辖区指挥部可以停工或复产。")


def application_suspend(*, application: Application, reason: str, acting_user: Any, request: Any = None) -> Suspension:
    """Stop an approved enterprise (停工) with a reason; the notice stops verifying."""
    if not reason.strip():
        raise ValidationError("请填写停工原因。")
    _require_command(acting_user, application)
    with transaction.atomic():
        locked = _lock(application)
        locked.suspend()
        locked.save(update_fields=["status", "updated_at"])
        suspension = Suspension.objects.create(application=locked, reason=reason.strip(), suspended_by=acting_user)
        Enterprise.objects.filter(pk=locked.enterprise_id).update(status=EnterpriseStatus.SUSPENDED)
        record(action="application.suspend", actor=acting_user, obj=locked, request=request, data={"reason": reason.strip()})
        # Its workers' passes stop too, for gates that verify offline (reinstating re-issues none:
        # the grid officer approves them again, as after any stop).
        passes_revoke_for_enterprise(enterprise=locked.enterprise, reason=RevocationReason.SUSPENSION, acting_user=acting_user,
                                     request=request)
        notify(enterprise_admins(locked.enterprise), title=f"停工通知：{locked.enterprise.name}", body=reason.strip(), url=locked.get_absolute_url())
    return suspension


def application_reinstate(*, application: Application, reason: str, acting_user: Any, request: Any = None) -> Application:
    if not reason.strip():
        raise ValidationError("请填写复产说明。")
    _require_command(acting_user, application)
    with transaction.atomic():
        locked = _lock(application)
        locked.reinstate()
        locked.save(update_fields=["status", "updated_at"])
        Suspension.objects.filter(application=locked, lifted_at__isnull=True).update(
            lifted_at=timezone.now(), lifted_by=acting_user, lifted_reason=reason.strip())
        Enterprise.objects.filter(pk=locked.enterprise_id).update(status=EnterpriseStatus.APPROVED)
        record(action="application.reinstate", actor=acting_user, obj=locked, request=request, data={"reason": reason.strip()})
        notify(enterprise_admins(locked.enterprise), title=f"准予复产：{locked.enterprise.name}", body=reason.strip(), url=locked.get_absolute_url())
    return locked
