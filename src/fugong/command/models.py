"""The command centre's morning (SPEC.md, "看板"): each enterprise's flag with its reasons and
history, the daily rollups the dashboards read, and the daily summaries (每日一张图表)."""

from __future__ import annotations

import pghistory
from django.db import models

from fugong.command.choices import Flag, SummaryStatus
from fugong.command.querysets import FlagQuerySet, RollupQuerySet, SummaryQuerySet
from fugong.core.models import TimeStampedModel


class EnterpriseFlag(models.Model):
    """An enterprise's current flag (挂旗): green, yellow or red, with the reasons that decided it.

    ``reasons`` is a list of ``{"code", "text", "url"}`` (the Chinese text and the list behind the
    reason); ``reason_codes`` repeats the codes as ``,code,code,`` so the list filters by reason
    on every database. ``dirty`` is set by the events that may change the flag (an application
    decided, a finding, a help request, an alert …): the periodic job recomputes those first.
    """

    enterprise = models.OneToOneField("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE, related_name="flag")
    flag = models.CharField("旗色", max_length=8, choices=Flag.choices, db_index=True)
    order = models.PositiveSmallIntegerField("排序", default=0, help_text="红 0、黄 1、绿 2：列表红旗在前")
    reasons = models.JSONField("原因", default=list, blank=True)
    reason_codes = models.CharField("原因代码", max_length=255, blank=True, default="")
    day = models.DateField("计算日期")
    computed_at = models.DateTimeField("计算时间")
    since = models.DateTimeField("当前旗色起始时间")
    dirty = models.BooleanField("待重新计算", default=False, db_index=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        verbose_name = "企业挂旗"
        verbose_name_plural = "企业挂旗"
        ordering = ["order", "enterprise__name"]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.get_flag_display()}"


class FlagChange(models.Model):
    """One change of an enterprise's flag: when, from which colour to which, and why (written only
    when the colour changes, never on a recomputation that finds the same colour)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE, related_name="flag_changes")
    changed_at = models.DateTimeField("变化时间")
    day = models.DateField("日期")
    old_flag = models.CharField("原旗色", max_length=8, choices=Flag.choices, blank=True)
    new_flag = models.CharField("新旗色", max_length=8, choices=Flag.choices)
    reasons = models.JSONField("原因", default=list, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        verbose_name = "挂旗变化"
        verbose_name_plural = "挂旗变化"
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["enterprise", "changed_at"], name="flagchange_enterprise_at")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.old_flag or '-'}→{self.new_flag} {self.changed_at:%Y-%m-%d %H:%M}"


# The figures a rollup row holds, with their Chinese names (the selectors and the summary read them).
METRICS: dict[str, str] = {
    "enterprises": "企业数",
    "resumed": "已复工",
    "suspended": "已停工",
    "flag_red": "红旗",
    "flag_yellow": "黄旗",
    "flag_green": "绿旗",
    "planned_workers": "计划返岗人数",
    "returned_local": "本地未外出",
    "returned_same_city": "本市其他区",
    "returned_other_city": "省内其他城市",
    "returned_other_province": "外省",
    "returned_total": "已返岗人数",
    "checkins": "打卡次数",
    "iso_home": "居家隔离",
    "iso_enterprise": "企业观察区",
    "iso_central": "集中隔离点",
    "releases_due": "今日到期解除",
    "fever_open": "发热预警待处置",
    "fever_closed": "发热预警已处置",
    "fever_raised": "当日新增发热预警",
    "patrols": "巡查次数",
    "rect_open": "待整改",
    "rect_overdue": "整改逾期",
    "rect_verified": "已核验销号",
    "help_open": "诉求未办结",
    "help_overdue": "诉求超时未答复",
    "help_closed": "诉求已办结",
    "help_answered": "已答复诉求",
    "help_response_seconds": "首次答复用时合计(秒)",
    "materials_short": "物资短缺企业",
    "materials_ok": "物资充足企业",
    "materials_unknown": "物资无在岗人员",
    "reports_missing": "未报日报",
    "positions_open": "招聘中岗位",
    "people_wanted": "缺工人数",
}


class RollupFigures(models.Model):
    """The figures (:data:`METRICS`) a rollup row holds: the same on both rollups."""

    enterprises = models.PositiveIntegerField(default=0)
    resumed = models.PositiveIntegerField(default=0)
    suspended = models.PositiveIntegerField(default=0)
    flag_red = models.PositiveIntegerField(default=0)
    flag_yellow = models.PositiveIntegerField(default=0)
    flag_green = models.PositiveIntegerField(default=0)
    planned_workers = models.PositiveIntegerField(default=0)
    returned_local = models.PositiveIntegerField(default=0)
    returned_same_city = models.PositiveIntegerField(default=0)
    returned_other_city = models.PositiveIntegerField(default=0)
    returned_other_province = models.PositiveIntegerField(default=0)
    returned_total = models.PositiveIntegerField(default=0)
    checkins = models.PositiveIntegerField(default=0)
    iso_home = models.PositiveIntegerField(default=0)
    iso_enterprise = models.PositiveIntegerField(default=0)
    iso_central = models.PositiveIntegerField(default=0)
    releases_due = models.PositiveIntegerField(default=0)
    fever_open = models.PositiveIntegerField(default=0)
    fever_closed = models.PositiveIntegerField(default=0)
    fever_raised = models.PositiveIntegerField(default=0)
    patrols = models.PositiveIntegerField(default=0)
    rect_open = models.PositiveIntegerField(default=0)
    rect_overdue = models.PositiveIntegerField(default=0)
    rect_verified = models.PositiveIntegerField(default=0)
    help_open = models.PositiveIntegerField(default=0)
    help_overdue = models.PositiveIntegerField(default=0)
    help_closed = models.PositiveIntegerField(default=0)
    help_answered = models.PositiveIntegerField(default=0)
    help_response_seconds = models.BigIntegerField(default=0)
    materials_short = models.PositiveIntegerField(default=0)
    materials_ok = models.PositiveIntegerField(default=0)
    materials_unknown = models.PositiveIntegerField(default=0)
    reports_missing = models.PositiveIntegerField(default=0)
    positions_open = models.PositiveIntegerField(default=0)
    people_wanted = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyRollup(RollupFigures):
    """The day's figures of the enterprises of one place, sector and size (the dashboards read
    these, never the ledgers: a handful of small queries whatever the county's size).

    ``region`` is the enterprises' own place (a grid, a village or the town itself) and
    ``region_path`` its materialised path, so a jurisdiction's rows are one indexed prefix match.
    Today's row is kept current by the periodic job (the towns touched since its last run);
    past days by ``rollup_rebuild``. Each row is summed into its town's :class:`TownRollup`.
    """

    day = models.DateField("日期")
    town = models.ForeignKey("regions.Region", verbose_name="镇街", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="网格/村社区", on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField("路径", max_length=255)
    sector = models.CharField("行业", max_length=32)
    size = models.CharField("规模", max_length=8)
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    objects = RollupQuerySet.as_manager()

    class Meta:
        verbose_name = "每日汇总"
        verbose_name_plural = "每日汇总"
        constraints = [models.UniqueConstraint(fields=["day", "region", "sector", "size"], name="rollup_unique_cell")]
        indexes = [
            # A jurisdiction's rows of a day (or a range of days) are one prefix match on PostgreSQL.
            models.Index(fields=["region_path", "day"], name="rollup_path_day", opclasses=["varchar_pattern_ops", "date_ops"]),
            models.Index(fields=["day", "town"], name="rollup_day_town"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.region_id} {self.sector}/{self.size}"


class TownRollup(RollupFigures):
    """The day's figures of one town, sector and size: the sums of its :class:`DailyRollup` rows,
    written by ``rollup_refresh`` in the same transaction from the same computation (so the two
    never disagree). The county dashboard (its table is by town) and every trend read these: a
    county's day is a few hundred rows here instead of ten thousand or more.

    ``region_path`` is the town's path, so ``under(paths)`` matches the towns of a county (or a
    town itself) as it does the places on :class:`DailyRollup`.
    """

    day = models.DateField("日期")
    town = models.ForeignKey("regions.Region", verbose_name="镇街", on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField("镇街路径", max_length=255)
    sector = models.CharField("行业", max_length=32)
    size = models.CharField("规模", max_length=8)
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    objects = RollupQuerySet.as_manager()

    class Meta:
        verbose_name = "镇街每日汇总"
        verbose_name_plural = "镇街每日汇总"
        constraints = [models.UniqueConstraint(fields=["day", "town", "sector", "size"], name="townrollup_unique_cell")]
        indexes = [
            models.Index(fields=["region_path", "day"], name="townrollup_path_day", opclasses=["varchar_pattern_ops", "date_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.town_id} {self.sector}/{self.size}"


def summary_path(instance: DailySummary, filename: str) -> str:
    return f"command/summaries/{instance.day:%Y/%m}/{instance.region.code}-{instance.day:%Y%m%d}.pdf"


@pghistory.track()
class DailySummary(TimeStampedModel):
    """每日一张图表: the PDF of one county's or town's figures of one day, generated in the morning
    at the policy's ``daily_summary_hour`` and on demand (generating again replaces the file)."""

    region = models.ForeignKey("regions.Region", verbose_name="辖区", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日期")
    file = models.FileField("PDF", upload_to=summary_path, blank=True)
    status = models.CharField("状态", max_length=8, choices=SummaryStatus.choices, default=SummaryStatus.DONE)
    figures = models.JSONField("主要数字", default=dict, blank=True)
    generated_at = models.DateTimeField("生成时间")
    error = models.TextField("错误", blank=True)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = "每日图表"
        verbose_name_plural = "每日图表"
        ordering = ["-day", "region__path"]
        constraints = [models.UniqueConstraint(fields=["region", "day"], name="summary_one_per_region_day")]

    def __str__(self) -> str:
        return f"{self.region.name} {self.day:%Y-%m-%d} 每日图表"
