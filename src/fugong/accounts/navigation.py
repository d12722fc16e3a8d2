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
    group: str | None = None  # a key of GROUPS: shown in that dropdown when the user has two or more of its entries
    # The employee's own page: only for accounts with the employee role. A superuser holds every
    # permission but has no record of their own (the page would be a 404).
    own: bool = False

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class MenuGroup:
    """A dropdown of the menu (or, with one entry, that entry alone)."""

    label: str | Promise
    icon: str
    items: tuple[MenuItem, ...]


PEOPLE, RESUME, INSPECT, MATERIALS, ASSIST, MORE = "people", "resume", "inspect", "materials", "assist", "more"
GROUPS: dict[str, tuple[str | Promise, str]] = {
    PEOPLE: (_("人员与健康"), "heart-pulse"),
    RESUME: (_("复工审批"), "file-earmark-check"),
    INSPECT: (_("检查整改"), "clipboard-check"),
    MATERIALS: (_("防控物资"), "box-seam"),  # fugong.materials
    ASSIST: (_("企业帮扶"), "life-preserver"),  # fugong.assistance, fugong.subsidies
    MORE: (_("更多"), "three-dots"),
}


MENU: list[MenuItem] = [
    MenuItem(_("首页"), "home", "house"),
    MenuItem(_("指挥看板"), "command:dashboard", "speedometer2", "command.view_dashboard"),
    MenuItem(_("企业"), "enterprises:list", "buildings", "enterprises.list_enterprises"),
    MenuItem(_("人员档案"), "workforce:list", "people", "workforce.list_people", PEOPLE),
    MenuItem(_("健康申报"), "workforce:me", "clipboard2-pulse", "workforce.view_own_file", own=True),
    MenuItem(_("复工申请"), "resumption:list", "file-earmark-check", "resumption.list_applications", RESUME),
    MenuItem(_("审核待办"), "resumption:queue", "inbox", "resumption.review_queue", RESUME),
    MenuItem(_("现场检查"), "inspections:list", "clipboard-check", "inspections.list_inspections", INSPECT),
    MenuItem(_("整改台账"), "inspections:rectifications", "list-check", "inspections.list_rectifications", INSPECT),
    MenuItem(_("日常巡查"), "inspections:patrol", "signpost-split", "inspections.patrol", INSPECT),
    MenuItem(_("巡查覆盖"), "inspections:patrol-coverage", "grid-3x3-gap", "inspections.view_patrol_coverage", INSPECT),
    MenuItem(_("整改统计"), "inspections:rectification-summary", "bar-chart", "inspections.view_rectification_summary", INSPECT),
    MenuItem(_("门岗"), "gates:index", "qr-code-scan", "gates.view_gates", PEOPLE),
    MenuItem(_("健康打卡"), "health:checkins", "thermometer-half", "health.list_checkins", PEOPLE),
    MenuItem(_("预警处置"), "health:alerts", "exclamation-triangle", "health.list_alerts", PEOPLE),
    MenuItem(_("隔离管理"), "quarantine:list", "house-lock", "quarantine.list_placements", PEOPLE),
    MenuItem(_("企业日报"), "health:report-mine", "journal-check", "health.view_daily_reports", PEOPLE),
    MenuItem(_("今日打卡"), "health:my-checkin", "thermometer-half", "health.checkin_self", own=True),
    MenuItem(_("出入证"), "workforce:pass-list", "person-badge", "workforce.list_passes", PEOPLE),
    MenuItem(_("我的出入证"), "workforce:my-pass", "person-badge", "workforce.view_own_pass", own=True),
    MenuItem(_("风险地区"), "workforce:risk-list", "geo-alt", "workforce.view_risk_areas", PEOPLE),
    MenuItem(_("辖区与网格"), "regions:list", "diagram-3", "regions.browse_regions", MORE),
    MenuItem(_("政策参数"), "policy:index", "sliders", "policy.view_policy", MORE),
    MenuItem(_("审计日志"), "audit:list", "shield-check", "audit.view_audit", MORE),
    MenuItem(_("API 文档"), "api:docs", "braces", "regions.browse_regions", MORE),
    MenuItem(_("我的导出"), "exports:list", "cloud-download", "exports.list_own_exports", MORE),
    MenuItem(_("企业诉求"), "assistance:requests", "chat-square-text", "assistance.list_requests", ASSIST),
    MenuItem(_("用工需求"), "assistance:positions", "person-workspace", "assistance.list_positions", ASSIST),
    MenuItem(_("诉求分派规则"), "assistance:rules", "signpost-split", "assistance.manage_rules", ASSIST),
    MenuItem(_("补贴申领"), "subsidies:list", "cash-coin", "subsidies.view_subsidies", ASSIST),
    MenuItem(_("企业物资"), "materials:home", "box-seam", "materials.view_materials", MATERIALS),
    MenuItem(_("政府储备库"), "materials:stockpiles", "building-down", "materials.list_stockpiles", MATERIALS),
    MenuItem(_("按需调拨"), "materials:propose", "truck", "materials.allocate", MATERIALS),
    MenuItem(_("调拨台账"), "materials:allocations", "journal-arrow-down", "materials.view_materials", MATERIALS),
    MenuItem(_("待接收调拨"), "materials:incoming", "box-arrow-in-down", "materials.view_incoming", MATERIALS),
]


