"""Choices for the jurisdiction tree."""

from django.db import models


class Level(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县/市/区"
    TOWN = "town", "镇/街道"
    VILLAGE = "village", "村/社区"
    GRID = "grid", "网格"


LEVEL_ORDER = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWN, Level.VILLAGE, Level.GRID]


class GridKind(models.TextChoices):
    INDUSTRIAL = "industrial", "工业园区"
    CONSTRUCTION = "construction", "建筑工地"
    RESIDENTIAL = "residential", "居委会"
    RENTAL = "rental", "出租屋"
    COMMERCIAL = "commercial", "商业街区"
    OTHER = "other", "其他"


class DepartmentKind(models.TextChoices):
    INDUSTRY = "industry", "工信局"
    ECONOMY = "economy", "经贸办"
    SAFETY = "safety", "安监办"
    ENGINEERING = "engineering", "工程办"
    EMERGENCY = "emergency", "应急管理局"
    SME = "sme", "中小企业发展促进中心"
    FOOD_SAFETY = "food_safety", "食安办"
    ENERGY = "energy", "能源局"
    PARK = "park", "园区运营方"
    HEALTH = "health", "卫健局"
    MARKET = "market", "市场监管局"
    HR = "hr", "人社局"
    COMMUNITY = "community", "社区居委会"
    OTHER = "other", "其他"
