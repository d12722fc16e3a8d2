"""The schemes of the seed notices as data (SPEC.md, "Help for enterprises"):

- 河源高新区 (seed 004): "实行非疫情重点区返回员工按不同时间段补助300元/人或200元/人，老员工带新员工
  奖励300元/每介绍一人；新入职员工工作满3个月的，一次性给予生活补助300元，一次性给予交通费补贴，
  补贴标准为河源市内100元/人，广东省内、河源市外200元/人，广东省外300元/人（并可与市有关政策叠加享受）".
- 秀洲国家高新区 (seed 003): "对园区内承租企业实行‘2月租金全免，三、四月租金减半’政策".

The notices give the amounts, not the dates of the return bands: the cut-off and the period are
arguments (the demo dates them relative to today, a county enters its own in the admin).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fugong.regions.models import Region
from fugong.subsidies.calculation import add_months
from fugong.subsidies.choices import RuleKind
from fugong.subsidies.models import SubsidyRule, SubsidyScheme

HEYUAN_BASIS = ("河源市高新区疫情防控和复工复产工作情况（2020年3月）：实行非疫情重点区返回员工按不同时间段补助300元/人或200元/人，"
                "老员工带新员工奖励300元/每介绍一人；新入职员工工作满3个月的，一次性给予生活补助300元，一次性给予交通费补贴，"
                "补贴标准为河源市内100元/人，广东省内、河源市外200元/人，广东省外300元/人（并可与市有关政策叠加享受）。")
RENT_BASIS = ("秀洲区小微企业园复工复产经验（2020年）：秀洲国家高新区国资小微企业园对园区内承租企业实行“2月租金全免，"
              "三、四月租金减半”政策，为园区内小微企业复工保驾护航。")


def heyuan_rules(*, cutoff: date, last_return: date) -> list[dict[str, Any]]:
    """Heyuan's four rules: the return bonus by return period (by ``cutoff`` → 300, later until
    ``last_return`` → 200), the referral bonus, the retention bonus after 3 months and the travel
    subsidy by origin (for new hires, as the notice says)."""
    return [
        {"kind": RuleKind.RETURN_BY_DATE, "name": "返岗补助", "order": 1,
         "description": "非疫情重点地区返岗员工，按返岗时段补助",
         "params": {"bands": [{"until": cutoff.isoformat(), "amount": "300"}, {"until": last_return.isoformat(), "amount": "200"}],
                    "exclude_origins": ["local_not_away"], "exclude_key_area": True}},
        {"kind": RuleKind.REFERRAL, "name": "老员工介绍新员工奖励", "order": 2, "description": "每介绍一名新员工入职奖励300元",
         "params": {"amount": "300"}},
        {"kind": RuleKind.RETENTION, "name": "新员工稳岗生活补助", "order": 3, "description": "新入职员工工作满3个月，一次性补助300元",
         "params": {"amount": "300", "months": 3}},
        {"kind": RuleKind.TRAVEL, "name": "新员工交通补贴", "order": 4,
         "description": "河源市内100元，广东省内、河源市外200元，广东省外300元",
         "params": {"amounts": {"local_not_away": "100", "same_city_other_district": "100", "other_city_same_province": "200",
                                "other_province": "300"},
                    "new_hires_only": True, "exclude_key_area": True}},
    ]


def rent_rules(*, first_month: date) -> list[dict[str, Any]]:
    """Xiuzhou's rent waiver: the first month free, the next two at half."""
    months = [add_months(first_month.replace(day=1), n) for n in range(3)]
    return [{"kind": RuleKind.RENT_WAIVER, "name": "园区租金减免", "order": 1, "description": "首月租金全免，其后两个月减半",
             "params": {"months": [{"month": f"{months[0]:%Y-%m}", "fraction": "1"}, {"month": f"{months[1]:%Y-%m}", "fraction": "0.5"},
                                   {"month": f"{months[2]:%Y-%m}", "fraction": "0.5"}]}}]


def scheme_create(*, region: Region, name: str, period: tuple[date, date], legal_basis: str, rules: list[dict[str, Any]],
                  park_tenants_only: bool = False, note: str = "", created_by: Any = None) -> SubsidyScheme:
    """A scheme with its rules, each rule's params checked (``SubsidyRule.clean``)."""
    scheme = SubsidyScheme.objects.create(region=region, name=name, period_start=period[0], period_end=period[1], legal_basis=legal_basis,
                                          park_tenants_only=park_tenants_only, note=note, created_by=created_by)
    built = [SubsidyRule(scheme=scheme, created_by=created_by, **rule) for rule in rules]
    for rule in built:
        rule.clean()
    SubsidyRule.objects.bulk_create(built)
    return scheme
