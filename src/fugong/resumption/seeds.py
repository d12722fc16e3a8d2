"""The two routing variants of SPEC.md as data. The county variant is installed everywhere by a
data migration; the street variant is attached to a street by the admin (the demo does it for
高新区)."""

from __future__ import annotations

from typing import Any

# (sector, size, in_park, chain, priority, note)
Rule = tuple[str, str, bool | None, list[str], int, str]

COUNTY_VARIANT: list[Rule] = [
    ("", "above", None, ["industry"], 0, "规上企业 → 工信局"),
    ("", "below", None, ["sme"], 0, "规下企业 → 中小企业发展促进中心"),
    ("coal", "", None, ["emergency", "energy"], 10, "煤炭（含洗煤）→ 应急管理局初审 → 能源局"),
    ("hazchem", "", None, ["emergency", "industry"], 10, "危化品 → 应急管理局初审 → 工信局"),
]

STREET_VARIANT: list[Rule] = [
    ("industry", "above", None, ["economy"], 0, "规上工业 → 经贸办"),
    ("industry", "below", None, ["safety"], 0, "规下工业 → 安监办"),
    ("retail", "", None, ["economy"], 0, "批发零售住宿餐饮 → 经贸办"),
    ("services", "", None, ["economy"], 0, "服务业 → 经贸办"),
    ("", "", True, ["park", "economy"], 5, "园区、写字楼入驻企业 → 园区运营方 → 经贸办"),
    ("real_estate", "", None, ["engineering"], 0, "售楼处、中介、开发商 → 工程办"),
    ("construction", "", None, ["engineering"], 0, "建筑工地 → 工程办"),
    ("street_shop", "", None, ["community"], 0, "沿街商铺 → 网格及社区居委会"),
    ("restaurant", "", None, ["food_safety", "community"], 0, "餐饮 → 食安办会同社区"),
]

VARIANTS: dict[str, list[Rule]] = {"县区版": COUNTY_VARIANT, "街道版": STREET_VARIANT}


def install(rule_model: Any, *, variant: str, region: Any = None) -> int:
    """Create the variant's rules for ``region`` (everywhere when None) unless they exist."""
    if rule_model.objects.filter(region=region, variant=variant).exists():
        return 0
    rules = [rule_model(region=region, variant=variant, sector=s, size=z, in_park=p, chain=c, priority=pr, note=n)
             for s, z, p, c, pr, n in VARIANTS[variant]]
    rule_model.objects.bulk_create(rules)
    return len(rules)
