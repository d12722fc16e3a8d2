"""Writes of help for enterprises: filing a help request (online or through the 12345 hotline),
routing it, answering it, the enterprise's confirmation (closed) or its note that it is not solved
(back to the department); the routing rules; the positions of the labour-demand ledger.

Each write checks the permission again, refuses bad input with a Chinese ValidationError, writes
an audit entry in the same transaction (no personal values: no caller, no contact), and tells
the next actor through the in-app inbox once the transaction commits.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fugong.accounts.notifications import command_officers, department_reviewers, enterprise_admins, notify
from fugong.assistance.choices import TRANSITIONS, Category, Channel, EventKind, PositionStatus, RequestStatus, Transition
from fugong.assistance.models import HandlingRecord, HelpRequest, Position, RoutingRule
from fugong.assistance.routing import route_for
from fugong.audit.services import record
from fugong.enterprises.models import Enterprise
from fugong.regions.models import Department, Region

NOT_ALLOWED_NOW = {
    Transition.ANSWER: "该诉求当前不需要答复（已答复待企业确认或已办结）。",
    Transition.CONFIRM: "该诉求尚未答复或已办结，不能确认。",
    Transition.REOPEN: "该诉求尚未答复或已办结，不能退回。",
}


def _user_or_none(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def answer_hours(enterprise: Enterprise, at: datetime | None = None) -> int:
    """The policy's ``help_request_answer_hours`` for the enterprise's county."""
    from fugong.policy.services import current

    return int(current(enterprise.region, at).help_request_answer_hours)


def seconds_between(start: datetime, end: datetime) -> int:
    return max(int((end - start).total_seconds()), 0)


def check_transition(help_request: HelpRequest, transition: str) -> str:
    """The state the transition leads to; a Chinese ValidationError when the request's state does not allow it."""
    sources, target = TRANSITIONS[transition]
    if help_request.status not in sources:
        raise ValidationError({"status": NOT_ALLOWED_NOW[Transition(transition)]}, code="transition")
    return target


def _handlers(help_request: HelpRequest) -> list[Any]:
    if help_request.department_id is not None:
        return department_reviewers(help_request.department)
    return command_officers(help_request.enterprise.town)


# -- help requests ---------------------------------------------------------------------------------


def help_request_file(*, enterprise: Enterprise, category: str, title: str, description: str, acting_user: Any,
                      channel: str = Channel.ONLINE, caller_name: str = "", caller_phone: str = "", at: datetime | None = None,
                      request: Any = None) -> HelpRequest:
    """File a help request for ``enterprise`` and route it (routing.route_for: the most specific
    rule, else the town's command). Online: by the enterprise's admin. Through the 12345 hotline:
    by a command officer over the enterprise, with the caller's name (and number). The answer is
    due ``help_request_answer_hours`` after filing."""
    hotline = channel == Channel.HOTLINE
    if channel not in Channel.values:
        raise ValidationError({"channel": "来源渠道无效。"})
    permission = "assistance.file_hotline_request" if hotline else "assistance.file_request"
    if not acting_user.has_perm(permission, enterprise):
        raise PermissionDenied("您无权为该企业提交诉求。" if not hotline else "热线登记须由该企业所在辖区的指挥部人员办理。")
    errors: dict[str, str] = {}
    title, description = title.strip(), description.strip()
    if category not in Category.values:
        errors["category"] = "请选择诉求类别。"
    if not title:
        errors["title"] = "请用一句话概括诉求。"
    if not description:
        errors["description"] = "请写明需要帮助解决的具体问题。"
    caller_name, caller_phone = caller_name.strip(), caller_phone.strip()
    if hotline and not caller_name:
        errors["caller_name"] = "热线登记须填写来电人。"
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    route = route_for(enterprise, category)
    with transaction.atomic():
        help_request = HelpRequest.objects.create(
            enterprise=enterprise, category=category, title=title[:100], description=description, channel=channel,
            caller_name=caller_name if hotline else "", caller_phone=caller_phone if hotline else "", department=route.department,
            routing_rule=route.rule, route_note=route.note[:200], status=RequestStatus.FILED, filed_at=at,
            answer_due_at=at + timedelta(hours=answer_hours(enterprise, at)), created_by=_user_or_none(acting_user),
        )
        actor = _user_or_none(acting_user)
        filed_text = f"12345 热线来电登记（来电人：{caller_name}）" if hotline else ""
        HandlingRecord.objects.bulk_create([
            HandlingRecord(request=help_request, kind=EventKind.FILED, at=at, actor=actor, text=filed_text),
            HandlingRecord(request=help_request, kind=EventKind.ROUTED, at=at, actor=None, text=route.note),
        ])
        record(action="assistance.request_file", actor=acting_user, obj=help_request, request=request,
               data={"enterprise": enterprise.pk, "category": category, "channel": channel,
                     "department": route.department.pk if route.department else None, "rule": route.rule.pk if route.rule else None})
        notify(_handlers(help_request), title=f"新的企业诉求：{enterprise.name}",
               body=f"{help_request.get_category_display()}：{help_request.title}（{route.note}）", url=help_request.get_absolute_url())
    return help_request


