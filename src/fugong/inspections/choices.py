from django.db import models
from django.utils.translation import gettext_lazy as _


class TemplateKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("复工现场验收")
    POST_RESUMPTION = "post_resumption", _("复工后检查")
    CANTEEN = "canteen", _("食堂检查")
    DORMITORY = "dormitory", _("宿舍检查")
    SHUTTLE_BUS = "shuttle_bus", _("通勤班车检查")
    PATROL = "patrol", _("日常巡查")


class Condition(models.TextChoices):
    ALWAYS = "", _("所有企业")
    CANTEEN = "canteen", _("有食堂")
    DORMITORY = "dormitory", _("有宿舍")
    SHUTTLE_BUS = "shuttle_bus", _("有班车")


class Result(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    NOT_APPLICABLE = "na", _("不适用")


class InspectionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("检查中")
    PASSED = "passed", _("通过")
    FAILED = "failed", _("未通过（整改）")


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    ANSWERED = "answered", _("已整改待核验")
    VERIFIED = "verified", _("已核验销号")
    REOPENED = "reopened", _("核验未通过")


class RectificationSource(models.TextChoices):
    """Where a finding came from (worked out from its inspection's template; none: filed by hand)."""

    ACCEPTANCE = "acceptance", _("复工验收")
    CHECK = "check", _("复工后检查")
    PATROL = "patrol", _("日常巡查")
    MANUAL = "manual", _("人工登记")


class RectificationAction(models.TextChoices):
    FOUND = "found", _("发现问题")
    ANSWERED = "answered", _("企业填报整改")
    VERIFIED = "verified", _("核验销号")
    REOPENED = "reopened", _("退回重新整改")


class PlanKind(models.TextChoices):
    ENTERPRISES = "enterprises", _("企业巡查（每企业每周 N 次）")
    KEY_AREAS = "key_areas", _("片长巡查重点区域（每 N 天一次）")
