"""Demo resumption applications, played through the real services on a simulated clock.

Every application of the demo is a small story (drafting over two sittings, submission, the
routed review, returns and resubmissions, on-site acceptance with rectification, the notice,
a suspension) told by the same services the pages call, so the review steps, submissions,
notices, inspections and the audit chain are exactly what the platform itself would have
written. The stories are merged on one timeline (Feb–Mar 2020, the seeds' period) and played in
date order, with ``django.utils.timezone.now`` answering the simulated moment, so numbers,
notices and audit entries come out in the order the events happened.

Scale (SPEC.md, "Dashboards"): 高新区 above-scale enterprises resume almost all (Heyuan 97.1 %);
鹤山市's essential-supply enterprises resume early with the county's approval (38 of its 57
enterprises resumed by 12 Feb were essential ones), scaled to the demo's 275 enterprises.
"""

from __future__ import annotations

import heapq
import io
import itertools
import math
import random
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership, Notification, User
from fugong.enterprises.choices import Sector, Size
from fugong.enterprises.models import Enterprise
from fugong.inspections import services as inspections
from fugong.inspections.choices import RectificationStatus, Result, TemplateKind
from fugong.inspections.models import ChecklistItem, Inspection, RectificationItem
from fugong.policy.decisions import masks_needed
from fugong.policy.parameters import SHANGHAI
from fugong.policy.services import current
from fugong.regions.models import Department
from fugong.resumption import services
from fugong.resumption.choices import AttachmentKind, Decision, MaterialItem, Origin, Stage, Status
from fugong.resumption.models import Application

# The story's "today": nothing of the simulated past happens after it.
DEMO_TODAY = datetime(2020, 3, 12, 18, 0, tzinfo=SHANGHAI)
GENERAL_START = date(2020, 2, 10)  # the seeds' earliest resumption date for ordinary enterprises

# -- a simulated clock ----------------------------------------------------------------------------


@dataclass
class SimulatedClock:
    now: datetime


@contextmanager
def simulated_time(clock: SimulatedClock) -> Iterator[SimulatedClock]:
    """Make ``timezone.now()`` (and so ``localdate()``, ``auto_now`` fields and the audit log)
    answer ``clock.now`` while the demo's past is played. Only the demo seeding uses this, in
    one thread, before any request is served."""
    original = timezone.now
    timezone.now = lambda: clock.now.astimezone(UTC)  # type: ignore[assignment]  # aware UTC, as Django's own
    try:
        yield clock
    finally:
        timezone.now = original  # type: ignore[assignment]


@dataclass(order=True)
class Event:
    at: datetime
    seq: int
    action: Callable[[], None] = field(compare=False)


class Timeline:
    """Events of every story, played in date order; an event may schedule later ones."""

    def __init__(self) -> None:
        self.heap: list[Event] = []
        self.counter = itertools.count()
        self.clock = SimulatedClock(DEMO_TODAY)

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self.heap, Event(min(when, DEMO_TODAY), next(self.counter), action))

    def play(self) -> None:
        with simulated_time(self.clock):
            while self.heap:
                event = heapq.heappop(self.heap)
                self.clock.now = event.at
                event.action()


# -- small generated files --------------------------------------------------------------------------


