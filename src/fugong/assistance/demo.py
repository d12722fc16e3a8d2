"""Demo help for enterprises, on the seeds' figures (SPEC.md, "Help for enterprises (帮扶)"):
routing rules for the demo's departments (源城区's county rules, 高新区's street rules over them,
鹤山市 sending everything to its 工信局); 22 help requests of 高新区 enterprises across the
categories and states (Shawan collected 20+), two taken by the 12345 hotline, and 12 of 鹤山市
with most solved (Wutongqiao collected 12); positions of the labour-demand ledger whose open
positions total 980 in 高新区 (Shawan's count) at scale 1.

Dated relative to now, so response times, overdue flags and averages show live figures. Written
with bulk_create (fast); each part is skipped once it exists.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from fugong.accounts.models import Membership, User
from fugong.assistance.choices import Category, Channel, EventKind, PositionStatus, RequestStatus
from fugong.assistance.models import HandlingRecord, HelpRequest, Position, RoutingRule
from fugong.assistance.routing import route_for
from fugong.enterprises.choices import Sector
from fugong.enterprises.models import Enterprise
from fugong.regions.choices import DepartmentKind
from fugong.regions.models import Department

SEED = 20200218
HITECH_REQUESTS = 22
HESHAN_REQUESTS = 12
HITECH_OPEN_POSITIONS = 980
HESHAN_OPEN_POSITIONS = 260
ANSWER_HOURS = 48

REQUESTS: dict[str, list[tuple[str, str]]] = {
    Category.FINANCE: [("流动资金紧张，申请疫情专项贷款", "受疫情影响一季度订单延迟回款，工资和原材料款压力大，希望对接银行疫情专项贷款约300万元。"),
                       ("申请贷款延期还本", "有一笔500万元流动资金贷款3月到期，希望协调银行延期或续贷。")],
    Category.LOGISTICS: [("成品发往省外受阻", "发往湖南、江西的货车在高速卡口受阻，请协助办理重点物资运输通行证。"),
                         ("物流公司未复工，无法发货", "合作物流公司尚未复工，积压成品约40吨，请帮助对接已复工的物流企业。")],
    Category.RAW_MATERIALS: [("上游原材料供应商停产", "主要原材料（电子元器件）供应商在外省尚未复工，库存仅够7天，请协助对接替代供应商。"),
                             ("包装材料短缺", "纸箱、泡沫等包装材料断供，影响出货，请协助对接本地包装企业。")],
    Category.PROTECTIVE_SUPPLIES: [("急需口罩5000只", "按复工要求需储备7天用量的口罩，市场上采购不到，请协助调配5000只一次性医用口罩。"),
                                   ("缺少额温枪和消毒液", "门岗测温需额温枪4把，车间消毒需84消毒液200升，请协助采购渠道。")],
    Category.LABOUR: [("一线工人缺口较大", "外省员工未能返岗，一线缺工约80人，请协助招聘本地工人或对接劳务公司。"),
                      ("返岗员工包车接送", "湖南籍员工约30人希望点对点包车返岗，请协助联系包车和沿途手续。")],
    Category.UTILITIES: [("申请电费减免或缓缴", "停工期间仍按容量缴纳基本电费，请咨询阶段性减免政策并协助办理缓缴。"),
                         ("复工用气压力不足", "复工后天然气压力不足影响锅炉运行，请协调燃气公司检修。")],
    Category.APPROVALS: [("环评批复加快办理", "新生产线的环评报告已提交，请求走绿色通道加快审批以便扩产防疫物资。"),
                         ("营业执照经营范围变更", "拟转产口罩，需增加经营范围，请指导网上办理流程。")],
    Category.OTHER: [("员工子女托管问题", "学校延期开学，部分员工子女无人照看无法返岗，希望了解社区托管安排。"),
                     ("厂区周边道路封闭", "厂区门口道路因防疫临时封闭，货车无法进出，请协调开放通道。")],
}
ANSWERS: dict[str, str] = {
    Category.FINANCE: "已将企业需求推送至农商行和建设银行，客户经理将于两个工作日内上门对接，可申请疫情专项贷款（利率优惠）。",
    Category.LOGISTICS: "已为企业办理重点物资运输车辆通行证，并推荐两家已复工物流企业，联系方式已短信发送。",
    Category.RAW_MATERIALS: "已协调市内两家同类供应商，可先供应两周用量；外省供应商复工情况已请对方所在地商务部门协助。",
    Category.PROTECTIVE_SUPPLIES: "已从区防疫物资储备中调配，企业可凭通知到区工信局仓库领取，后续可通过平台对接口罩生产企业。",
    Category.LABOUR: "已将岗位信息纳入用工需求台账并推送至人社部门招聘平台，本周六组织专场招聘会。",
    Category.UTILITIES: "供电局已受理缓缴申请，疫情期间欠费不停供；阶段性降低用电成本政策按文件执行。",
    Category.APPROVALS: "已纳入绿色通道，材料齐全后三个工作日内办结，可通过政务服务网在线提交。",
    Category.OTHER: "已协调社区开放临时托管点，并安排专人对接企业。",
}
REOPEN_NOTES = ["银行尚未联系我们，问题还没有解决。", "推荐的供应商报价过高，仍需协调。"]
CALLERS = [("刘先生", "13902761234"), ("黄女士", "13760051234")]

POSITION_TITLES: dict[str, list[tuple[str, str, int, int]]] = {
    Sector.INDUSTRY: [("普工", "身体健康，能适应倒班", 3500, 5000), ("操作工", "初中以上学历，能吃苦耐劳", 3800, 5500),
                      ("电工", "持低压电工证", 5000, 7000), ("焊工", "持焊工证，2年以上经验", 5500, 8000),
                      ("质检员", "高中以上学历，细心", 4000, 5500), ("叉车司机", "持叉车证", 4500, 6000),
                      ("仓管员", "熟悉电脑操作", 3800, 5000), ("机修工", "熟悉注塑机维修", 5000, 7500)],
    Sector.SERVICES: [("客服专员", "普通话标准", 3500, 4500), ("保洁员", "", 2500, 3200), ("配送员", "有电动车", 4000, 6500)],
    Sector.RETAIL_HOTEL_CATERING: [("营业员", "", 3000, 4000), ("理货员", "", 3000, 3800), ("收银员", "会使用收银系统", 3000, 3800)],
    Sector.CONSTRUCTION: [("钢筋工", "有工地经验", 6000, 9000), ("木工", "", 6000, 9000), ("杂工", "", 4500, 6000)],
    Sector.RESTAURANT: [("厨师", "持健康证", 4500, 7000), ("服务员", "持健康证", 3000, 3800)],
    Sector.STREET_SHOP: [("店员", "", 2800, 3500)],
    Sector.REAL_ESTATE: [("置业顾问", "有销售经验优先", 4000, 10000)],
}
PER_POSITION = {Sector.INDUSTRY: (10, 60), Sector.CONSTRUCTION: (8, 40)}


def seed_assistance(places: dict[str, Any], scale: float = 1.0) -> dict[str, int]:
    """Routing rules, help requests and positions of the demo (each part skipped once it exists)."""
    rng = random.Random(SEED)
    counts: dict[str, int] = {}
    with transaction.atomic():
        if not RoutingRule.objects.exists():
            counts["rules"] = _rules(places)
    with transaction.atomic():
        if not HelpRequest.objects.exists():
            counts["requests"] = _requests(places, rng)
    with transaction.atomic():
        if not Position.objects.exists():
            counts["positions"] = _positions(places, rng, scale)
    return counts


def _department(region: Any, name: str, kind: str) -> Department:
    department, _ = Department.objects.get_or_create(region=region, name=name, defaults={"kind": kind})
    return department


def _rules(places: dict[str, Any]) -> int:
    yuancheng, hitech, heshan = places["yuancheng"], places["hitech"], places["heshan"]
    county = {name: _department(yuancheng, name, kind) for name, kind in (
        ("工信局", DepartmentKind.INDUSTRY), ("中小企业发展促进中心", DepartmentKind.SME), ("人社局", DepartmentKind.HR))}
    town = {name: _department(hitech, name, kind) for name, kind in (("经贸办", DepartmentKind.ECONOMY), ("工程办", DepartmentKind.ENGINEERING))}
    heshan_gxj = _department(heshan, "工信局", DepartmentKind.INDUSTRY)
    plan = [
        # 源城区's county rules …
        (yuancheng, Category.FINANCE, county["中小企业发展促进中心"], "县区版：融资对接由中小企业发展促进中心承办"),
        (yuancheng, Category.PROTECTIVE_SUPPLIES, county["工信局"], "县区版：防疫物资由工信局统筹调配"),
        (yuancheng, Category.LABOUR, county["人社局"], "县区版：用工由人社局承办"),
        (yuancheng, Category.RAW_MATERIALS, county["工信局"], "县区版"),
        # … and 高新区's street rules over them (the more specific region wins).
        (hitech, Category.FINANCE, town["经贸办"], "街道版：经贸办先行对接银行"),
        (hitech, Category.LOGISTICS, town["经贸办"], "街道版"),
        (hitech, Category.RAW_MATERIALS, town["经贸办"], "街道版"),
        (hitech, Category.APPROVALS, town["经贸办"], "街道版：绿色通道"),
        (hitech, Category.UTILITIES, town["工程办"], "街道版"),
        # 鹤山市: everything to its 工信局 (any category).
        (heshan, "", heshan_gxj, "鹤山市务工管理组：企业诉求统一由工信局分办"),
    ]
    RoutingRule.objects.bulk_create([RoutingRule(region=r, category=c, department=d, note=n) for r, c, d, n in plan])
    return len(plan)


def _requests(places: dict[str, Any], rng: random.Random) -> int:
    now = timezone.now()
    admin = User.objects.filter(username="admin").first()
    hitech_cmd = User.objects.filter(username="hitech_cmd").first()
    own = Membership.objects.filter(user__username="ent_admin").values_list("enterprise_id", flat=True).first()
    reviewers = {m.department_id: m.user for m in Membership.objects.filter(role="reviewer").select_related("user")}
    made: list[tuple[HelpRequest, list[HandlingRecord]]] = []
    # 高新区 (Shawan-like, 20+): most solved, a few waiting (two overdue), two sent back, two answered awaiting confirmation.
    hitech = list(Enterprise.objects.filter(town=places["hitech"]).select_related("region", "town").order_by("pk"))
    hitech_states = ([RequestStatus.CLOSED] * 14 + [RequestStatus.ANSWERED] * 3 + [RequestStatus.FILED] * 3 + [RequestStatus.REOPENED] * 2)
    heshan = list(Enterprise.objects.filter(region__path__startswith=places["heshan"].path).select_related("region", "town").order_by("pk"))
    heshan_states = [RequestStatus.CLOSED] * 10 + [RequestStatus.ANSWERED, RequestStatus.FILED]
    categories = list(Category)
    for group, enterprises, states in (("hitech", hitech, hitech_states), ("heshan", heshan, heshan_states)):
        if not enterprises:
            continue
        for index, status in enumerate(states):
            # ent_admin's enterprise has one solved and one answered, waiting for its confirmation.
            mine = next((e for e in enterprises if e.pk == own), None) if group == "hitech" and index in (0, 15) else None
            enterprise = mine or rng.choice(enterprises)
            category = categories[index % len(categories)]
            hotline = group == "hitech" and index in (3, 18)
            made.append(_request(enterprise, category, status, rng, now, hotline=hotline, reviewers=reviewers,
                                 officer=hitech_cmd if group == "hitech" else admin, overdue=group == "hitech" and index in (17, 19)))
    HelpRequest.objects.bulk_create([request for request, _ in made])
    for request, events in made:
        for event in events:
            event.request = request
    HandlingRecord.objects.bulk_create([event for _, events in made for event in events])
    return len(made)


def _request(enterprise: Enterprise, category: str, status: str, rng: random.Random, now: Any, *, hotline: bool, reviewers: dict[int, Any],
             officer: Any, overdue: bool) -> tuple[HelpRequest, list[HandlingRecord]]:
    title, description = rng.choice(REQUESTS[category])
    route = route_for(enterprise, category)
    answerer = reviewers.get(route.department.pk) if route.department else None
    answerer = answerer or officer
    # Filed within the last ten days; waiting ones recently (or long ago: overdue).
    if status == RequestStatus.FILED:
        filed = now - timedelta(hours=rng.randint(60, 90) if overdue else rng.randint(1, 30))
    else:
        filed = now - timedelta(hours=rng.randint(72, 240))
    caller = rng.choice(CALLERS) if hotline else ("", "")
    request = HelpRequest(enterprise=enterprise, category=category, title=title, description=description,
                          channel=Channel.HOTLINE if hotline else Channel.ONLINE, caller_name=caller[0], caller_phone=caller[1],
                          department=route.department, routing_rule=route.rule, route_note=route.note, status=status, filed_at=filed,
                          answer_due_at=filed + timedelta(hours=ANSWER_HOURS), created_by=officer if hotline else None)
    events = [HandlingRecord(kind=EventKind.FILED, at=filed, text=f"12345 热线来电登记（来电人：{caller[0]}）" if hotline else ""),
              HandlingRecord(kind=EventKind.ROUTED, at=filed, text=route.note)]
    if status == RequestStatus.FILED:
        return request, events
    answered = filed + timedelta(hours=rng.randint(2, 40), minutes=rng.randint(0, 59))
    answer = ANSWERS[category]
    request.first_answered_at = request.answered_at = answered
    request.response_seconds = int((answered - filed).total_seconds())
    request.answered_by, request.answer = answerer, answer
    events.append(HandlingRecord(kind=EventKind.ANSWERED, at=answered, actor=answerer, text=answer))
    if status == RequestStatus.REOPENED:
        sent_back = answered + timedelta(hours=rng.randint(3, 20))
        request.reopen_count = 1
        request.answer_due_at = sent_back + timedelta(hours=ANSWER_HOURS)
        events.append(HandlingRecord(kind=EventKind.REOPENED, at=sent_back, text=rng.choice(REOPEN_NOTES)))
    elif status == RequestStatus.CLOSED:
        closed = answered + timedelta(hours=rng.randint(2, 48))
        request.closed_at = min(closed, now)
        request.resolution_seconds = int((request.closed_at - filed).total_seconds())
        events.append(HandlingRecord(kind=EventKind.CONFIRMED, at=request.closed_at, text=""))
    return request, events


def _positions(places: dict[str, Any], rng: random.Random, scale: float) -> int:
    today = timezone.localdate()
    rows: list[Position] = []
    own = Membership.objects.filter(user__username="ent_admin").values_list("enterprise_id", flat=True).first()
    for town_q, target in ((places["hitech"].path, HITECH_OPEN_POSITIONS), (places["heshan"].path, HESHAN_OPEN_POSITIONS)):
        enterprises = list(Enterprise.objects.filter(region__path__startswith=town_q).order_by("pk"))
        if not enterprises:
            continue
        hiring = [e for e in enterprises if e.pk == own] + rng.sample(enterprises, k=max(1, len(enterprises) * 2 // 5))
        remaining = max(1, round(target * scale))
        index = 0
        while remaining > 0:
            enterprise = hiring[index % len(hiring)]
            index += 1
            titles = POSITION_TITLES.get(enterprise.sector, POSITION_TITLES[Sector.SERVICES])
            title, skills, wage_min, wage_max = rng.choice(titles)
            low, high = PER_POSITION.get(enterprise.sector, (2, 10))
            count = rng.randint(low, high)
            roll = rng.random()
            status = PositionStatus.OPEN if roll < 0.85 else PositionStatus.PAUSED if roll < 0.93 else PositionStatus.CLOSED
            filled = rng.randint(0, count // 3) if status != PositionStatus.CLOSED else count
            if status == PositionStatus.OPEN:
                if count - filled > remaining:  # the last one brings the total exactly to the target
                    filled = count - remaining
                remaining -= count - filled
            matched = min(count, filled + rng.randint(0, max(count // 4, 1)))
            rows.append(Position(
                enterprise=enterprise, title=title, count=count, skills=skills, start_date=today + timedelta(days=rng.randint(-10, 14)),
                end_date=today + timedelta(days=rng.randint(20, 60)) if rng.random() < 0.7 else None,
                wage_min=wage_min if rng.random() < 0.8 else None, wage_max=wage_max if rng.random() < 0.8 else None,
                contact_name=enterprise.contact_name, contact_phone=enterprise.contact_phone, status=status,
                matched_count=matched, filled_count=filled,
            ))
    Position.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
