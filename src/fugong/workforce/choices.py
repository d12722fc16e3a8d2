"""Choices of a worker's personal record (SPEC.md, "Workers")."""

from django.db import models

from fugong.policy.classification import CATEGORY_LABELS, ORIGIN_LABELS, Category, Origin


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Transport(models.TextChoices):
    """How the worker came back (self-drive preferred, SPEC.md)."""

    SELF_DRIVE = "self_drive", "自驾"
    BUS = "bus", "客车"
    TRAIN = "train", "火车"
    PLANE = "plane", "飞机"
    OTHER = "other", "其他"


class Post(models.TextChoices):
    CORE = "core", "核心"
    KEY = "key", "关键"
    FRONT_LINE = "front_line", "一线"
    OTHER = "other", "其他"


class PersonOrigin(models.TextChoices):
    """Where the worker comes back from: the values of the classification rules' ``Origin``, so a
    person's origin feeds them unchanged (a test keeps the two in step)."""

    LOCAL_NOT_AWAY = Origin.LOCAL_NOT_AWAY.value, ORIGIN_LABELS[Origin.LOCAL_NOT_AWAY]
    SAME_CITY_OTHER_DISTRICT = Origin.SAME_CITY_OTHER_DISTRICT.value, ORIGIN_LABELS[Origin.SAME_CITY_OTHER_DISTRICT]
    OTHER_CITY_SAME_PROVINCE = Origin.OTHER_CITY_SAME_PROVINCE.value, ORIGIN_LABELS[Origin.OTHER_CITY_SAME_PROVINCE]
    OTHER_PROVINCE = Origin.OTHER_PROVINCE.value, ORIGIN_LABELS[Origin.OTHER_PROVINCE]


class RevocationReason(models.TextChoices):
    FEVER = "fever", "发热"
    QUARANTINE = "quarantine", "隔离"
    SUSPENSION = "suspension", "停工"
    EXPIRY = "expiry", "过期"
    OTHER = "other", "其他"


class ClassificationCategory(models.TextChoices):
    """The classification's decision (:class:`fugong.policy.classification.Category`), stored on
    the person; a test keeps the two in step."""

    REFUSED_FEVER = Category.REFUSED_FEVER.value, CATEGORY_LABELS[Category.REFUSED_FEVER]
    MUST_NOT_RETURN = Category.MUST_NOT_RETURN.value, CATEGORY_LABELS[Category.MUST_NOT_RETURN]
    CENTRAL_QUARANTINE = Category.CENTRAL_QUARANTINE.value, CATEGORY_LABELS[Category.CENTRAL_QUARANTINE]
    ISOLATE_BEFORE_PASS = Category.ISOLATE_BEFORE_PASS.value, CATEGORY_LABELS[Category.ISOLATE_BEFORE_PASS]
    WORK_WITH_CHECKS = Category.WORK_WITH_CHECKS.value, CATEGORY_LABELS[Category.WORK_WITH_CHECKS]
    PASS_AFTER_APPROVAL = Category.PASS_AFTER_APPROVAL.value, CATEGORY_LABELS[Category.PASS_AFTER_APPROVAL]


class HouseholdHealth(models.TextChoices):
    HEALTHY = "healthy", "家庭成员均健康"
    ABNORMAL = "abnormal", "家庭成员有发热、咳嗽等症状"


class DeclarationChannel(models.TextChoices):
    """How a health declaration reached us."""

    LINK = "link", "个人链接/二维码"
    ACCOUNT = "account", "本人账号"
    ENTERPRISE = "enterprise", "企业代填"


class RiskLevel(models.TextChoices):
    HIGH = "high", "高风险（重点疫区）"
    MEDIUM = "medium", "中风险"


class ReevaluationTrigger(models.TextChoices):
    RISK_AREAS = "risk_areas", "风险地区名单变更"
    POLICY = "policy", "政策变更"
    MANUAL = "manual", "手动重新评估"


class RunStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
