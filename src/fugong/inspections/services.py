"""On-site inspections: start with a template, record each item (with photos), complete with
the inspector's opinion. Failed items become rectification items with a deadline from policy;
a passed acceptance approves the application and issues its notice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fugong.accounts.notifications import enterprise_admins, notify
from fugong.accounts.scope import scope_of
from fugong.audit.services import record
from fugong.core.uploads import IMAGES, check_upload
from fugong.enterprises.models import Enterprise
from fugong.inspections.choices import Condition, InspectionStatus, RectificationAction, RectificationStatus, Result, TemplateKind
from fugong.inspections.models import (
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionPhoto,
    InspectionResult,
    PatrolPlan,
    PatrolTeam,
    RectificationEvent,
    RectificationEvidence,
    RectificationItem,
)
from fugong.policy.services import current
from fugong.resumption.choices import Status
from fugong.resumption.models import Application
from fugong.resumption.services import notice_issue


def may_inspect(user: Any, enterprise: Enterprise) -> bool:
    """Grid and command officers covering the enterprise inspect it; so do reviewing departments."""
    scope = scope_of(user)
    paths = scope.grid_paths + scope.command_paths + scope.reviewer_paths
    return scope.is_admin or any(enterprise.region.path.startswith(p) for p in paths)


def applicable_items(template: ChecklistTemplate, enterprise: Enterprise) -> list[ChecklistItem]:
    """The template's items, without canteen/dormitory/bus items the enterprise has no use for."""
    has: dict[str, bool] = {Condition.ALWAYS: True, Condition.CANTEEN: enterprise.has_canteen, Condition.DORMITORY: enterprise.has_dormitory,
           Condition.SHUTTLE_BUS: enterprise.has_shuttle_bus}
    return [item for item in template.items.all() if has.get(item.condition, True)]


def active_template(kind: str) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.filter(kind=kind, active=True).order_by("-version").first()
    if template is None:
        raise ValidationError(f"没有启用的“{TemplateKind(kind).label}”检查表，请联系系统管理员。")
    return template


def inspection_start(*, enterprise: Enterprise, kind: str, acting_user: Any, application: Application | None = None,
                     patrol_plan: PatrolPlan | None = None, patrol_team: PatrolTeam | None = None, request: Any = None) -> Inspection:
    """Open an inspection, or return the one this inspector already has open for the same purpose.
    A patrol visit (kind patrol) records the plan and team it was made under."""
    if not may_inspect(acting_user, enterprise):
        raise PermissionDenied("该企业不在您的检查范围内。")
    if kind == TemplateKind.ACCEPTANCE and (application is None or application.status != Status.INSPECTION):
        raise ValidationError("只有审批通过、待现场验收的申请才能进行复工验收。")
    with transaction.atomic():
        existing = Inspection.objects.filter(enterprise=enterprise, application=application, template__kind=kind,
                                             status=InspectionStatus.IN_PROGRESS).first()
        if existing is not None:
            return existing
        template = active_template(kind)
        if not applicable_items(template, enterprise):
            # A canteen check of an enterprise without a canteen would "pass" with nothing checked.
            raise ValidationError(f"“{template.name}”的检查项均不适用于{enterprise.name}（未登记相应的食堂、宿舍或班车），无需检查。")
        inspection = Inspection.objects.create(enterprise=enterprise, application=application, template=template,
                                               inspector=acting_user, created_by=acting_user,
                                               patrol_plan=patrol_plan if kind == TemplateKind.PATROL else None,
                                               patrol_team=patrol_team if kind == TemplateKind.PATROL else None)
        record(action="inspection.start", actor=acting_user, obj=inspection, request=request, data={"kind": kind})
    return inspection


def _editable(inspection: Inspection, user: Any) -> Inspection:
    locked = Inspection.objects.select_for_update().select_related("enterprise__region").get(pk=inspection.pk)
    if locked.status != InspectionStatus.IN_PROGRESS:
        raise ValidationError("该检查已完成，不能再修改。")
    if not may_inspect(user, locked.enterprise):
        raise PermissionDenied("该企业不在您的检查范围内。")
    # An acceptance approves its application: only for those who see that application (a reviewer, the ones routed to it).
    if locked.application_id and not Application.objects.for_user(user).filter(pk=locked.application_id).exists():
        raise PermissionDenied("该复工申请不在您的范围内。")
    return locked