def _pdf(title: str) -> bytes:
    """A valid one-page PDF (a few hundred bytes): enough for the upload checks and a viewer."""
    stream = f"BT /F1 14 Tf 72 770 Td ({title}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _png(width: int = 32, height: int = 24, rgb: tuple[int, int, int] = (170, 170, 160)) -> bytes:
    """A small solid-colour PNG standing in for a photo taken on site."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


ATTACHMENT_PDF = _pdf("Fugong demo attachment")
PHOTO_PNG = _png()
ATTACHMENT_NAMES = {
    AttachmentKind.PREVENTION_PLAN: "疫情防控实施方案.pdf",
    AttachmentKind.EMERGENCY_PLAN: "疫情防控应急预案.pdf",
    AttachmentKind.COMMITMENT: "复工复产承诺书（盖章）.pdf",
    AttachmentKind.BUS_LIST: "通勤班车车辆及乘车人员清单.pdf",
    AttachmentKind.RISK_ASSESSMENT: "复工风险评估表.pdf",
}


def upload(kind: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(ATTACHMENT_NAMES[AttachmentKind(kind)], ATTACHMENT_PDF, content_type="application/pdf")


# -- what enterprises write -------------------------------------------------------------------------

PRODUCTION = {
    Sector.INDUSTRY: "复工首周开 {lines} 条生产线，产能恢复至 {share}%，优先保障在手订单交付；第二周视员工返岗情况逐步满产。",
    Sector.CONSTRUCTION: "先行开展场地清理和安全隐患排查，第二周恢复主体结构施工；施工人员分班作业，工地实行封闭管理。",
    Sector.REAL_ESTATE: "售楼处实行预约看房，每批不超过 5 人，现场不举办聚集性活动；中介门店单人值守。",
    Sector.RETAIL_HOTEL_CATERING: "营业时间调整为 9:00—18:00，入口测温登记，按每 10 平方米 1 人限流。",
    Sector.SERVICES: "员工分批到岗，其余居家办公；物流车辆进出登记、消毒。",
    Sector.STREET_SHOP: "门店单人值守，顾客排队间隔 1 米以上，不在店内逗留。",
    Sector.RESTAURANT: "暂停堂食，只做外卖和打包；后厨人员每日两次测温，餐具每餐消毒。",
}
MATERIALS = {
    Sector.INDUSTRY: "主要原材料库存可满足 {days} 天生产，供应商已确认 2 月下旬恢复供货。",
    Sector.CONSTRUCTION: "钢筋、水泥库存可用 {days} 天，商品混凝土站已复工。",
    Sector.RESTAURANT: "食材由定点供应商配送，供应商已取得复工批准。",
}
LOGISTICS = "物流车辆固定司机、固定线路，进厂测温登记并消毒；外来车辆在指定区域卸货，司机不下车。"
RISK = "返岗人员按来源地分类管控：本地员工首批返岗，市外人员返回后单人单间隔离 14 天；重点地区人员暂不返岗。"
DISINFECTION = "办公区、车间、食堂、宿舍、卫生间每日消毒不少于两次，电梯按钮、门把手每 2 小时擦拭一次，消毒记录专人登记。"
COMMUTING = "提倡自驾或步行上下班；外地员工点对点返岗，车程不超过 6 小时，途中全程佩戴口罩。"
CANTEEN = "食堂错峰分三批就餐，单向就座、间隔 1 米以上，餐具和桌椅每餐消毒。"
DORMITORY = "宿舍每间不超过 {per_room} 人，出入登记，外来人员不得进入，每日通风两次、公共区域消毒。"
BUS = "班车固定乘客、分散就座，上车测温登记，车上备用口罩，每趟次消毒。"
OBSERVATION = ["厂区东北角一楼独立房间", "办公楼一楼 103 室", "门卫室旁独立板房", "宿舍楼一楼西侧单间", "仓库旁独立房间"]

DEPARTMENT_APPROVALS = ["经审核，复工方案和防控措施符合要求，同意上报。", "材料齐全，防控物资储备满足要求，同意。",
                        "返岗人员台账清楚，同意上报镇街指挥部。", "同意。请企业严格落实“一人一档”和每日两次测温。"]
TOWN_APPROVALS = ["同意，请网格员安排现场验收。", "同意复工申请，待现场验收合格后发放复工通知书。", "经研究同意，请属地网格组织验收。"]
COUNTY_APPROVALS = ["属保障类企业，同意提前复工，请严格落实防控措施。", "同意提前复工。请每日 9 时前报送员工健康情况。"]
RETURNS = [
    "防控实施方案未明确错峰就餐安排，请补充食堂措施后重新提交。",
    "返岗人员中有外省员工，请在返岗计划中单列并说明隔离安排。",
    "应急预案缺少发热员工的转运流程和联系人，请补充。",
    "宿舍安排请附楼层平面图，并写明每间入住人数。",
    "隔离观察室位置不明确，请写明具体房间并配齐防护服、护目镜。",
]
REJECTIONS = [
    "该项目尚未取得施工许可，暂不具备复工条件，不予批准。",
    "门店位于居民楼底层，无法实行封闭管理，暂不予批准，请待疫情缓解后再行申请。",
    "经核查企业已于去年停业，不予批准。",
]
SUSPENSIONS = [
    "2月下旬巡查发现员工宿舍每间住 6 人，超过每间 4 人上限，且未落实出入登记，责令停工整改。",
    "一名返岗员工体温 37.8℃ 未及时报告，责令停工全面消毒并排查密切接触者。",
    "巡查发现门岗测温点无人值守、外来人员未登记进入，责令停工整改。",
]
REINSTATEMENT = "整改到位，经网格员复查合格，准予复产。"
# Acceptance items (by order in the 11-item list) that fail in the demo, with what the inspector wrote and the enterprise's answer.
FINDINGS = {
    4: ("门口测温点无专人值守", "已安排两名保安轮班值守测温点，并建立值班表。"),
    5: ("口罩实际库存少于申报数量，不足 7 天用量", "已补购口罩 2000 只，库存台账已更新。"),
    6: ("外来车辆进出未登记", "门岗已设车辆登记本，外来车辆一律登记、测温、消毒后进入。"),
    7: ("消毒记录不全，缺近两日记录", "已指定行政专人负责消毒并每日登记，补齐记录。"),
    8: ("车间内部分员工未佩戴口罩", "已组织全员培训，班组长每班检查口罩佩戴。"),
    9: ("未设置废弃口罩专用回收桶", "已在各出入口和车间设置加盖专用回收桶，每日两次清运。"),
    11: ("隔离观察室未配备医药箱和护目镜", "观察室已配齐医药箱、护目镜和防护服。"),
}
PASS_OPINIONS = ["经现场验收，各项防控措施落实到位，同意复工。", "现场核查与申报材料一致，防控物资充足，验收合格。"]


# -- the stories ----------------------------------------------------------------------------------------

# What happens to one enterprise. "approved*" end approved with a notice.
APPROVED = "approved"
APPROVED_EARLY = "approved_early"  # essential supply, before the general date, with the county's approval
APPROVED_AFTER_RECTIFICATION = "approved_after_rectification"
APPROVED_AFTER_RETURN = "approved_after_return"
SUSPENDED = "suspended"
REINSTATED = "reinstated"
INSPECTION = "inspection"
INSPECTION_FAILED = "inspection_failed"
COUNTY_REVIEW = "county_review"
TOWN_REVIEW = "town_review"
DEPARTMENT_REVIEW = "department_review"
RETURNED = "returned"
REJECTED = "rejected"
DRAFT = "draft"
PENDING = {INSPECTION, INSPECTION_FAILED, COUNTY_REVIEW, TOWN_REVIEW, DEPARTMENT_REVIEW, RETURNED, DRAFT}


@dataclass
class Cast:
    """Who acts: reviewers by department, command officers by region, grid officers by grid,
    the admin of each enterprise."""

    reviewers: dict[int, User]
    commands: dict[int, User]
    grid_officers: dict[int, User]
    admins: dict[int, User]
    checklists: dict[tuple[Any, ...], list[ChecklistItem]] = field(default_factory=dict)

    def items_of(self, inspection: Inspection) -> list[ChecklistItem]:
        """The checklist items that apply to the enterprise (read once per kind of enterprise)."""
        e = inspection.enterprise
        key = (inspection.template_id, e.has_canteen, e.has_dormitory, e.has_shuttle_bus)
        if key not in self.checklists:
            self.checklists[key] = inspections.applicable_items(inspection.template, e)
        return self.checklists[key]

    def decider(self, step: Any) -> User:
        if step.stage == Stage.DEPARTMENT:
            return self.reviewers[step.department_id]
        return self.commands[step.region_id]

    def command_over(self, enterprise: Enterprise) -> User:
        return self.commands[enterprise.town_id]

    @staticmethod
    def signature(user: User) -> str:
        """The inspector's name as signed: "沙坪第2网格网格员 李伟" signs "李伟"."""
        name = user.display_name.split(" ")[-1]
        return user.display_name if name.endswith(("长", "员")) else name


