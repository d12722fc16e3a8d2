"""Choices for resumption applications (SPEC.md, "Resumption application")."""

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    DEPARTMENT_REVIEW = "department_review", "主管部门审核中"
    RETURNED = "returned", "退回修改"
    TOWN_REVIEW = "town_review", "镇街指挥部审批中"
    COUNTY_REVIEW = "county_review", "县区指挥部审批中"
    INSPECTION = "inspection", "待现场验收"
    APPROVED = "approved", "已批准复工"
    REJECTED = "rejected", "不予批准"
    SUSPENDED = "suspended", "已停工"


OPEN_FOR_EDIT = (Status.DRAFT, Status.RETURNED)
UNDER_REVIEW = (Status.DEPARTMENT_REVIEW, Status.TOWN_REVIEW, Status.COUNTY_REVIEW)


class MaterialItem(models.TextChoices):
    MASK = "mask", "口罩"
    GLOVES = "gloves", "一次性手套"
    SUIT = "suit", "防护服"
    GOGGLES = "goggles", "护目镜"
    THERMOMETER = "thermometer", "体温计（电子/红外）"
    ALCOHOL = "alcohol", "酒精"
    DISINFECTANT = "disinfectant", "消毒液"
    SPRAYER = "sprayer", "喷雾器"


MATERIAL_UNITS = {
    MaterialItem.MASK: "只", MaterialItem.GLOVES: "副", MaterialItem.SUIT: "套", MaterialItem.GOGGLES: "副",
    MaterialItem.THERMOMETER: "支", MaterialItem.ALCOHOL: "升", MaterialItem.DISINFECTANT: "升", MaterialItem.SPRAYER: "台",
}


class Origin(models.TextChoices):
    LOCAL = "local", "本地（未离开）"
    SAME_CITY = "same_city", "市内其他区县"
    OTHER_CITY = "other_city", "省内其他城市"
    OTHER_PROVINCE = "other_province", "外省"
    KEY_AREA = "key_area", "重点疫区"


class AttachmentKind(models.TextChoices):
    PREVENTION_PLAN = "prevention_plan", "防控实施方案"
    EMERGENCY_PLAN = "emergency_plan", "应急预案"
    COMMITMENT = "commitment", "承诺书（签章）"
    BUS_LIST = "bus_list", "班车车辆及人员清单"
    RISK_ASSESSMENT = "risk_assessment", "风险评估"
    OTHER = "other", "其他材料"


class Stage(models.TextChoices):
    DEPARTMENT = "department", "主管部门审核"
    TOWN = "town", "镇街指挥部审批"
    COUNTY = "county", "县区指挥部审批"


class StepStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    APPROVED = "approved", "通过"
    RETURNED = "returned", "退回修改"
    REJECTED = "rejected", "不予批准"
    SUPERSEDED = "superseded", "已撤销（重新提交）"


class Decision(models.TextChoices):
    APPROVE = "approve", "通过"
    RETURN = "return", "退回修改"
    REJECT = "reject", "不予批准"
