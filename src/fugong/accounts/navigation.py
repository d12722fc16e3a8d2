"""The menu each role sees, and what the home page tells them to do next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fugong.accounts.choices import Role
from fugong.accounts.scope import Scope, scope_of


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url_name: str
    icon: str
    permission: str | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)


MENU: list[MenuItem] = [
    MenuItem(_("首页"), "home", "house"),
    MenuItem(_("企业"), "enterprises:list", "buildings", "enterprises.list_enterprises"),
    MenuItem(_("复工申请"), "resumption:list", "file-earmark-check", "resumption.list_applications"),
    MenuItem(_("审核待办"), "resumption:queue", "inbox", "resumption.review_queue"),
    MenuItem(_("现场检查"), "inspections:list", "clipboard-check", "inspections.list_inspections"),
    MenuItem(_("整改台账"), "inspections:rectifications", "list-check", "inspections.list_rectifications"),
    MenuItem(_("辖区与网格"), "regions:list", "diagram-3", "regions.browse_regions"),
    MenuItem(_("政策参数"), "policy:index", "sliders", "policy.view_policy"),
    MenuItem(_("审计日志"), "audit:list", "shield-check", "audit.view_audit"),
    MenuItem(_("API 文档"), "api:docs", "braces", "regions.browse_regions"),
]


def menu_for(user: Any) -> list[MenuItem]:
    return [item for item in MENU if item.permission is None or user.has_perm(item.permission)]


@dataclass(frozen=True)
class Task:
    title: str | Promise
    text: str | Promise
    url: str = ""
    action: str | Promise = ""


def next_steps(user: Any) -> list[Task]:
    """Plain words for what this role does next on the platform."""
    scope: Scope = scope_of(user)
    steps: list[Task] = []
    if scope.is_admin:
        steps += [
            Task(_("维护辖区、网格和部门"), _("在管理后台建立网格和主管部门，并为人员授权角色。"), reverse("admin:index"), _("进入管理后台")),
            Task(_("调整政策参数"), _("复工日期、物资天数、体温阈值等都是参数，可按县区覆盖。"), reverse("policy:index"), _("政策参数")),
            Task(_("核对审计日志"), _("所有决定和敏感查询都记录在防篡改的审计链中。"), reverse("audit:list"), _("审计日志")),
        ]
    if scope.is_admin or Role.COMMAND in scope.roles or Role.REVIEWER in scope.roles:
        steps.append(_review_task(user))
    if Role.COMMAND in scope.roles:
        steps.append(Task(_("查看辖区企业"), _("按镇街、网格、行业、规模筛选企业，导出企业台账。"), reverse("enterprises:list"), _("企业列表")))
        steps.append(Task(_("批量导入企业"), _("用 Excel 模板一次登记多家企业，错误行会逐行列出原因。"), reverse("enterprises:import"), _("导入企业")))
    if Role.REVIEWER in scope.roles:
        steps.append(Task(_("查看本部门辖区企业"), _("复工申请将按行业和规模路由到本部门审核。"), reverse("enterprises:list"), _("企业列表")))
    if Role.GRID in scope.roles:
        steps.append(Task(_("走访本网格企业"), _("核对网格内企业信息，为新企业登记。"), reverse("enterprises:list"), _("网格企业")))
    if scope.enterprise_ids:
        from fugong.enterprises.models import Enterprise

        enterprises = list(Enterprise.objects.filter(pk__in=scope.enterprise_ids))
        steps += _application_tasks(enterprises)
        for enterprise in enterprises:
            steps.append(Task(_("完善%(name)s的企业信息") % {"name": enterprise.name}, _("核对员工人数、食堂、宿舍、班车等信息，复工申请会用到。"),
                              enterprise.get_absolute_url(), _("企业信息")))
    if Role.EMPLOYEE in scope.roles:
        steps.append(Task(_("每日健康打卡"), _("每天早晚各测一次体温，通过企业发给您的链接填报。")))
    if Role.GATE in scope.roles:
        steps.append(Task(_("门岗值守"), _("扫描员工出入证二维码，测量并登记体温。")))
    return steps


def _review_task(user: Any) -> Task:
    """How many applications wait for this user's decision (one count query)."""
    from fugong.resumption.selectors import review_queue

    waiting = review_queue(user).count()
    if waiting:
        return Task(_("%(count)d 件复工申请待您审核") % {"count": waiting}, _("按申请到达的先后排列，超时未办的会标出；审核意见企业可见。"),
                    reverse("resumption:queue"), _("去审核"))
    return Task(_("暂无待您审核的复工申请"), _("有新的申请送达时，站内消息会通知您。"), reverse("resumption:list"), _("复工申请台账"))


def _application_tasks(enterprises: list[Any]) -> list[Task]:
    """Where each of the user's enterprises stands with its resumption application (one query)."""
    from fugong.resumption.choices import Status
    from fugong.resumption.models import Application

    latest: dict[int, Any] = {}
    for application in Application.objects.filter(enterprise__in=enterprises).order_by("enterprise_id", "-created_at"):
        latest.setdefault(application.enterprise_id, application)
    tasks: list[Task] = []
    for enterprise in enterprises:
        application = latest.get(enterprise.pk)
        if application is None:
            tasks.append(Task(_("为%(name)s申请复工") % {"name": enterprise.name}, _("可分多次填写，提交前平台会列出还缺什么；须在计划复工前提前申报。"),
                              reverse("resumption:list"), _("申请复工")))
            continue
        status = Status(application.status)
        url = application.get_absolute_url()
        if status == Status.DRAFT:
            tasks.append(Task(_("继续填写复工申请"), _("草稿已保存。按检查结果补齐后即可提交。"),
                              reverse("resumption:edit", args=[application.uuid]), _("继续填写")))
        elif status == Status.RETURNED:
            tasks.append(Task(_("复工申请被退回修改"), _("请按审核意见修改后重新提交。"), url, _("查看意见")))
        elif status == Status.REJECTED:
            tasks.append(Task(_("复工申请未获批准"), _("可查看审核意见后重新申请。"), url, _("查看意见")))
        else:
            tasks.append(Task(_("复工申请：%(status)s") % {"status": status.label},
                              _("申请编号 %(number)s，点击查看审核进度。") % {"number": application.number}
                              if application.number else "",
                              url, _("查看申请")))
    return tasks
