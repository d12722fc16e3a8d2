"""Every number of SPEC.md as a named, typed policy parameter with the seeds' value as default.

Code never writes these numbers as literals: it reads them from :class:`Policy`, obtained with
``policy.current(region, at)``. Adding a parameter here makes it appear on the policy admin page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    kind: type  # int, Decimal, datetime, str
    default: Any
    unit: str = ""
    group: str = "其他"
    source: str = ""  # which seed notice the default comes from
    minimum: Any = None
    maximum: Any = None

    def parse(self, raw: Any) -> Any:
        """Turn a stored (JSON) value into the parameter's type; raise ValueError with a Chinese message."""
        try:
            if self.kind is datetime:
                value: Any = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
                if value.tzinfo is None:
                    value = value.replace(tzinfo=SHANGHAI)
            elif self.kind is Decimal:
                value = Decimal(str(raw))
                if not value.is_finite():  # NaN cannot even be compared with the limits
                    raise ValueError
            elif self.kind is int:
                if isinstance(raw, float) and not raw.is_integer():
                    raise ValueError
                value = int(raw)
            else:
                value = str(raw)
        except (TypeError, ValueError, ArithmeticError):
            raise ValueError(f"“{self.label}”的值“{raw}”格式不正确。") from None
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"“{self.label}”不能小于 {self.minimum}。")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"“{self.label}”不能大于 {self.maximum}。")
        return value

    def dump(self, value: Any) -> Any:
        """The JSON form kept in the database."""
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value