def menu_for(user: Any) -> list[MenuItem | MenuGroup]:
    """The user's menu: plain entries, and a dropdown per group where the user has two or more of
    its entries (twenty entries side by side do not fit a 1280-pixel screen)."""
    employee = Role.EMPLOYEE in scope_of(user).roles
    visible = [item for item in MENU if (item.permission is None or user.has_perm(item.permission)) and (employee or not item.own)]
    grouped: dict[str, list[MenuItem]] = {}
    for item in visible:
        if item.group is not None:
            grouped.setdefault(item.group, []).append(item)
    menu: list[MenuItem | MenuGroup] = []
    for item in visible:
        members = grouped.get(item.group) if item.group is not None else None
        if not members or len(members) == 1:
            menu.append(item)
        elif members[0] is item:  # the group stands where its first entry would
            label, icon = GROUPS[item.group]  # type: ignore[index]
            menu.append(MenuGroup(label, icon, tuple(members)))
    return menu


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
        steps.append(Task(_("维护员工花名册（一人一档）"), _("导入花名册或逐个登记员工，把个人链接发给员工完成健康申报。"),
                          reverse("workforce:list"), _("人员档案")))
    if user.has_perm("health.list_alerts"):
        steps.append(_alert_task(user))
    if user.has_perm("workforce.approve_passes") and not scope.is_admin:
        steps.append(_pass_task(user))
    if user.has_perm("health.view_daily_reports") and not scope.is_admin:
        steps.append(_report_task(user))
    if user.has_perm("quarantine.export_placements") and not scope.is_admin:
        steps.append(_quarantine_task(user))
    if Role.EMPLOYEE in scope.roles:
        steps.append(Task(_("健康申报"), _("返岗前如实申报近 14 天行程、接触史和健康状况，平台据此确定您的返岗安排。"), reverse("workforce:me"),
                          _("去申报")))
        steps.append(Task(_("每日健康打卡"), _("每天早晚各测一次体温，在这里或通过企业发给您的链接填报。"), reverse("health:my-checkin"),
                          _("去打卡")))
    if Role.GATE in scope.roles:
        steps.append(Task(_("门岗值守"), _("扫描员工出入证二维码，测量并登记体温；访客和车辆逐一登记。"), reverse("gates:index"),
                          _("打开门岗页面")))
    return steps


def _alert_task(user: Any) -> Task:
    """How many health alerts in the user's scope wait for someone to deal with them (one count)."""
    from fugong.health.choices import AlertStatus
    from fugong.health.models import Alert

    waiting = Alert.objects.for_user(user).filter(status=AlertStatus.OPEN).count()
    if waiting:
        return Task(_("%(count)d 条预警待处置") % {"count": waiting}, _("发热、症状和未报日报的预警，须逐条处置（隔离、送发热门诊或排除）。"),
                    f"{reverse('health:alerts')}?status=open", _("去处置"))
    return Task(_("暂无待处置的健康预警"), _("员工打卡发热或有症状时，这里会提示；可随时查看今日打卡情况。"), reverse("health:checkins"), _("打卡台账"))


def _pass_task(user: Any) -> Task:
    """How many people in the officer's scope may get a pass today and have none (one count)."""
    from django.utils import timezone

    from fugong.workforce.views.passes import pending_people

    waiting = pending_people(user, timezone.localdate()).count()
    if waiting:
        return Task(_("%(count)d 人待发出入证") % {"count": waiting}, _("分类结果允许今天发证的人员，可逐个或批量审核发证。"),
                    reverse("workforce:pass-pending"), _("去发证"))
    return Task(_("暂无待发证人员"), _("隔离期满或新登记的人员符合条件后会出现在待发证名单。"), reverse("workforce:pass-list"), _("出入证台账"))


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


def _report_task(user: Any) -> Task:
    """The enterprise: whether today's daily report is filed. Officers: how many enterprises in
    their scope have not filed it yet (one count query)."""
    from django.utils import timezone

    from fugong.enterprises.models import Enterprise
    from fugong.health.models import DailyReport
    from fugong.health.reports import FILED, NOT_FILED, must_report, with_report_status

    today = timezone.localdate()
    scope = scope_of(user)
    if scope.enterprise_ids:
        filed = DailyReport.objects.filter(enterprise_id__in=scope.enterprise_ids, date=today, status__in=FILED).exists()
        if filed:
            return Task(_("今日日报已报送"), _("数据有更新（新的打卡或隔离安排）时可再次确认报送。"), reverse("health:report-mine"), _("查看日报"))
        return Task(_("报送今日日报"), _("在岗、返岗、隔离、发热和物资天数已按数据自动汇总，确认即可；无异常可一键零报告。"),
                    reverse("health:report-mine"), _("去报送"))
    missing = with_report_status(must_report(Enterprise.objects.served_by(user)), today).filter(NOT_FILED).count()
    return Task(_("%(count)d 家企业今日未报日报") % {"count": missing}, _("已批准复工的企业每天按时报送日报；超过截止时间未报会生成预警。"),
                f"{reverse('health:report-status')}?state=missing", _("查看未报送"))


def _quarantine_task(user: Any) -> Task:
    """How many people in isolation in the officer's scope are due for release today (one count)."""
    from django.utils import timezone

    from fugong.quarantine.choices import DueFilter, PlacementStatus
    from fugong.quarantine.models import Placement

    due = Placement.objects.for_user(user).filter(status=PlacementStatus.ACTIVE, planned_end=timezone.localdate()).count()
    if due:
        return Task(_("%(count)d 人今日隔离期满") % {"count": due}, _("核对最后一次检测无异常后解除隔离，再由网格长重新签发出入证。"),
                    f"{reverse('quarantine:list')}?due={DueFilter.TODAY}", _("去解除"))
    return Task(_("隔离管理"), _("查看居家、企业观察区和集中隔离人员，每日两次检测，期满解除。"), reverse("quarantine:list"), _("隔离管理"))
