"""Choices of a worker's personal record (SPEC.md, "Workers")."""

from django.db import models

from fugong.policy.classification import ORIGIN_LABELS, Origin


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