P = Parameter
PARAMETERS: tuple[Parameter, ...] = (
    # Resumption application
    P("earliest_resumption_at", "一般企业最早复工时间", datetime, datetime(2020, 2, 10, 0, 0, tzinfo=SHANGHAI), group="复工申请",
      source="鹤山：不早于2月9日24时"),
    P("application_lead_hours", "申请须提前(小时)", int, 48, "小时", "复工申请", "鹤山：提前48小时报备", 0, 720),
    P("material_reserve_days", "防控物资储备天数下限", int, 7, "天", "复工申请", "乐山：不少于7天用量", 1, 90),
    P("masks_per_person_per_day", "每人每天口罩数", Decimal, Decimal("1"), "只", "复工申请", "乐山：每人每天不少于1只", Decimal("0"), Decimal("10")),
    # Not in the seed notices: the daily use per on-site person of the other items (fugong.materials);
    # 0 marks a durable item (thermometers, sprayers): it has no days of supply.
    P("gloves_per_person_per_day", "每人每天一次性手套数", Decimal, Decimal("1"), "副", "防控物资", "平台约定：一线岗位每班一副", Decimal("0"), Decimal("20")),
    P("suits_per_person_per_day", "每人每天防护服数", Decimal, Decimal("0.02"), "套", "防控物资", "平台约定：仅测温、消杀人员穿戴，约每50人一套",
      Decimal("0"), Decimal("5")),
    P("thermometers_per_person_per_day", "每人每天体温计消耗", Decimal, Decimal("0"), "支", "防控物资", "耐用品：0 表示不计算可用天数",
      Decimal("0"), Decimal("1")),
    P("alcohol_litres_per_person_per_day", "每人每天酒精用量", Decimal, Decimal("0.01"), "升", "防控物资", "平台约定：手部消毒约10毫升",
      Decimal("0"), Decimal("1")),
    P("disinfectant_litres_per_person_per_day", "每人每天消毒液用量", Decimal, Decimal("0.02"), "升", "防控物资", "平台约定：环境消杀约20毫升",
      Decimal("0"), Decimal("1")),
    P("sprayers_per_person_per_day", "每人每天喷雾器消耗", Decimal, Decimal("0"), "台", "防控物资", "耐用品：0 表示不计算可用天数",
      Decimal("0"), Decimal("1")),
    P("dormitory_max_per_room", "宿舍每间最多人数", int, 4, "人", "复工申请", "乐山：每间不超过4人", 1, 20),
    P("commitment_days", "承诺书无接触天数", int, 14, "天", "复工申请", "承诺书：14天内未到过重点地区", 1, 60),
    # Not in the seed notices: how long one review step may wait before the queue flags it as overdue.
    P("review_due_hours", "审核环节办理时限", int, 24, "小时", "复工申请", "平台约定：超过即在待办中标为超时", 1, 240),
    # Workers and classification
    P("travel_history_days", "行程史追溯天数", int, 14, "天", "人员分类", "14天行程", 1, 60),
    P("central_quarantine_days", "集中隔离天数", int, 14, "天", "人员分类", "重点地区返回集中隔离14天", 1, 60),
    P("outside_city_isolation_days", "市外返岗隔离天数", int, 14, "天", "人员分类", "市外人员单人单间隔离14天", 0, 60),
    P("other_district_monitoring_days", "市内跨区返岗监测天数", int, 14, "天", "人员分类", "每日两次测温连续14天", 0, 60),
    P("fever_threshold_celsius", "发热体温阈值", Decimal, Decimal("37.3"), "℃", "健康监测", "体温≥37.3℃", Decimal("36.5"), Decimal("39")),
    P("checkins_per_day", "每日测温次数", int, 2, "次", "健康监测", "早晚各一次", 1, 6),
    P("morning_slot_ends_hour", "上午测温截止(时)", int, 12, "时", "健康监测", "", 6, 15),
    P("daily_report_deadline_hour", "企业日报截止(时)", int, 10, "时", "健康监测", "每日报告", 0, 23),
    # Not in the seed notices: how far back a check-in may be filed late, and how far ahead of the
    # server's clock a device's time may run (phones and gate devices drift).
    P("checkin_backdate_days", "打卡可补报天数", int, 2, "天", "健康监测", "平台约定：超过即拒收", 0, 14),
    P("checkin_clock_skew_minutes", "打卡时间允许超前(分钟)", int, 5, "分钟", "健康监测", "平台约定：设备时钟误差", 0, 60),
    P("max_commute_hours", "点对点返岗最长时长", int, 6, "小时", "人员分类", "6小时车程内自驾", 1, 48),
    P("pass_validity_days", "出入证有效天数", int, 30, "天", "人员分类", "", 1, 365),
    # Not in the seed notices: how long an employee's personal link (declaration, check-in, pass) works.
    P("personal_link_days", "个人链接有效天数", int, 14, "天", "人员分类", "平台约定：过期后由企业重新发送", 1, 90),
    # Inspections and patrols
    P("patrol_visits_per_week", "每企业每周巡查次数", int, 3, "次", "巡查", "河源：每周巡查三次", 1, 14),
    P("zone_leader_patrol_every_days", "片长巡查间隔", int, 2, "天", "巡查", "河源：片长每两天巡查", 1, 14),
    P("rectification_days", "整改期限", int, 3, "天", "巡查", "", 1, 60),
    P("canteen_min_distance_cm", "食堂就餐间距", int, 100, "厘米", "巡查", "就餐间隔1米以上", 0, 500),
    # Uploads, summaries
    P("upload_max_mb", "单个附件大小上限", int, 10, "MB", "系统", "", 1, 100),
    P("daily_summary_hour", "每日图表生成时间(时)", int, 7, "时", "系统", "每日一张图表", 0, 23),
    # Not in the seed notices: how long the API keeps an Idempotency-Key's first answer to replay.
    P("idempotency_key_hours", "幂等键保留时长", int, 24, "小时", "系统", "平台约定：重试须在此时长内", 1, 720),
    # Not in the seed notices: how long a background export's file (台账 with personal data) is kept for download.
    P("export_keep_hours", "导出文件保留时长", int, 24, "小时", "系统", "平台约定：到期自动删除，需要时重新导出", 1, 168),
    P("quarantine_check_per_day", "隔离人员每日检测次数", int, 2, "次", "隔离", "每日两次", 1, 6),
    # Not in the seed notices: how long a department may take to answer a help request (诉求) before it is flagged overdue.
    P("help_request_answer_hours", "企业诉求答复时限", int, 48, "小时", "企业帮扶", "平台约定：超过即标为超时未答复", 1, 720),
    # The command centre's flags (挂旗, Changle) and dashboards (fugong.command).
    P("flag_returned_percent", "返岗人数达计划比例(挂绿旗)", int, 100, "%", "指挥看板", "长乐：部分复工挂黄旗；低于此比例即为部分复工", 1, 100),
    P("dashboard_trend_days", "看板趋势天数", int, 21, "天", "指挥看板", "平台约定：趋势图显示的天数", 7, 90),
)

BY_KEY: dict[str, Parameter] = {p.key: p for p in PARAMETERS}
GROUPS: list[str] = list(dict.fromkeys(p.group for p in PARAMETERS))


def defaults() -> dict[str, Any]:
    return {p.key: p.default for p in PARAMETERS}