def inspection_record(*, inspection: Inspection, results: dict[int, tuple[str, str]], acting_user: Any, request: Any = None) -> None:
    """Save item results: {item id: (pass/fail/na, note)}. A failed item needs a note saying what is wrong."""
    allowed = {item.pk for item in applicable_items(inspection.template, inspection.enterprise)}
    problems = [f"第 {ChecklistItem.objects.get(pk=pk).order} 项不合格，请写明问题" for pk, (res, note) in results.items()
                if pk in allowed and res == Result.FAIL and not note.strip()]
    if problems:
        raise ValidationError("；".join(problems))
    with transaction.atomic():
        locked = _editable(inspection, acting_user)
        for pk, (result, note) in results.items():
            if pk not in allowed or result not in Result.values:
                continue
            InspectionResult.objects.update_or_create(inspection=locked, item_id=pk, defaults={"result": result, "note": note.strip()[:500]})


def photo_add(*, inspection: Inspection, item_id: int, upload: Any, acting_user: Any, request: Any = None) -> InspectionPhoto:
    """Keep a checked photo (JPG/PNG only, content matching the extension) for one applicable item."""
    if item_id not in {item.pk for item in applicable_items(inspection.template, inspection.enterprise)}:
        raise ValidationError("该检查项不属于本次检查。")
    policy = current(inspection.enterprise.region)
    checked = check_upload(upload, max_mb=policy.upload_max_mb, allowed=frozenset(IMAGES))
    with transaction.atomic():
        locked = _editable(inspection, acting_user)
        result, _ = InspectionResult.objects.get_or_create(inspection=locked, item_id=item_id, defaults={"result": Result.PASS})
        photo = InspectionPhoto(result=result)
        photo.image.save(f"photo.{checked.extension}", upload, save=False)
        photo.save()
        record(action="inspection.photo", actor=acting_user, obj=locked, request=request,
               data={"item": item_id, "size": checked.size, "type": checked.extension})
    return photo


def inspection_complete(*, inspection: Inspection, opinion: str, signed_name: str, acting_user: Any, request: Any = None) -> Inspection:
    """Confirm the inspection. Every applicable item must have a result. Failed items become
    rectification items; a passed acceptance approves the application and issues the notice."""
    if not signed_name.strip():
        raise ValidationError("请检查人签名确认。")
    if not opinion.strip():
        raise ValidationError("请填写检查意见。")
    with transaction.atomic():
        locked = _editable(inspection, acting_user)
        items = applicable_items(locked.template, locked.enterprise)
        results = {r.item_id: r for r in locked.results.all()}
        missing = [str(item.order) for item in items if item.pk not in results]
        if missing:
            raise ValidationError(f"还有第 {'、'.join(missing)} 项未检查。")
        failed = [results[item.pk] for item in items if results[item.pk].result == Result.FAIL]
        locked.status = InspectionStatus.FAILED if failed else InspectionStatus.PASSED
        locked.opinion, locked.signed_name, locked.completed_at = opinion.strip(), signed_name.strip(), timezone.now()
        locked.save(update_fields=["status", "opinion", "signed_name", "completed_at", "updated_at"])
        deadline = timezone.localdate() + timedelta(days=current(locked.enterprise.region).rectification_days)
        found = RectificationItem.objects.bulk_create([
            RectificationItem(enterprise=locked.enterprise, inspection=locked, description=f"{r.item.text}：{r.note}", deadline=deadline,
                              created_by=acting_user)
            for r in failed
        ])
        RectificationEvent.objects.bulk_create([
            RectificationEvent(item=item, action=RectificationAction.FOUND, actor=acting_user, at=locked.completed_at, note=item.description,
                               deadline=deadline)
            for item in found
        ])
        record(action="inspection.complete", actor=acting_user, obj=locked, request=request,
               data={"status": locked.status, "failed_items": [r.item_id for r in failed]})
        if locked.application_id and locked.template.kind == TemplateKind.ACCEPTANCE and not failed:
            notice_issue(application=locked.application, acting_user=acting_user, request=request)  # type: ignore[arg-type]
        elif failed:
            notify(enterprise_admins(locked.enterprise), title=f"检查发现 {len(failed)} 项问题，请在 {deadline:%m月%d日} 前整改",
                   body="\n".join(r.item.text for r in failed), url=reverse("inspections:rectifications"))
    return locked


MAX_EVIDENCE_PHOTOS = 6


def default_deadline(enterprise: Enterprise) -> date:
    """Today plus the place's ``rectification_days``."""
    return timezone.localdate() + timedelta(days=current(enterprise.region).rectification_days)


