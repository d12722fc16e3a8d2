"""The roles of SPEC.md."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    COMMAND = "command", "指挥部"
    REVIEWER = "reviewer", "主管部门审核员"
    GRID = "grid", "网格员"
    ENTERPRISE = "enterprise", "企业防疫专员"
    EMPLOYEE = "employee", "员工"
    GATE = "gate", "门岗"


# What a membership of each role must point at.
ROLE_TARGET = {
    Role.ADMIN: None,
    Role.COMMAND: "region",
    Role.REVIEWER: "department",
    Role.GRID: "region",
    Role.ENTERPRISE: "enterprise",
    Role.EMPLOYEE: "enterprise",
    Role.GATE: "gate",
}
