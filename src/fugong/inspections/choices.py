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
