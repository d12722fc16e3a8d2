"""The menu each role sees, and what the home page tells them to do next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from fugong.accounts.choices import Role
from fugong.accounts.scope import Scope, scope_of


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    icon: str
    permission: str | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)


MENU: list[MenuItem] = [
    MenuItem("首页", "home", "house"),
    MenuItem("企业", "enterprises:list", "buildings", "enterprises.list_enterprises"),
    MenuItem("辖区与网格", "regions:list", "diagram-3", "regions.browse_regions"),
    MenuItem("政策参数", "policy:index", "sliders", "policy.view_policy"),
    MenuItem("审计日志", "audit:list", "shield-check", "audit.view_audit"),
    MenuItem("API 文档", "api:docs", "braces", "regions.browse_regions"),
]


def menu_for(user: Any) -> list[MenuItem]:
    return [item for item in MENU if item.permission is None or user.has_perm(item.permission)]


@dataclass(frozen=True)
class Task:
    title: str
    text: str
    url: str = ""
    action: str = ""


def next_steps(user: Any) -> list[Task]:
    """Plain words for what this role does next on the platform."""
    scope: Scope = scope_of(user)
    steps: list[Task] = []
    if scope.is_admin:
        steps += [
            Task("维护辖区、网格和部门", "在管理后台建立网格和主管部门，并为人员授权角色。", reverse("admin:index"), "进入管理后台"),
            Task("调整政策参数", "复工日期、物资天数、体温阈值等都是参数，可按县区覆盖。", reverse("policy:index"), "政策参数"),
            Task("核对审计日志", "所有决定和敏感查询都记录在防篡改的审计链中。", reverse("audit:list"), "审计日志"),
        ]
    if Role.COMMAND in scope.roles:
        steps.append(Task("查看辖区企业", "按镇街、网格、行业、规模筛选企业，导出企业台账。", reverse("enterprises:list"), "企业列表"))
        steps.append(Task("批量导入企业", "用 Excel 模板一次登记多家企业，错误行会逐行列出原因。", reverse("enterprises:import"), "导入企业"))
    if Role.REVIEWER in scope.roles:
        steps.append(Task("查看本部门辖区企业", "复工申请将按行业和规模路由到本部门审核。", reverse("enterprises:list"), "企业列表"))
    if Role.GRID in scope.roles:
        steps.append(Task("走访本网格企业", "核对网格内企业信息，为新企业登记。", reverse("enterprises:list"), "网格企业"))
    if scope.enterprise_ids:
        from fugong.enterprises.models import Enterprise

        for enterprise in Enterprise.objects.filter(pk__in=scope.enterprise_ids):
            steps.append(Task(f"完善{enterprise.name}的企业信息", "核对员工人数、食堂、宿舍、班车等信息，复工申请会用到。",
                              enterprise.get_absolute_url(), "企业信息"))
    if Role.EMPLOYEE in scope.roles:
        steps.append(Task("每日健康打卡", "每天早晚各测一次体温，通过企业发给您的链接填报。"))
    if Role.GATE in scope.roles:
        steps.append(Task("门岗值守", "扫描员工出入证二维码，测量并登记体温。"))
    return steps
