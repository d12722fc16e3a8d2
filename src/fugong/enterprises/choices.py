"""Choices for the enterprise registry (SPEC.md, "Enterprises")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    INDUSTRY = "industry", _("工业")
    RETAIL_HOTEL_CATERING = "retail", _("批发零售住宿餐饮")
    SERVICES = "services", _("服务业")
    CONSTRUCTION = "construction", _("建筑工地")
    REAL_ESTATE = "real_estate", _("房地产/售楼处/中介")
    STREET_SHOP = "street_shop", _("沿街商铺")
    RESTAURANT = "restaurant", _("餐饮")
    COAL = "coal", _("煤炭")
    HAZARDOUS_CHEMICALS = "hazchem", _("危化品")
    OTHER = "other", _("其他")


class Size(models.TextChoices):
    ABOVE = "above", _("规上")
    BELOW = "below", _("规下")


class EssentialCategory(models.TextChoices):
    NONE = "", _("否")
    CITY_OPERATION = "city_operation", _("保障城市运行")
    EPIDEMIC_SUPPLIES = "epidemic_supplies", _("防疫物资")
    UTILITIES = "utilities", _("水电气")
    MEDICAL_DEVICES = "medical_devices", _("医疗器械")
    MEDICINES = "medicines", _("药品")
    FOOD = "food", _("食品")


class ClosedManagement(models.TextChoices):
    NONE = "none", _("不具备")
    SEMI = "semi", _("半封闭")
    CLOSED = "closed", _("封闭")


class Status(models.TextChoices):
    NOT_APPLIED = "not_applied", _("未申请")
    APPLYING = "applying", _("审核中")
    APPROVED = "approved", _("已批准")
    RESUMED = "resumed", _("已复工")
    SUSPENDED = "suspended", _("已停工")


class GateKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业门岗")
    CHECKPOINT = "checkpoint", _("检查站")
