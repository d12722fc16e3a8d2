"""Turning the routing rules (data) into the department that answers one help request."""

from __future__ import annotations

from dataclasses import dataclass

from fugong.assistance.models import RoutingRule
from fugong.enterprises.models import Enterprise
from fugong.regions.models import Department


@dataclass(frozen=True)
class Route:
    """Where a request goes and why: a department by a rule, or (no rule) the town's command."""

    department: Department | None
    rule: RoutingRule | None
    note: str


def rule_precedence(rule: RoutingRule) -> tuple[int, int]:
    """The most specific region first (deepest path), then a rule naming the category over one for any."""
    return rule.region.path.count("/"), int(bool(rule.category))


def matching_rules(enterprise: Enterprise, category: str) -> list[RoutingRule]:
    """Every rule that applies to the enterprise's place and the category, best first."""
    codes = [c for c in enterprise.region.path.strip("/").split("/") if c]
    candidates = [
        rule for rule in RoutingRule.objects.filter(region__code__in=codes, category__in=[category, ""]).select_related("region", "department__region")
        if enterprise.region.path.startswith(rule.region.path)
    ]
    return sorted(candidates, key=rule_precedence, reverse=True)


def route_for(enterprise: Enterprise, category: str) -> Route:
    """The department of the best matching rule; without one, the command of the enterprise's town."""
    rules = matching_rules(enterprise, category)
    if rules:
        rule = rules[0]
        scope = rule.get_category_display() or "任意类别"
        return Route(rule.department, rule, f"按分派规则（{rule.region.name} · {scope}）分派至{rule.department}")
    return Route(None, None, f"无适用的分派规则，由{enterprise.town.name}指挥部承办")