def rectification_create(*, enterprise: Enterprise, description: str, acting_user: Any, deadline: date | None = None,
                         request: Any = None) -> RectificationItem:
    """A finding an officer files by hand for an enterprise in scope (no inspection behind it).
    The deadline defaults to the policy's ``rectification_days`` from today."""
    if not may_inspect(acting_user, enterprise):
        raise PermissionDenied("该企业不在您的检查范围内。")
    description = description.strip()
    if not description:
        raise ValidationError("请写明发现的问题。")
    deadline = deadline or default_deadline(enterprise)
    if deadline < timezone.localdate():
        raise ValidationError("整改期限不能早于今天。")
    with transaction.atomic():
        item = RectificationItem.objects.create(enterprise=enterprise, description=description[:2000], deadline=deadline,
                                                created_by=acting_user)
        RectificationEvent.objects.create(item=item, action=RectificationAction.FOUND, actor=acting_user, at=item.created_at,
                                          note=item.description, deadline=deadline)
        record(action="rectification.create", actor=acting_user, obj=item, request=request, data={"deadline": deadline.isoformat()})
    notify(enterprise_admins(enterprise), title=f"检查发现问题，请在 {deadline:%m月%d日} 前整改", body=item.description,
           url=reverse("inspections:rectification-detail", args=[item.pk]))
    return item


def rectification_answer(*, item: RectificationItem, answer: str, acting_user: Any, photos: Sequence[Any] = (),
                         request: Any = None) -> RectificationItem:
    """The enterprise says what it put right, with photos as evidence (JPG/PNG only, content
    matching the extension, each within the policy's ``upload_max_mb``). Nothing is kept unless
    every photo passes."""
    if item.enterprise_id not in scope_of(acting_user).enterprise_ids and not scope_of(acting_user).is_admin:
        raise PermissionDenied("只有本企业可以填报整改情况。")
    if not answer.strip():
        raise ValidationError("请填写整改情况。")
    if len(photos) > MAX_EVIDENCE_PHOTOS:
        raise ValidationError(f"一次最多上传 {MAX_EVIDENCE_PHOTOS} 张照片。")
    policy = current(item.enterprise.region)
    checked = [check_upload(upload, max_mb=policy.upload_max_mb, allowed=frozenset(IMAGES)) for upload in photos]
    with transaction.atomic():
        locked = RectificationItem.objects.select_for_update().get(pk=item.pk)
        if locked.status not in (RectificationStatus.OPEN, RectificationStatus.REOPENED):
            raise ValidationError("该事项当前不需要填报。")
        locked.answer, locked.answered_at, locked.status = answer.strip(), timezone.now(), RectificationStatus.ANSWERED
        locked.save(update_fields=["answer", "answered_at", "status", "updated_at"])
        event = RectificationEvent.objects.create(item=locked, action=RectificationAction.ANSWERED, actor=acting_user, note=locked.answer,
                                                  at=locked.answered_at)
        for upload, check in zip(photos, checked, strict=True):
            evidence = RectificationEvidence(item=locked, event=event, uploaded_by=acting_user)
            evidence.image.save(f"evidence.{check.extension}", upload, save=False)
            evidence.save()
        record(action="rectification.answer", actor=acting_user, obj=locked, request=request,
               data={"photos": len(photos), "size": sum(c.size for c in checked)})
    return locked


def rectification_verify(*, item: RectificationItem, accepted: bool, acting_user: Any, reason: str = "", deadline: date | None = None,
                         request: Any = None) -> RectificationItem:
    """The officer closes the item (销号), or reopens it with a reason and a new deadline (by
    default the policy's ``rectification_days`` from today)."""
    if not may_inspect(acting_user, item.enterprise):
        raise PermissionDenied("该企业不在您的检查范围内。")
    reason = reason.strip()
    if not accepted:
        if not reason:
            raise ValidationError("退回须写明原因。")
        deadline = deadline or default_deadline(item.enterprise)
        if deadline < timezone.localdate():
            raise ValidationError("新的整改期限不能早于今天。")
    with transaction.atomic():
        locked = RectificationItem.objects.select_for_update().get(pk=item.pk)
        if locked.status != RectificationStatus.ANSWERED:
            raise ValidationError("企业尚未填报整改情况。")
        locked.status = RectificationStatus.VERIFIED if accepted else RectificationStatus.REOPENED
        locked.verified_by, locked.verified_at = acting_user, timezone.now()
        fields = ["status", "verified_by", "verified_at", "updated_at"]
        if not accepted:
            assert deadline is not None
            locked.deadline = deadline
            fields.append("deadline")
        locked.save(update_fields=fields)
        RectificationEvent.objects.create(item=locked, action=RectificationAction.VERIFIED if accepted else RectificationAction.REOPENED,
                                          actor=acting_user, at=locked.verified_at, note="" if accepted else reason[:2000],
                                          deadline=None if accepted else deadline)
        record(action="rectification.verify" if accepted else "rectification.reopen", actor=acting_user, obj=locked, request=request,
               data={} if accepted else {"deadline": locked.deadline.isoformat()})
    if not accepted:
        notify(enterprise_admins(locked.enterprise), title=f"整改未通过核验，请在 {locked.deadline:%m月%d日} 前重新整改", body=reason,
               url=reverse("inspections:rectification-detail", args=[locked.pk]))
    return locked