def help_request_answer(*, help_request: HelpRequest, answer: str, acting_user: Any, at: datetime | None = None,
                        request: Any = None) -> HelpRequest:
    """Answer a filed (or sent back) request: the routed department's reviewer or the command over
    the enterprise. The first answer fixes the response time (filed → first answer)."""
    check_transition(help_request, Transition.ANSWER)
    if not acting_user.has_perm("assistance.answer_request", help_request):
        raise PermissionDenied("该诉求未分派给您的部门，您无权答复。")
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": "请填写答复内容（解决措施、联系人或办理结果）。"})
    at = at or timezone.now()
    with transaction.atomic():
        locked = HelpRequest.objects.select_for_update(of=("self",)).select_related("enterprise__town", "department").get(pk=help_request.pk)
        target = check_transition(locked, Transition.ANSWER)
        locked.status = target
        locked.answer = answer
        locked.answered_at = at
        locked.answered_by = _user_or_none(acting_user)
        fields = ["status", "answer", "answered_at", "answered_by", "updated_at"]
        if locked.first_answered_at is None:
            locked.first_answered_at = at
            locked.response_seconds = seconds_between(locked.filed_at, at)
            fields += ["first_answered_at", "response_seconds"]
        locked.save(update_fields=fields)
        HandlingRecord.objects.create(request=locked, kind=EventKind.ANSWERED, at=at, actor=_user_or_none(acting_user), text=answer)
        record(action="assistance.request_answer", actor=acting_user, obj=locked, request=request,
               data={"enterprise": locked.enterprise_id, "response_seconds": locked.response_seconds, "round": locked.reopen_count + 1})
        notify(enterprise_admins(locked.enterprise), title=f"诉求已答复：{locked.title}",
               body=f"{locked.handler}：{answer[:200]}。请确认是否已解决。", url=locked.get_absolute_url())
    return locked