@dataclass
class Story:
    enterprise: Enterprise
    plot: str
    planned_start: datetime
    rng: random.Random
    cast: Cast
    timeline: Timeline
    application: Application | None = None

    @property
    def admin(self) -> User:
        return self.cast.admins[self.enterprise.pk]

    # -- drafting -------------------------------------------------------------------------
    def tell(self) -> None:
        """Put the story's first events on the timeline; each event schedules what follows it."""
        rng = self.rng
        if self.plot == DRAFT:
            self.timeline.at(DEMO_TODAY - timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 8)), self.first_sitting)
            return
        submit = self.planned_start - timedelta(hours=rng.randint(50, 84))
        if self.plot in PENDING:  # filed a few days ago, still on its way
            submit = min(submit, DEMO_TODAY - timedelta(hours=rng.randint(30, 80)))
        second_sitting = submit - timedelta(hours=rng.randint(2, 30))
        if self.plot != APPROVED:  # the plain approvals are written in one sitting: the demo stays quick to build
            self.timeline.at(second_sitting - timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 6)), self.first_sitting)
        self.timeline.at(second_sitting, self.second_sitting)
        self.timeline.at(submit, self.submit)

    def first_sitting(self) -> None:
        """The enterprise opens its application and writes what it knows already."""
        self.application = services.application_start(enterprise=self.enterprise, acting_user=self.admin)
        data, reserves, plan = self.content()
        partial = {key: data[key] for key in ("planned_start", "production_plan", "leadership_head", "commuting_measures")}
        if self.plot == DRAFT:
            # Left half done: no attachments, the observation room not set up yet, masks still being bought.
            partial |= {"disinfection_measures": data["disinfection_measures"], "risk_assessment": data["risk_assessment"]}
            reserves = {**reserves, MaterialItem.MASK: reserves[MaterialItem.MASK] // 3}
        self.application = services.application_save(application=self.application, acting_user=self.admin, data=partial,
                                                     reserves=reserves, return_plan=plan)

    def second_sitting(self) -> None:
        """Everything else, and the documents."""
        if self.application is None:
            self.application = services.application_start(enterprise=self.enterprise, acting_user=self.admin)
        data, reserves, plan = self.content()
        self.application = services.application_save(application=self.application, acting_user=self.admin, data=data,
                                                     reserves=reserves, return_plan=plan)
        kinds = [AttachmentKind.PREVENTION_PLAN, AttachmentKind.EMERGENCY_PLAN, AttachmentKind.COMMITMENT]
        if data["shuttle_bus_count"]:
            kinds.append(AttachmentKind.BUS_LIST)
        for kind in kinds:
            services.attachment_add(application=self.application, kind=kind, upload=upload(kind), acting_user=self.admin)

    def content(self) -> tuple[dict[str, Any], dict[str, int], list[tuple[date, str, int]]]:
        """The form as this enterprise fills it in: deterministic for the enterprise."""
        e = self.enterprise
        rng = random.Random(f"{e.uscc}:{self.planned_start.isoformat()}")
        early = self.plot == APPROVED_EARLY
        share = rng.uniform(0.35, 0.6) if early else rng.uniform(0.6, 0.95)
        returning = max(2, round(e.headcount * share))
        special = ""
        if early:
            special = f"保障类企业（{e.get_essential_category_display()}），申请于一般企业复工时间前提前复工，保障供应。"
        elif self.plot == COUNTY_REVIEW:
            special = f"保障类企业（{e.get_essential_category_display()}），新增生产线，申请员工三班倒连续生产，需县区指挥部批准。"
        day = self.planned_start.date()
        local = max(1, round(returning * e.local_staff_percent / 100))
        others = returning - local
        same_city = round(others * 0.45)
        other_city = round(others * 0.3)
        other_province = others - same_city - other_city
        plan: list[tuple[date, str, int]] = [(day, Origin.LOCAL, local), (day, Origin.SAME_CITY, same_city),
                (day + timedelta(days=rng.randint(1, 3)), Origin.OTHER_CITY, other_city),
                (day + timedelta(days=rng.randint(4, 7)), Origin.OTHER_PROVINCE, other_province)]
        masks_needed = returning * 7
        reserves: dict[str, int] = {
            MaterialItem.MASK: int(math.ceil(masks_needed * rng.uniform(1.1, 2.2) / 100) * 100),
            MaterialItem.GLOVES: returning * rng.randint(2, 5),
            MaterialItem.SUIT: max(2, returning // 60),
            MaterialItem.GOGGLES: max(2, returning // 60),
            MaterialItem.THERMOMETER: max(2, returning // 40 + 2),
            MaterialItem.ALCOHOL: max(5, returning // 10),
            MaterialItem.DISINFECTANT: max(10, returning // 5),
            MaterialItem.SPRAYER: max(1, returning // 100),
        }
        residents = rooms = 0
        per_room = rng.choice([2, 3, 4])
        if e.has_dormitory:
            residents = max(4, round(returning * rng.uniform(0.3, 0.6)))
            rooms = math.ceil(residents / per_room)
        buses = min(6, max(1, returning // 250)) if e.has_shuttle_bus else 0
        sector = Sector(e.sector)
        data: dict[str, Any] = {
            "planned_start": self.planned_start,
            "production_plan": PRODUCTION.get(sector, PRODUCTION[Sector.SERVICES]).format(lines=rng.randint(2, 8),
                                                                                           share=rng.choice([50, 60, 70, 80])),
            "raw_materials": MATERIALS.get(sector, "经营所需物资库存可用 {days} 天。").format(days=rng.randint(10, 30)),
            "logistics": LOGISTICS,
            "orders_on_hand": sector == Sector.INDUSTRY,
            "equipment_checked": True,
            "risk_assessment": RISK,
            "disinfection_measures": DISINFECTION,
            "commuting_measures": COMMUTING,
            "leadership_head": e.legal_representative,
            "leadership_members": f"{e.contact_name}（防疫专员，负责测温登记和日报）；行政部（物资储备、消毒）；人事部（返岗人员台账、花名册）",
            "canteen_measures": CANTEEN if e.has_canteen else "",
            "dormitory_rooms": rooms,
            "dormitory_residents": residents,
            "dormitory_measures": DORMITORY.format(per_room=per_room) if residents else "",
            "shuttle_bus_count": buses,
            "shuttle_bus_measures": BUS if buses else "",
            "observation_room": True,
            "observation_room_location": rng.choice(OBSERVATION),
            "observation_single_room": True,
            "observation_suits": True,
            "observation_goggles": True,
            "observation_medical_kit": True,
            "commitment_signed": True,
            "special_reason": special,
        }
        return data, reserves, plan

    # -- submission and review ------------------------------------------------------------
    def submit(self) -> None:
        assert self.application is not None
        self.application = services.application_submit(application=self.application, acting_user=self.admin, at=timezone.now())
        self.timeline.at(timezone.now() + timedelta(hours=self.rng.randint(2, 20)), self.review)

    def stops_at(self, step: Any) -> bool:
        """Whether the story leaves the application waiting at this step."""
        if self.plot == DEPARTMENT_REVIEW:
            return step.stage == Stage.DEPARTMENT and (step.order > 1 or self.rng.random() < 0.6 or not self._more_departments(step))
        return (self.plot == TOWN_REVIEW and step.stage == Stage.TOWN) or (self.plot == COUNTY_REVIEW and step.stage == Stage.COUNTY)

    def _more_departments(self, step: Any) -> bool:
        return step.application.steps.filter(round=step.round, stage=Stage.DEPARTMENT, order__gt=step.order).exists()

    def review(self) -> None:
        """The step now open is decided, by the reviewer or command officer it belongs to."""
        assert self.application is not None
        step = services.pending_step(self.application)
        if step is None or self.stops_at(step):
            return
        first_round = self.application.submission_count == 1
        if self.plot in (RETURNED, APPROVED_AFTER_RETURN) and first_round and (step.stage == Stage.TOWN or self.rng.random() < 0.5):
            decision, comment = Decision.RETURN, self.rng.choice(RETURNS)
        elif self.plot == REJECTED and (step.stage == Stage.TOWN or self.rng.random() < 0.5):
            decision, comment = Decision.REJECT, self.rng.choice(REJECTIONS)
        else:
            pool = {Stage.DEPARTMENT: DEPARTMENT_APPROVALS, Stage.TOWN: TOWN_APPROVALS, Stage.COUNTY: COUNTY_APPROVALS}[Stage(step.stage)]
            decision, comment = Decision.APPROVE, self.rng.choice(pool)
        self.application = services.review_decide(application=self.application, decision=decision, comment=comment,
                                                  acting_user=self.cast.decider(step))
        later = timezone.now() + timedelta(hours=self.rng.randint(2, 16))
        status = self.application.status
        if status == Status.RETURNED and self.plot == APPROVED_AFTER_RETURN:
            self.timeline.at(timezone.now() + timedelta(hours=self.rng.randint(16, 30)), self.revise)
        elif status in (Status.DEPARTMENT_REVIEW, Status.TOWN_REVIEW, Status.COUNTY_REVIEW):
            self.timeline.at(later, self.review)
        elif status == Status.INSPECTION and self.plot != INSPECTION:
            self.timeline.at(later, self.inspect)

    def revise(self) -> None:
        """After a return: the enterprise adds what was asked for, moves its date if it must, and files again."""
        assert self.application is not None
        resubmit = timezone.now() + timedelta(hours=self.rng.randint(1, 3))
        earliest = (resubmit + timedelta(hours=60)).astimezone(SHANGHAI)
        if self.planned_start < earliest:
            self.planned_start = datetime.combine(earliest.date() + timedelta(days=1), self.planned_start.timetz())
        data, reserves, plan = self.content()
        data["canteen_measures"] = data["canteen_measures"] or "无食堂，员工自带午餐在工位分散就餐。"
        data["leadership_members"] += "；发热员工由防疫专员陪同、经观察室转送定点医院（联系人见应急预案）"
        self.application = services.application_save(application=self.application, acting_user=self.admin, data=data,
                                                     reserves=reserves, return_plan=plan)
        services.attachment_add(application=self.application, kind=AttachmentKind.OTHER,
                                upload=SimpleUploadedFile("补充说明.pdf", ATTACHMENT_PDF, content_type="application/pdf"), acting_user=self.admin)
        self.timeline.at(resubmit, self.submit)

    # -- acceptance ---------------------------------------------------------------------------
    def inspect(self) -> None:
        """The grid officer goes through the 11 items on site; a failed first visit leaves rectification items."""
        assert self.application is not None
        officer = self.cast.grid_officers[self.enterprise.region_id]
        first_visit = not self.application.inspections.exists()
        failing = first_visit and self.plot in (APPROVED_AFTER_RECTIFICATION, INSPECTION_FAILED)
        inspection = inspections.inspection_start(enterprise=self.enterprise, kind=TemplateKind.ACCEPTANCE, acting_user=officer,
                                                  application=self.application)
        items = self.cast.items_of(inspection)
        failed = set(self.rng.sample(sorted(FINDINGS), self.rng.randint(1, 3))) if failing else set()
        results: dict[int, tuple[str, str]] = {item.pk: (Result.FAIL, FINDINGS[item.order][0]) if item.order in failed else (Result.PASS, "") for item in items}
        inspections.inspection_record(inspection=inspection, results=results, acting_user=officer)
        for item in items:
            if item.order in failed:
                inspections.photo_add(inspection=inspection, item_id=item.pk, acting_user=officer,
                                      upload=SimpleUploadedFile("现场照片.png", PHOTO_PNG, content_type="image/png"))
        opinion = f"现场验收发现 {len(failed)} 项问题，责令限期整改后复查。" if failed else self.rng.choice(PASS_OPINIONS)
        inspections.inspection_complete(inspection=inspection, opinion=opinion, signed_name=self.cast.signature(officer), acting_user=officer)
        self.application = Application.objects.select_related("enterprise").get(pk=self.application.pk)
        if failed:
            self.timeline.at(timezone.now() + timedelta(hours=self.rng.randint(18, 40)), lambda: self.rectify(inspection))
        elif self.plot in (SUSPENDED, REINSTATED):
            self.timeline.at(timezone.now() + timedelta(days=self.rng.randint(6, 12), hours=self.rng.randint(1, 8)), self.suspend)

    def rectify(self, inspection: Inspection) -> None:
        """The enterprise reports what it put right; for the finished stories the officer verifies and comes back."""
        officer = self.cast.grid_officers[self.enterprise.region_id]
        rectifications = list(RectificationItem.objects.filter(inspection=inspection).order_by("pk"))
        finished = self.plot == APPROVED_AFTER_RECTIFICATION
        for number, item in enumerate(rectifications):
            if not finished and number % 2:
                continue  # still open: the enterprise has not answered this one yet
            order = next(o for o, (finding, _) in FINDINGS.items() if finding in item.description)
            inspections.rectification_answer(item=item, answer=FINDINGS[order][1], acting_user=self.admin)
        if finished:
            def verify_and_return() -> None:
                for item in RectificationItem.objects.filter(inspection=inspection, status=RectificationStatus.ANSWERED):
                    inspections.rectification_verify(item=item, accepted=True, acting_user=officer)
                self.inspect()

            self.timeline.at(timezone.now() + timedelta(hours=self.rng.randint(4, 20)), verify_and_return)

    # -- after approval -----------------------------------------------------------------------
    def suspend(self) -> None:
        assert self.application is not None
        self.application = services.application_suspend(application=self.application, reason=self.rng.choice(SUSPENSIONS),
                                                        acting_user=self.cast.command_over(self.enterprise)).application
        if self.plot == REINSTATED:
            self.timeline.at(timezone.now() + timedelta(days=self.rng.randint(3, 5)), self.reinstate)

    def reinstate(self) -> None:
        assert self.application is not None
        self.application = Application.objects.select_related("enterprise").get(pk=self.application.pk)
        services.application_reinstate(application=self.application, reason=REINSTATEMENT, acting_user=self.cast.command_over(self.enterprise))


# -- who plays which part ----------------------------------------------------------------------------

TOWN_LOGINS = {"沙坪街道": "shaping", "共和镇": "gonghe", "址山镇": "zhishan", "雅瑶镇": "yayao"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"


def bulk_users(rows: list[tuple[str, str, str, dict[str, Any]]]) -> dict[str, User]:
    """Create users that do not exist yet, with one shared hash of the demo password (hashing it
    once per user would take most of the demo's time), and their memberships."""
    from fugong.core.demo import DEMO_PASSWORD

    existing = {u.username: u for u in User.objects.filter(username__in=[r[0] for r in rows])}
    password = make_password(DEMO_PASSWORD)
    new = [User(username=username, display_name=display_name, password=password) for username, display_name, _, _ in rows
           if username not in existing]
    User.objects.bulk_create(new)
    users = {u.username: u for u in User.objects.filter(username__in=[r[0] for r in rows])}
    created = {u.username for u in new}
    Membership.objects.bulk_create([Membership(user=users[username], role=role, **target) for username, _, role, target in rows
                                    if username in created])
    return users


def cast_for(places: dict[str, Any], departments: dict[str, Department], stories: list[Enterprise]) -> Cast:
    """The reviewers, town command officers, grid officers and enterprise admins the stories need."""
    rng = random.Random(2020_02_10)

    def person() -> str:
        return rng.choice(SURNAMES) + rng.choice(["主任", "科长", "股长", "组长"])

    hitech, heshan = places["hitech"], places["heshan"]
    rows: list[tuple[str, str, str, dict[str, Any]]] = []
    logins = {"安监办": "ajb", "工程办": "gcb", "食安办": "sab", "园区运营方": "park", "社区居委会": "sqjwh"}
    for name, login in logins.items():
        rows.append((f"{login}_reviewer", f"高新区{name} {person()}", Role.REVIEWER, {"department": departments[f"{hitech.code}:{name}"]}))
    rows.append(("heshan_gxj", f"鹤山市工信局 {person()}", Role.REVIEWER, {"department": departments[f"{heshan.code}:工信局"]}))
    rows.append(("heshan_sme", f"鹤山市中小企业发展促进中心 {person()}", Role.REVIEWER,
                 {"department": departments[f"{heshan.code}:中小企业发展促进中心"]}))
    # Any other department a routing rule may name gets a reviewer too, so a changed rule cannot leave a step without one.
    staffed = set(Membership.objects.filter(role=Role.REVIEWER).values_list("department_id", flat=True))
    staffed |= {row[3]["department"].pk for row in rows}
    for department in Department.objects.filter(region__in=[hitech, places["yuancheng"], heshan]).exclude(pk__in=staffed).order_by("pk"):
        rows.append((f"reviewer_{department.pk}", f"{department} {person()}", Role.REVIEWER, {"department": department}))
    for town_name, login in TOWN_LOGINS.items():
        rows.append((f"{login}_cmd", f"{town_name}指挥部 {person()}", Role.COMMAND, {"region": places["heshan_towns"][town_name]}))
    officers = {m.region_id: m.user for m in Membership.objects.filter(role=Role.GRID).select_related("user")}
    grid_logins: dict[int, str] = {}
    for grid in places["grids"] + places["heshan_grids"]:
        if grid.pk in officers:
            continue
        town = next((t for t, _ in TOWN_LOGINS.items() if grid.name.startswith(t[:2])), None)
        login = f"grid_{TOWN_LOGINS[town]}{grid.code[-2:]}" if town else f"grid_{grid.code.rsplit('-', 1)[-1].lower()}"
        grid_logins[grid.pk] = login
        rows.append((login, f"{grid.name}网格员 {rng.choice(SURNAMES)}{rng.choice('伟芳敏静强磊军洋勇杰')}", Role.GRID, {"region": grid}))
    admin_logins: dict[int, str] = {}
    own = set(Membership.objects.filter(role=Role.ENTERPRISE).values_list("enterprise_id", flat=True))
    for enterprise in stories:
        if enterprise.pk in own:
            continue
        login = f"qy_{enterprise.uscc[-8:].lower()}"
        if login in admin_logins.values():
            login = f"{login}_{enterprise.pk}"
        admin_logins[enterprise.pk] = login
        rows.append((login, f"{enterprise.contact_name}（{enterprise.name[3:7]}）", Role.ENTERPRISE, {"enterprise": enterprise}))
    users = bulk_users(rows)

    reviewers = {m.department_id: m.user for m in Membership.objects.filter(role=Role.REVIEWER).select_related("user").order_by("pk")}
    commands = {m.region_id: m.user for m in Membership.objects.filter(role=Role.COMMAND).select_related("user").order_by("pk")}
    grid_officers = {**{pk: users[login] for pk, login in grid_logins.items()}, **officers}
    admins = {m.enterprise_id: m.user for m in Membership.objects.filter(role=Role.ENTERPRISE, enterprise__in=stories).select_related("user")}
    return Cast(reviewers=reviewers, commands=commands, grid_officers=grid_officers, admins=admins)


# -- casting the stories ---------------------------------------------------------------------------------


def plots_for(enterprises: list[Enterprise], own_pk: int, rng: random.Random, scale: float = 1.0) -> dict[int, str]:
    """Which enterprise lives which story. Quotas follow the seeds' figures scaled to the demo;
    ``scale`` below 1 keeps at least one of every plot but fewer plain approvals (the test suite's
    compact demo)."""

    def _deal(enterprises: list[Enterprise], quotas: list[tuple[str, int]], rng: random.Random) -> dict[int, str]:
        """Hand out plots to the enterprises in a deterministic shuffled order; the rest never applied."""
        pool = list(enterprises)
        rng.shuffle(pool)
        plots = [plot for plot, count in quotas for _ in range(max(1, round(count * scale)) if plot != APPROVED else round(count * scale))]
        return {e.pk: plot for e, plot in zip(pool, plots, strict=False)}

    hitech = [e for e in enterprises if e.town.name == "高新区" and e.pk != own_pk]
    heshan = [e for e in enterprises if e.town.name != "高新区"]
    essential = [e for e in hitech if e.is_essential]
    above = [e for e in hitech if not e.is_essential and e.size == Size.ABOVE]
    economy = [e for e in hitech if not e.is_essential and e.size != Size.ABOVE and e.sector in (Sector.RETAIL_HOTEL_CATERING, Sector.SERVICES)]
    rest = [e for e in hitech if e not in essential and e not in above and e not in economy]
    plots: dict[int, str] = {}
    # 高新区: above-scale enterprises nearly all resumed; one still with 经贸办.
    plots |= _deal([e for e in essential if e.size == Size.ABOVE], [(APPROVED_EARLY, 1), (APPROVED, 1)], rng)
    plots |= _deal([e for e in essential if e.size != Size.ABOVE], [(APPROVED_EARLY, 3), (COUNTY_REVIEW, 1), (APPROVED, 1)], rng)
    plots |= _deal(above, [(DEPARTMENT_REVIEW, 1), (APPROVED_AFTER_RECTIFICATION, 1), (APPROVED_AFTER_RETURN, 1), (REINSTATED, 1),
                           (APPROVED, len(above) - 4)], rng)
    plots |= _deal(economy, [(DEPARTMENT_REVIEW, 3), (TOWN_REVIEW, 1), (RETURNED, 1), (APPROVED_AFTER_RETURN, 1), (DRAFT, 1),
                             (APPROVED, 9)], rng)
    plots |= _deal(rest, [(SUSPENDED, 2), (INSPECTION, 2), (INSPECTION_FAILED, 2), (TOWN_REVIEW, 3), (DEPARTMENT_REVIEW, 3),
                          (RETURNED, 3), (REJECTED, 3), (DRAFT, 2), (APPROVED_AFTER_RECTIFICATION, 3), (APPROVED_AFTER_RETURN, 2),
                          (APPROVED, 40)], rng)
    # 鹤山市: the essential-supply enterprises first (with the county's approval), most others by March.
    plots |= _deal([e for e in heshan if e.is_essential], [(APPROVED_EARLY, 6), (COUNTY_REVIEW, 2)], rng)
    plots |= _deal([e for e in heshan if not e.is_essential], [
        (SUSPENDED, 1), (INSPECTION, 1), (INSPECTION_FAILED, 1), (TOWN_REVIEW, 2), (DEPARTMENT_REVIEW, 2), (RETURNED, 2), (REJECTED, 1),
        (DRAFT, 2), (APPROVED_AFTER_RECTIFICATION, 2), (APPROVED_AFTER_RETURN, 2), (APPROVED, 24)], rng)
    return plots


def planned_start(enterprise: Enterprise, plot: str, rng: random.Random, early_general: list[int]) -> datetime:
    """When the enterprise means to resume: before 10 Feb for essential supply, the first days
    after it for most above-scale firms, later for the rest; the pending ones in mid-March."""
    hour = rng.choice([8, 8, 9])
    if plot in (APPROVED_EARLY,):
        day = date(2020, 2, rng.randint(3, 8))
    elif plot in PENDING:
        day = date(2020, 3, rng.randint(14, 18))
    elif plot in (SUSPENDED, REINSTATED):
        day = GENERAL_START + timedelta(days=rng.randint(0, 10))
    elif plot == APPROVED and enterprise.town.name != "高新区" and early_general:
        early_general.pop()  # 鹤山市: a few ordinary enterprises resumed on 10–11 Feb, right after the essential ones
        day = GENERAL_START + timedelta(days=rng.randint(0, 1))
    elif enterprise.town.name != "高新区":
        # 鹤山市 had 57 enterprises resumed by 12 Feb, 38 of them essential-supply ones: here 6 + 3.
        day = GENERAL_START + timedelta(days=5 + min(rng.randint(0, 20), rng.randint(0, 20)))
    elif enterprise.size == Size.ABOVE:
        day = GENERAL_START + timedelta(days=rng.randint(0, 6))
    else:
        day = GENERAL_START + timedelta(days=min(rng.randint(0, 24), rng.randint(0, 24)))
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def seed_applications(places: dict[str, Any], departments: dict[str, Department], rng: random.Random, scale: float = 1.0) -> dict[str, int]:
    """Play the demo's applications through the services. Returns how many end in each status."""
    enterprises = list(Enterprise.objects.select_related("town", "region").order_by("pk"))
    own = Membership.objects.get(user__username="ent_admin").enterprise
    assert own is not None
    plots = plots_for(enterprises, own.pk, rng, scale)
    story_enterprises = [e for e in enterprises if e.pk in plots or e.pk == own.pk]
    cast = cast_for(places, departments, story_enterprises)
    timeline = Timeline()
    early_general = [1, 2, 3]
    for enterprise in enterprises:
        plot = plots.get(enterprise.pk)
        if plot is None:
            continue
        Story(enterprise, plot, planned_start(enterprise, plot, rng, early_general), random.Random(f"{enterprise.uscc}:{plot}"),
              cast, timeline).tell()
    timeline.play()
    own_draft(own, cast.admins[own.pk])
    counts: dict[str, int] = {}
    for status in Application.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def own_draft(enterprise: Enterprise, admin: User) -> Application:
    """The demo enterprise admin's own application: complete but for the masks, so the first thing a
    new user sees is the platform computing the shortfall. Dated now: it is theirs to finish."""
    application = services.application_start(enterprise=enterprise, acting_user=admin)
    start = timezone.localtime(timezone.now() + timedelta(days=7)).replace(hour=8, minute=0, second=0, microsecond=0)
    story = Story(enterprise, APPROVED, start, random.Random(enterprise.uscc), Cast({}, {}, {}, {enterprise.pk: admin}), Timeline())
    data, reserves, _ = story.content()
    local = max(1, round(enterprise.headcount * 0.7))
    plan: list[tuple[date, str, int]] = [(start.date(), Origin.LOCAL, local), (start.date() + timedelta(days=2), Origin.SAME_CITY, 10)]
    # The enterprise has bought about two thirds of the masks its returning staff need for the reserve period.
    need = masks_needed(local + 10, current(enterprise.region))
    reserves[MaterialItem.MASK] = need * 2 // 3 // 50 * 50
    application = services.application_save(application=application, acting_user=admin, data=data, reserves=reserves, return_plan=plan)
    kinds = [AttachmentKind.PREVENTION_PLAN, AttachmentKind.EMERGENCY_PLAN, AttachmentKind.COMMITMENT]
    if enterprise.has_shuttle_bus or data["shuttle_bus_count"]:
        kinds.append(AttachmentKind.BUS_LIST)
    for kind in kinds:
        services.attachment_add(application=application, kind=kind, upload=upload(kind), acting_user=admin)
    return application


def quiet_old_notifications(after_id: int) -> None:
    """The inbox messages of the demo's past are read already: a demo user starts with an empty
    unread count (what waits for them is on their review queue)."""
    Notification.objects.filter(pk__gt=after_id, read_at__isnull=True).update(read_at=timezone.now())
