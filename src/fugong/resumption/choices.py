"""Choices for resumption applications (SPEC.md, "Resumption application")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    DEPARTMENT_REVIEW = "department_review", _("主管部门审核中")
    RETURNED = "returned", _("退回修改")
    TOWN_REVIEW = "town_review", _("镇街指挥部审批中")
    COUNTY_REVIEW = "county_review", _("县区指挥部审批中")
    INSPECTION = "inspection", _("待现场验收")
    APPROVED = "approved", _("已批准复工")
    REJECTED = "rejected", _("不予批准")
    SUSPENDED = "suspended", _("已停工")


OPEN_FOR_EDIT = (Status.DRAFT, Status.RETURNED)
UNDER_REVIEW = (Status.DEPARTMENT_REVIEW, Status.TOWN_REVIEW, Status.COUNTY_REVIEW)


class MaterialItem(models.TextChoices):
    MASK = "mask", _("口罩")
    GLOVES = "gloves", _("一次性手套")
    SUIT = "suit", _("防护服")
    GOGGLES = "goggles", _("护目镜")
    THERMOMETER = "thermometer", _("体温计（电子/红外）")
    ALCOHOL = "alcohol", _("酒精")
    DISINFECTANT = "disinfectant", _("消毒液")
    SPRAYER = "sprayer", _("喷雾器")


MATERIAL_UNITS = {
    MaterialItem.MASK: "只", MaterialItem.GLOVES: "副", MaterialItem.SUIT: "套", MaterialItem.GOGGLES: "副",
    MaterialItem.THERMOMETER: "支", MaterialItem.ALCOHOL: "升", MaterialItem.DISINFECTANT: "升", MaterialItem.SPRAYER: "台",
}


class Origin(models.TextChoices):
    LOCAL = "local", _("本地（未离开）")
    SAME_CITY = "same_city", _("市内其他区县")
    OTHER_CITY = "other_city", _("省内其他城市")
    OTHER_PROVINCE = "other_province", _("外省")
    KEY_AREA = "key_area", _("重点疫区")


class AttachmentKind(models.TextChoices):
    PREVENTION_PLAN = "prevention_plan", _("防控实施方案")
    EMERGENCY_PLAN = "emergency_plan", _("应急预案")
    COMMITMENT = "commitment", _("承诺书（签章）")
    BUS_LIST = "bus_list", _("班车车辆及人员清单")
    RISK_ASSESSMENT = "risk_assessment", _("风险评估")
    OTHER = "other", _("其他材料")


class Stage(models.TextChoices):
    DEPARTMENT = "department", _("主管部门审核")
    TOWN = "town", _("镇街指挥部审批")
    COUNTY = "county", _("县区指挥部审批")


class StepStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    APPROVED = "approved", _("通过")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("不予批准")
    SUPERSEDED = "superseded", _("已撤销（重新提交）")


class Decision(models.TextChoices):
    APPROVE = "approve", _("通过")
    RETURN = "return", _("退回修改")
    REJECT = "reject", _("不予批准")
