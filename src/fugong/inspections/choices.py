from django.db import models


class TemplateKind(models.TextChoices):
    ACCEPTANCE = "acceptance", "复工现场验收"
    POST_RESUMPTION = "post_resumption", "复工后检查"
    CANTEEN = "canteen", "食堂检查"
    DORMITORY = "dormitory", "宿舍检查"
    SHUTTLE_BUS = "shuttle_bus", "通勤班车检查"
    PATROL = "patrol", "日常巡查"


class Condition(models.TextChoices):
    ALWAYS = "", "所有企业"
    CANTEEN = "canteen", "有食堂"
    DORMITORY = "dormitory", "有宿舍"
    SHUTTLE_BUS = "shuttle_bus", "有班车"


class Result(models.TextChoices):
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"
    NOT_APPLICABLE = "na", "不适用"


class InspectionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "检查中"
    PASSED = "passed", "通过"
    FAILED = "failed", "未通过（整改）"


class RectificationStatus(models.TextChoices):
    OPEN = "open", "待整改"
    ANSWERED = "answered", "已整改待核验"
    VERIFIED = "verified", "已核验销号"
    REOPENED = "reopened", "核验未通过"
