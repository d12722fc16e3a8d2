"""Turning the routing rules (data) into the review chain of one application."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from fugong.enterprises.models import Enterprise
from fugong.regions.choices import DepartmentKind, Level
from fugong.regions.models import Department, Region
from fugong.resumption.models import RoutingRule


def matching_rule(enterprise: Enterprise) -> RoutingRule:
    """The most local rule, then the highest priority (a park tenant goes to the park operator
    first whatever its sector), then the most specific."""
    path = enterprise.region.path
    candidates = [
        rule for rule in RoutingRule.objects.select_related("region")
        if (rule.region is None or path.startswith(rule.region.path))
        and rule.sector in ("", enterprise.sector)
        and rule.size in ("", enterprise.size)
        and rule.in_park in (None, enterprise.in_park)
    ]
    if not candidates:
        raise ValidationError("没有适用于该企业的审核路由规则，请联系系统管理员配置。")
    return max(candidates, key=lambda r: (r.region.path.count("/") if r.region else 0, r.priority, r.specificity))


def nearest_department(kind: str, region: Region) -> Department:
    """The department of ``kind`` closest above the enterprise: its town's, else its county's."""
    codes = [c for c in region.path.strip("/").split("/") if c]
    departments = {d.region.code: d for d in Department.objects.filter(kind=kind, region__code__in=codes).select_related("region")}
    for code in reversed(codes):
        if code in departments:
            return departments[code]
    raise ValidationError(f"{region.label}及上级没有“{DepartmentKind(kind).label}”，无法送审，请联系系统管理员建立该部门。")


def review_chain(enterprise: Enterprise) -> tuple[RoutingRule, list[Department]]:
    rule = matching_rule(enterprise)
    departments: list[Department] = []
    for kind in rule.chain:
        department = nearest_department(kind, enterprise.region)
        if department not in departments:
            departments.append(department)
    return rule, departments


def county_of(enterprise: Enterprise) -> Region:
    county = enterprise.town.ancestor_at(Level.COUNTY) or enterprise.town.parent
    if county is None:
        raise ValidationError("企业所在镇街没有上级县区。")
    return county