def help_request_confirm(*, help_request: HelpRequest, solved: bool, acting_user: Any, note: str = "", at: datetime | None = None,
                         request: Any = None) -> HelpRequest:
    """The enterprise's word on an answer: solved → closed (filed → closed measured); not solved →
    back to the department with the enterprise's note, a new answer due after the policy's hours."""
    transition = Transition.CONFIRM if solved else Transition.REOPEN
    check_transition(help_request, transition)
    if not acting_user.has_perm("assistance.confirm_request", help_request):
        raise PermissionDenied("只有提出诉求的企业可以确认办结或退回。")
    note = note.strip()
    if not solved and not note:
        raise ValidationError({"note": "请说明还有哪些问题没有解决，诉求将退回承办部门。"})
    at = at or timezone.now()
    with transaction.atomic():
        locked = (HelpRequest.objects.select_for_update(of=("self",)).select_related("enterprise__town", "enterprise__region", "department")
                  .get(pk=help_request.pk))
        locked.status = check_transition(locked, transition)
        fields = ["status", "updated_at"]
        if solved:
            locked.closed_at = at
            locked.resolution_seconds = seconds_between(locked.filed_at, at)
            fields += ["closed_at", "resolution_seconds"]
        else:
            locked.reopen_count += 1
            locked.answer_due_at = at + timedelta(hours=answer_hours(locked.enterprise, at))
            fields += ["reopen_count", "answer_due_at"]
        locked.save(update_fields=fields)
        HandlingRecord.objects.create(request=locked, kind=EventKind.CONFIRMED if solved else EventKind.REOPENED, at=at,
                                        actor=_user_or_none(acting_user), text=note)
        record(action="assistance.request_close" if solved else "assistance.request_reopen", actor=acting_user, obj=locked, request=request,
               data={"enterprise": locked.enterprise_id, "resolution_seconds": locked.resolution_seconds, "reopen_count": locked.reopen_count})
        if solved:
            notify(_handlers(locked), title=f"诉求已办结：{locked.title}", body=f"{locked.enterprise.name}确认问题已解决。", url=locked.get_absolute_url())
        else:
            notify(_handlers(locked), title=f"诉求未解决，退回办理：{locked.title}", body=f"{locked.enterprise.name}：{note[:200]}",
                   url=locked.get_absolute_url())
    return locked


# -- routing rules ---------------------------------------------------------------------------------


def _check_rule(region: Region, category: str, department: Department) -> None:
    errors: dict[str, str] = {}
    if category and category not in Category.values:
        errors["category"] = "请选择诉求类别（或留空表示任意类别）。"
    if not region.path.startswith(department.region.path):
        errors["department"] = f"{department}的辖区不包括{region.name}，其审核人员将看不到分派来的诉求；请选择{region.name}或其上级的部门。"
    if errors:
        raise ValidationError(errors)


def rule_save(*, acting_user: Any, region: Region, category: str, department: Department, note: str = "", rule: RoutingRule | None = None,
              request: Any = None) -> RoutingRule:
    """Add a routing rule, or change one: for the admin, or a command officer over the rule's region
    (before and after the change). One rule per region and category."""
    if rule is not None and not acting_user.has_perm("assistance.change_rule", rule):
        raise PermissionDenied("您无权修改该分派规则。")
    target = rule or RoutingRule(created_by=_user_or_none(acting_user))
    target.region, target.category, target.department, target.note = region, category or "", department, note.strip()[:200]
    if not acting_user.has_perm("assistance.change_rule", target):
        raise ValidationError({"region": "请选择您辖区内的区域。"})
    _check_rule(region, category, department)
    clash = RoutingRule.objects.filter(region=region, category=category or "").exclude(pk=target.pk).exists()
    if clash:
        raise ValidationError({"category": f"{region.name}已有“{target.get_category_display() or '任意类别'}”的分派规则，请直接修改该规则。"})
    with transaction.atomic():
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError:
            raise ValidationError({"category": "该辖区已有同类别的分派规则。"}) from None
        record(action="assistance.rule_save", actor=acting_user, obj=target, request=request,
               data={"region": region.code, "category": category, "department": department.pk, "new": rule is None})
    return target


def rule_delete(*, rule: RoutingRule, acting_user: Any, request: Any = None) -> None:
    if not acting_user.has_perm("assistance.change_rule", rule):
        raise PermissionDenied("您无权删除该分派规则。")
    with transaction.atomic():
        record(action="assistance.rule_delete", actor=acting_user, obj=rule, request=request,
               data={"region": rule.region.code, "category": rule.category, "department": rule.department_id})
        rule.delete()


# -- positions -------------------------------------------------------------------------------------

POSITION_FIELDS = ["title", "count", "skills", "start_date", "end_date", "wage_min", "wage_max", "contact_name", "contact_phone", "status", "note"]


