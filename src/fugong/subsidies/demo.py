"""Demo subsidies: Heyuan's scheme for 河源市 (returning worker 300/200 by return period, referral
300, retention 300 after 3 months, travel 100/200/300 for new hires) and a park rent waiver for
高新区's park tenants (the first month free, the next two at half, after Xiuzhou's), dated
relative to today so the computations are live; new hires and referrals on the demo rosters of
高新区; and applications of several 高新区 enterprises computed from those rosters — pending,
approved and rejected (one rejected enterprise applied again) — through the services.

ent_admin's enterprise gets new hires and referrals too but no application: its admin sees the
computed subsidy and applies (the browser test does). Skipped once a scheme exists.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fugong.accounts.models import Membership, User
from fugong.enterprises.models import Enterprise
from fugong.regions.models import Region
from fugong.subsidies.models import SubsidyScheme
from fugong.subsidies.seeds import HEYUAN_BASIS, RENT_BASIS, heyuan_rules, rent_rules, scheme_create
from fugong.subsidies.services import application_approve, application_reject, application_submit
from fugong.workforce.models import Person

SEED = 20200222
HEYUAN_CITY = "441600"
PERIOD_BEFORE_DAYS = 100  # the period began 100 days ago …
CUTOFF_BEFORE_DAYS = 10  # … those back by 10 days ago get the higher band …
PERIOD_AFTER_DAYS = 60  # … and it runs 60 more days
NEW_HIRE_SHARE = 0.15
REFERRED_SHARE = 0.4  # of the new hires
APPLICANTS = 6  # 高新区 enterprises that applied (besides ent_admin's, which did not)
REJECT_REASON = "花名册中部分人员返岗日期与门岗登记不符，请核对后重新申报。"


def seed_subsidies(places: dict[str, Any], scale: float = 1.0) -> dict[str, int]:
    """The schemes, new hires and referrals, and the applications (skipped once a scheme exists)."""
    if SubsidyScheme.objects.exists():
        return {}
    rng = random.Random(SEED)
    today = timezone.localdate()
    admin = User.objects.get(username="admin")
    command = User.objects.filter(username="hitech_cmd").first() or admin
    hitech = places["hitech"]
    city = Region.objects.filter(code=HEYUAN_CITY).first() or places["yuancheng"]
    start, end = today - timedelta(days=PERIOD_BEFORE_DAYS), today + timedelta(days=PERIOD_AFTER_DAYS)
    with transaction.atomic():
        heyuan = scheme_create(region=city, name="河源高新区复工稳岗补贴（返岗、介绍、稳岗、交通）", period=(start, end), legal_basis=HEYUAN_BASIS,
                               rules=heyuan_rules(cutoff=today - timedelta(days=CUTOFF_BEFORE_DAYS), last_return=end), created_by=admin,
                               note="非疫情重点地区返回员工按返岗时段补助；可与市有关政策叠加享受。")
        rent = scheme_create(region=hitech, name="园区承租企业租金减免（首月全免、两月减半）", period=(start, end), legal_basis=RENT_BASIS,
                             rules=rent_rules(first_month=start), park_tenants_only=True, created_by=admin,
                             note="参照秀洲国家高新区小微企业园“2月租金全免，三、四月租金减半”。")
        people = _new_hires(hitech, rng, today)
    counts = {"schemes": 2, "new_hires": people}
    with transaction.atomic():
        counts["applications"] = _applications(hitech, heyuan, rent, admin, command, scale)
    return counts


def _new_hires(hitech: Region, rng: random.Random, today: Any) -> int:
    """Some of each 高新区 roster hired within the last four months (a few before the period), and
    some of those referred by a colleague. People with a login (the demo employee) are left alone."""
    people = list(Person.objects.filter(enterprise__town=hitech, user__isnull=True).order_by("enterprise_id", "name", "id")
                  .only("id", "enterprise_id"))
    by_enterprise: dict[int, list[Person]] = {}
    for person in people:
        by_enterprise.setdefault(person.enterprise_id, []).append(person)
    changed: list[Person] = []
    for staff in by_enterprise.values():
        hires = [p for p in staff if rng.random() < NEW_HIRE_SHARE]
        veterans = [p for p in staff if p not in hires]
        for person in hires:
            # 5 to 120 days ago: about half past three months, a few before the period began.
            person.hired_on = today - timedelta(days=rng.randint(5, 120))
            person.referred_by = rng.choice(veterans) if veterans and rng.random() < REFERRED_SHARE else None
            changed.append(person)
    Person.objects.bulk_update(changed, ["hired_on", "referred_by"], batch_size=1000)
    return len(changed)


def _applications(hitech: Region, heyuan: SubsidyScheme, rent: SubsidyScheme, admin: User, command: User, scale: float) -> int:
    own = Membership.objects.filter(user__username="ent_admin").values_list("enterprise_id", flat=True).first()
    with_people = Person.objects.filter(enterprise__town=hitech).values("enterprise_id")
    candidates = list(Enterprise.objects.filter(town=hitech, pk__in=with_people).exclude(pk=own).select_related("region").order_by("pk"))
    chosen = candidates[:max(3, round(APPLICANTS * min(scale * 4, 1)))]
    made = 0
    for index, enterprise in enumerate(chosen):
        try:
            application = application_submit(scheme=heyuan, enterprise=enterprise, declared=True, acting_user=admin,
                                             declared_by_name=f"{enterprise.contact_name}（企业防疫专员）")
        except ValidationError:  # a roster that earns nothing has nothing to apply for
            continue
        made += 1
        state = index % 3
        if state == 1:
            application_approve(application=application, acting_user=command, note="经核对花名册和门岗记录，同意。")
        elif state == 2:
            application_reject(application=application, acting_user=command, reason=REJECT_REASON)
            if index == 2:  # corrected and applied again: pending
                application_submit(scheme=heyuan, enterprise=enterprise, declared=True, acting_user=admin,
                                   declared_by_name=f"{enterprise.contact_name}（企业防疫专员）")
                made += 1
    # A park tenant's rent waiver, approved.
    tenant = next((e for e in candidates if e.in_park), None)
    if tenant is not None:
        application = application_submit(scheme=rent, enterprise=tenant, declared=True, monthly_rent="12000", acting_user=admin,
                                         declared_by_name=f"{tenant.contact_name}（企业防疫专员）")
        application_approve(application=application, acting_user=command, note="租赁合同已核。")
        made += 1
    return made
