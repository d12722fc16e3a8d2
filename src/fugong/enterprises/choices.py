"""Choices for the enterprise registry (SPEC.md, "Enterprises")."""

from django.db import models


class Sector(models.TextChoices):
    INDUSTRY = "industry", "工业"
    RETAIL_HOTEL_CATERING = "retail", "批发零售住宿餐饮"
    SERVICES = "services", "服务业"
    CONSTRUCTION = "construction", "建筑工地"
    REAL_ESTATE = "real_estate", "房地产/售楼处/中介"
    STREET_SHOP = "street_shop", "沿街商铺"
    RESTAURANT = "restaurant", "餐饮"
    COAL = "coal", "煤炭"
    HAZARDOUS_CHEMICALS = "hazchem", "危化品"
    OTHER = "other", "其他"


class Size(models.TextChoices):
    ABOVE = "above", "规上"
    BELOW = "below", "规下"


class EssentialCategory(models.TextChoices):
    NONE = "", "否"
    CITY_OPERATION = "city_operation", "保障城市运行"
    EPIDEMIC_SUPPLIES = "epidemic_supplies", "防疫物资"
    UTILITIES = "utilities", "水电气"
    MEDICAL_DEVICES = "medical_devices", "医疗器械"
    MEDICINES = "medicines", "药品"
    FOOD = "food", "食品"


class ClosedManagement(models.TextChoices):
    NONE = "none", "不具备"
    SEMI = "semi", "半封闭"
    CLOSED = "closed", "封闭"


class Status(models.TextChoices):
    NOT_APPLIED = "not_applied", "未申请"
    APPLYING = "applying", "审核中"
    APPROVED = "approved", "已批准"
    RESUMED = "resumed", "已复工"
    SUSPENDED = "suspended", "已停工"


class GateKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业门岗"
    CHECKPOINT = "checkpoint", "检查站"