def clean_position(values: dict[str, Any]) -> None:
    """The ledger's rules on one position's figures; a Chinese ValidationError per field."""
    errors: dict[str, str] = {}
    count, filled, matched = values.get("count"), values.get("filled_count", 0) or 0, values.get("matched_count", 0) or 0
    if not count or count < 1:
        errors["count"] = "需求人数至少为 1。"
    elif filled > count:
        errors["filled_count"] = f"已到岗人数（{filled}）不能超过需求人数（{count}）。"
    if filled < 0 or matched < 0:
        errors["matched_count"] = "人数不能为负数。"
    wage_min, wage_max = values.get("wage_min"), values.get("wage_max")
    if wage_min and wage_max and wage_min > wage_max:
        errors["wage_max"] = "月薪上限不能低于下限。"
    start, end = values.get("start_date"), values.get("end_date")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors["end_date"] = "招聘截止日期不能早于到岗日期。"
    if "status" in values and values["status"] not in PositionStatus.values:
        errors["status"] = "请选择状态。"
    if "title" in values and not str(values["title"]).strip():
        errors["title"] = "请填写岗位名称。"
    if errors:
        raise ValidationError(errors)


def position_create(*, enterprise: Enterprise, data: dict[str, Any], acting_user: Any, request: Any = None) -> Position:
    """Post a position for ``enterprise`` (its admin, or the platform admin)."""
    if not acting_user.has_perm("assistance.post_position", enterprise):
        raise PermissionDenied("您只能为本企业发布用工需求。")
    values = {key: data[key] for key in POSITION_FIELDS if key in data}
    values.setdefault("status", PositionStatus.OPEN)
    clean_position(values)
    with transaction.atomic():
        position = Position.objects.create(enterprise=enterprise, created_by=_user_or_none(acting_user), **values)
        record(action="assistance.position_create", actor=acting_user, obj=position, request=request,
               data={"enterprise": enterprise.pk, "count": position.count, "status": position.status})
    return position


def position_update(*, position: Position, data: dict[str, Any], acting_user: Any, request: Any = None) -> Position:
    """Change a position's posting (the enterprise's own), its status included."""
    if not acting_user.has_perm("assistance.edit_position", position):
        raise PermissionDenied("您无权修改该用工需求。")
    values = {key: data[key] for key in POSITION_FIELDS if key in data}
    with transaction.atomic():
        locked = Position.objects.select_for_update().get(pk=position.pk)
        clean_position({"filled_count": locked.filled_count, "matched_count": locked.matched_count,
                        **{k: getattr(locked, k) for k in POSITION_FIELDS}, **values})
        for key, value in values.items():
            setattr(locked, key, value)
        locked.save(update_fields=[*values, "updated_at"])
        record(action="assistance.position_update", actor=acting_user, obj=locked, request=request,
               data={"enterprise": locked.enterprise_id, "fields": sorted(values), "count": locked.count, "status": locked.status})
    return locked


def position_track(*, position: Position, matched_count: int, filled_count: int, acting_user: Any, request: Any = None) -> Position:
    """Record how many candidates were recommended and how many took up the post: the enterprise,
    the command over it or a 人社 reviewer over it. Never more filled than wanted."""
    if not acting_user.has_perm("assistance.track_position", position):
        raise PermissionDenied("您无权更新该岗位的招聘进展。")
    with transaction.atomic():
        locked = Position.objects.select_for_update().get(pk=position.pk)
        clean_position({"count": locked.count, "matched_count": matched_count, "filled_count": filled_count})
        locked.matched_count, locked.filled_count = matched_count, filled_count
        locked.save(update_fields=["matched_count", "filled_count", "updated_at"])
        record(action="assistance.position_track", actor=acting_user, obj=locked, request=request,
               data={"enterprise": locked.enterprise_id, "matched": matched_count, "filled": filled_count, "count": locked.count})
    return locked
