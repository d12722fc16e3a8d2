"""At the gate: a pass scanned and a temperature taken decide who comes in; fevers raise alerts and
revoke passes; visitors and vehicles are logged; every passage is audited without personal values."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership, User
from fugong.audit.models import AuditEntry
from fugong.enterprises.choices import Status as EnterpriseStatus
from fugong.enterprises.models import Enterprise, Gate
from fugong.gates.choices import Direction, Outcome, PassageKind, Refusal
from fugong.gates.models import Passage
from fugong.gates.services import clean_plate, gate_scan, token_from_code, vehicle_record, visitor_record
from fugong.health.choices import AlertKind, AlertStatus, CheckInSource
from fugong.health.models import Alert, CheckIn
from fugong.policy.models import PolicyVersion
from fugong.policy.parameters import SHANGHAI
from fugong.policy.services import current
from fugong.regions.choices import Level
from fugong.workforce import passes
from fugong.workforce.models import Pass
from tests.gates.conftest import days_ago

pytestmark = pytest.mark.django_db


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged_token() -> str:
    """A token naming our key and a pass id we never issued, signed with some other key."""
    other = passes.signing_key("c29tZW9uZS1lbHNlcy1rZXktc29tZW9uZS1lbHNlcy1rZXk")
    payload = {"p": str(uuid.uuid4()), "r": "0" * 16, "e": 1, "f": "2020-02-01", "t": "2099-12-31", "k": passes.signing_key().kid}
    head = b64(json.dumps(payload, separators=(",", ":")).encode())
    return head + "." + b64(other.private.sign(head.encode()))


def altered(token: str) -> str:
    """The token of a real pass with its validity stretched to 2099: the signature no longer fits."""
    head, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    payload["t"] = "2099-12-31"
    return b64(json.dumps(payload, separators=(",", ":")).encode()) + "." + signature


# -- workers ------------------------------------------------------------------------------------


def test_valid_pass_at_its_enterprise_gate_lets_the_worker_in_and_records_a_gate_checkin(east_gate, guard, worker):
    # Given a worker of the gate's enterprise with a pass issued today
    issued = worker(east_gate.enterprise, "张晓明")
    # When the guard scans it and takes 36.5 ℃ on the way in
    answer = gate_scan(gate=east_gate, token=issued.token, temperature="36.5", direction=Direction.IN, acting_user=guard)
    # Then the gate says 放行 with the enterprise and a masked name
    assert (answer.allowed, answer.headline, answer.valid, answer.verification) == (True, "放行", True, passes.VALID)
    assert (answer.enterprise, answer.person) == (east_gate.enterprise.name, "张*")
    # And the passage is logged for the enterprise, with the pass and the guard
    passage = answer.passage
    assert (passage.kind, passage.direction, passage.outcome, passage.refusal) == (PassageKind.WORKER, Direction.IN, Outcome.ALLOWED, "")
    assert (passage.person_id, passage.pass_record_id, passage.enterprise_id, passage.recorded_by) == (
        issued.person_id, issued.pk, east_gate.enterprise_id, guard)
    assert passage.date == timezone.localdate() and passage.temperature == Decimal("36.5") and not passage.fever
    # And the temperature is the person's check-in of this slot, from the gate
    checkin = CheckIn.objects.get(person=issued.person, date=passage.date)
    assert (checkin.temperature, checkin.source, checkin.recorded_by) == (Decimal("36.5"), CheckInSource.GATE, guard)


def test_fever_refuses_entry_raises_an_alert_and_revokes_the_pass(east_gate, guard, worker):
    # Given a worker with a valid pass
    issued = worker(east_gate.enterprise, "李秀英")
    # When the gate measures 38.1 ℃
    answer = gate_scan(gate=east_gate, token=issued.token, temperature="38.1", direction=Direction.IN, acting_user=guard)
    # Then entry is refused with the reason and what to do next
    assert (answer.allowed, answer.headline) == (False, "禁止入内")
    assert answer.passage.reason == "体温 38.1℃ 发热，禁止入内，已生成预警"
    assert (answer.passage.refusal, answer.passage.fever) == (Refusal.FEVER, True)
    assert any("留观室" in line for line in answer.advice) and any("发热门诊" in line for line in answer.advice)
    # And an open fever alert names the person, and the passage points at it
    alert = Alert.objects.get(person=issued.person)
    assert (alert.kind, alert.status, alert.temperature) == (AlertKind.FEVER, AlertStatus.OPEN, Decimal("38.1"))
    assert answer.alert == alert and answer.passage.alert == alert
    # And the pass is revoked for fever
    issued.refresh_from_db()
    assert issued.revoked_at is not None and issued.revoked_reason == "fever"


def test_after_a_fever_the_same_pass_is_refused_as_revoked(east_gate, guard, worker):
    issued = worker(east_gate.enterprise)
    gate_scan(gate=east_gate, token=issued.token, temperature="38.5", direction=Direction.IN, acting_user=guard)
    # When the worker comes back later with a normal temperature
    again = gate_scan(gate=east_gate, token=issued.token, temperature="36.4", direction=Direction.IN, acting_user=guard)
    # Then the pass itself is refused: 已吊销
    assert (again.allowed, again.verification, again.passage.reason) == (False, passes.REVOKED, "出入证已吊销")
    assert again.passage.refusal == Refusal.PASS_INVALID and not again.passage.fever
    assert any("吊销" in line for line in again.advice)
    # And no second alert is raised
    assert Alert.objects.filter(person=issued.person).count() == 1


@pytest.mark.parametrize(("temperature", "fever"), [("37.2", False), ("37.3", True), ("37.26", True), ("36", False)])
def test_fever_is_at_or_above_the_policy_threshold(east_gate, guard, worker, temperature, fever):
    issued = worker(east_gate.enterprise)
    answer = gate_scan(gate=east_gate, token=issued.token, temperature=temperature, direction=Direction.IN, acting_user=guard)
    assert (answer.passage.fever, answer.allowed) == (fever, not fever)


def test_threshold_comes_from_the_county_policy(east_gate, guard, worker, admin):
    # Given 源城区 lowers its fever threshold to 37.0 ℃
    county = east_gate.enterprise.region.ancestor_at(Level.COUNTY)
    PolicyVersion.objects.create(region=county, version=99, effective_from=timezone.now() - timedelta(minutes=1),
                                 values={"fever_threshold_celsius": "37.0"}, note="测试：发热阈值 37.0", created_by=admin)
    assert current(east_gate.enterprise.region).fever_threshold_celsius == Decimal("37.0")
    issued = worker(east_gate.enterprise)
    # When 37.1 ℃ is measured at the gate
    answer = gate_scan(gate=east_gate, token=issued.token, temperature="37.1", direction=Direction.IN, acting_user=guard)
    # Then it is a fever there
    assert not answer.allowed and answer.passage.refusal == Refusal.FEVER


@pytest.mark.parametrize("case", ["forged", "altered", "expired", "not_yet_valid", "garbage", "unknown_key"])
def test_invalid_passes_are_refused_with_the_verify_reason(east_gate, guard, worker, case):
    # Given a code that does not make a valid pass today
    expected = {"forged": passes.FORGED, "altered": passes.TAMPERED, "expired": passes.EXPIRED, "not_yet_valid": passes.NOT_YET_VALID,
                "garbage": passes.MALFORMED, "unknown_key": passes.UNKNOWN_KEY}[case]
    if case == "forged":
        code = forged_token()
    elif case == "altered":
        code = altered(worker(east_gate.enterprise).token)
    elif case == "expired":
        code = worker(east_gate.enterprise, start=days_ago(60)).token
    elif case == "not_yet_valid":
        code = worker(east_gate.enterprise, start=days_ago(-3)).token
    elif case == "unknown_key":
        code = passes.sign_pass(pass_id=uuid.uuid4(), person_id=uuid.uuid4(), enterprise_id=east_gate.enterprise_id,
                                valid_from=days_ago(1), valid_to=days_ago(-1), key=passes.signing_key("b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXk"))
    else:
        code = "这不是出入证"
    checkins = CheckIn.objects.count()
    # When it is scanned with a normal temperature
    answer = gate_scan(gate=east_gate, token=code, temperature="36.5", direction=Direction.IN, acting_user=guard)
    # Then entry is refused and the reason is the pass check's
    assert (answer.allowed, answer.valid, answer.verification) == (False, False, expected)
    assert (answer.passage.refusal, answer.passage.reason) == (Refusal.PASS_INVALID, f"出入证{expected}")
    assert answer.advice
    # And no check-in is recorded for anyone
    assert CheckIn.objects.count() == checkins
    if case in ("forged", "garbage", "unknown_key"):
        assert answer.passage.person is None and answer.person is None


def test_pass_of_another_enterprise_is_refused_at_an_enterprise_gate(east_gate, other_gate, guard, worker):
    # Given a worker of the neighbouring enterprise
    issued = worker(other_gate.enterprise, "陈建国")
    # When they show their pass at gate_guard's 东门
    answer = gate_scan(gate=east_gate, token=issued.token, temperature="36.5", direction=Direction.IN, acting_user=guard)
    # Then it is refused as another enterprise's pass, and nothing is recorded for their health
    assert not answer.allowed and answer.valid
    assert answer.passage.refusal == Refusal.WRONG_ENTERPRISE
    assert answer.passage.reason == f"非本企业出入证（{other_gate.enterprise.name}）"
    assert not CheckIn.objects.filter(person=issued.person).exists()


def test_worker_of_a_suspended_enterprise_is_not_let_in(east_gate, guard, worker):
    issued = worker(east_gate.enterprise)
    Enterprise.objects.filter(pk=east_gate.enterprise_id).update(status=EnterpriseStatus.SUSPENDED)
    gate = Gate.objects.select_related("enterprise__region").get(pk=east_gate.pk)
    answer = gate_scan(gate=gate, token=issued.token, temperature="36.5", direction=Direction.IN, acting_user=guard)
    assert not answer.allowed and answer.passage.refusal == Refusal.SUSPENDED


def test_checkpoint_takes_any_enterprise_of_its_region_and_refuses_another_county(checkpoint, own_enterprise, worker, admin):
    # Given workers of 源城区 (the checkpoint's county) and of 鹤山市
    local = worker(own_enterprise, "黄丽")
    heshan = Enterprise.objects.filter(region__path__contains="/440784/").order_by("pk").first()
    outsider = worker(heshan, "周强")
    # When both are scanned at 源城区入城检查站
    let_in = gate_scan(gate=checkpoint, token=local.token, temperature="36.6", direction=Direction.IN, acting_user=admin)
    refused = gate_scan(gate=checkpoint, token=outsider.token, temperature="36.6", direction=Direction.IN, acting_user=admin)
    # Then the local worker passes (and the passage counts for their enterprise); the other is refused
    assert let_in.allowed and let_in.passage.enterprise_id == own_enterprise.pk
    assert not refused.allowed and refused.passage.refusal == Refusal.OUTSIDE_REGION


def test_entry_without_a_temperature_is_refused_in_chinese_and_writes_nothing(east_gate, guard, worker):
    issued = worker(east_gate.enterprise)
    before = (Passage.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as refused:
        gate_scan(gate=east_gate, token=issued.token, temperature="", direction=Direction.IN, acting_user=guard)
    assert "进门须测量体温" in refused.value.message_dict["temperature"][0]
    with pytest.raises(ValidationError) as unreadable:
        gate_scan(gate=east_gate, token="", temperature="三十六", direction=Direction.IN, acting_user=guard)
    assert set(unreadable.value.message_dict) == {"token", "temperature"}
    with pytest.raises(ValidationError) as sideways:
        gate_scan(gate=east_gate, token=issued.token, temperature="36.5", direction="sideways", acting_user=guard)
    assert "direction" in sideways.value.message_dict
    assert (Passage.objects.count(), AuditEntry.objects.count()) == before


def test_exit_needs_no_temperature_and_is_never_refused(east_gate, guard, worker):
    # Given a worker whose pass was revoked while they were inside (a fever at the afternoon check)
    issued = worker(east_gate.enterprise)
    gate_scan(gate=east_gate, token=issued.token, temperature="38.0", direction=Direction.OUT, acting_user=guard)
    # When they leave, without a temperature
    answer = gate_scan(gate=east_gate, token=issued.token, temperature=None, direction=Direction.OUT, acting_user=guard)
    # Then the exit is logged, with what the pass check said
    assert (answer.allowed, answer.headline, answer.passage.temperature) == (True, "出门登记", None)
    assert answer.passage.reason == "出入证已吊销"


def test_fever_on_the_way_out_is_let_out_but_raises_the_alert(east_gate, guard, worker):
    issued = worker(east_gate.enterprise)
    answer = gate_scan(gate=east_gate, token=issued.token, temperature="38.3", direction=Direction.OUT, acting_user=guard)
    assert answer.allowed and answer.passage.fever and answer.alert is not None
    assert answer.passage.reason == "体温 38.3℃ 发热，已生成预警"


def test_code_read_from_a_link_or_with_line_breaks_is_the_token(east_gate, guard, worker):
    issued = worker(east_gate.enterprise)
    token = issued.token
    assert token_from_code(f"https://fugong.example.cn/p/pass?token={token}") == token
    assert token_from_code(f"https://fugong.example.cn/passes/{token}/") == token
    assert token_from_code(f" {token[:20]}\n{token[20:]} ") == token
    answer = gate_scan(gate=east_gate, token=f"https://fugong.example.cn/p/pass?token={token}", temperature="36.5", direction=Direction.IN,
                       acting_user=guard)
    assert answer.allowed


def test_gate_guard_cannot_record_at_another_gate(other_gate, guard, worker):
    issued = worker(other_gate.enterprise)
    before = Passage.objects.count()
    with pytest.raises(PermissionDenied):
        gate_scan(gate=other_gate, token=issued.token, temperature="36.5", direction=Direction.IN, acting_user=guard)
    for officer in ("hitech_cmd", "grid_officer", "ent_admin"):
        with pytest.raises(PermissionDenied):
            visitor_record(gate=other_gate, direction=Direction.IN, name="访客", phone="13800000000", purpose="送货", temperature="36.5",
                           acting_user=User.objects.get(username=officer))
    assert Passage.objects.count() == before


def test_a_device_account_bound_to_the_gate_records_there(east_gate, worker):
    # Given an account bound to 东门 as a gate device
    device = User.objects.create(username="dongmen_device", display_name="东门闸机")
    Membership.objects.create(user=device, role=Role.GATE, gate=east_gate)
    issued = worker(east_gate.enterprise)
    answer = gate_scan(gate=east_gate, token=issued.token, temperature="36.5", direction=Direction.IN, acting_user=device)
    assert answer.allowed and answer.passage.recorded_by == device


def test_every_passage_is_audited_without_personal_values(east_gate, guard, worker):
    # Given a worker, a visitor and a vehicle at the gate
    issued = worker(east_gate.enterprise, "赵敏")
    scanned = gate_scan(gate=east_gate, token=issued.token, temperature="38.2", direction=Direction.IN, acting_user=guard)
    visited = visitor_record(gate=east_gate, direction=Direction.IN, name="钱多多", phone="13812345678", company="河源市顺达物流有限公司",
                             purpose="送货", host="仓库 刘主管", temperature="36.5", acting_user=guard)
    drove = vehicle_record(gate=east_gate, direction=Direction.IN, plate="粤P12345", driver_name="孙师傅", driver_phone="13987654321",
                           cargo="原材料", passengers="1", temperature="36.7", acting_user=guard)
    # Then each passage has its audit entry, with ids and codes only
    for answer in (scanned, visited, drove):
        entry = AuditEntry.objects.get(action="gate.passage", object_id=str(answer.passage.pk))
        assert entry.object_label == "通行记录"
        text = json.dumps(entry.data, ensure_ascii=False)
        for personal in ("赵敏", "钱多多", "13812345678", "孙师傅", "13987654321", "粤P12345", "38.2", "36.5", "仓库", "顺达"):
            assert personal not in text
    assert AuditEntry.objects.get(object_id=str(scanned.passage.pk)).data["refusal"] == Refusal.FEVER


# -- visitors and vehicles ---------------------------------------------------------------------


def test_visitor_is_logged_and_let_in(east_gate, guard):
    answer = visitor_record(gate=east_gate, direction=Direction.IN, name=" 钱 多多 ", phone="138 1234 5678", company="河源市顺达物流有限公司",
                            purpose="送货", host="仓库 刘主管", temperature="36.6", acting_user=guard)
    passage = answer.passage
    assert (answer.allowed, answer.person, answer.valid) == (True, "钱*", None)
    assert (passage.kind, passage.name, passage.phone, passage.masked_phone) == (PassageKind.VISITOR, "钱 多多", "13812345678", "138****5678")
    assert (passage.enterprise_id, passage.purpose, passage.host) == (east_gate.enterprise_id, "送货", "仓库 刘主管")


def test_visitor_with_a_fever_is_refused_shown_red_and_raises_no_alert(east_gate, guard):
    alerts = Alert.objects.count()
    answer = visitor_record(gate=east_gate, direction=Direction.IN, name="孙丽", phone="13800001111", purpose="洽谈", temperature="37.9",
                            acting_user=guard)
    assert (answer.allowed, answer.passage.fever, answer.passage.refusal) == (False, True, Refusal.FEVER)
    assert answer.passage.reason == "体温 37.9℃ 发热，禁止入内"
    assert any("留观" in line for line in answer.advice)
    assert Alert.objects.count() == alerts


def test_visitor_entry_requires_name_mobile_purpose_and_temperature_but_exit_only_the_name(east_gate, guard):
    with pytest.raises(ValidationError) as refused:
        visitor_record(gate=east_gate, direction=Direction.IN, name="", phone="12345", purpose="", temperature="", acting_user=guard)
    assert set(refused.value.message_dict) == {"name", "phone", "purpose", "temperature"}
    assert "手机号" in refused.value.message_dict["phone"][0]
    leaving = visitor_record(gate=east_gate, direction=Direction.OUT, name="孙丽", acting_user=guard)
    assert leaving.allowed and leaving.headline == "出门登记"


@pytest.mark.parametrize(("typed", "plate"), [("粤p·12345", "粤P12345"), (" 粤 P 1234D ", "粤P1234D"), ("粤PD12345", "粤PD12345"),
                                              ("赣B-1234挂", "赣B1234挂")])
def test_number_plates_are_read_as_people_type_them(typed, plate):
    assert clean_plate(typed) == plate


@pytest.mark.parametrize("typed", ["", "12345", "粤12345", "粤PI2345", "XX12345", "粤P1234567"])
def test_impossible_plates_are_refused_in_chinese(typed):
    with pytest.raises(ValidationError) as refused:
        clean_plate(typed)
    assert "车牌号" in refused.value.messages[0]


def test_vehicle_is_logged_and_a_driver_with_fever_is_refused(checkpoint, admin):
    truck = vehicle_record(gate=checkpoint, direction=Direction.IN, plate="粤b88888", driver_name="周师傅", cargo="蔬菜", passengers="2",
                           temperature="36.8", acting_user=admin)
    assert truck.allowed and (truck.passage.plate, truck.passage.passengers, truck.passage.enterprise_id) == ("粤B88888", 2, None)
    feverish = vehicle_record(gate=checkpoint, direction=Direction.IN, plate="湘A12345", driver_name="吴师傅", temperature="38.0",
                              acting_user=admin)
    assert not feverish.allowed and feverish.passage.refusal == Refusal.FEVER
    with pytest.raises(ValidationError) as refused:
        vehicle_record(gate=checkpoint, direction=Direction.IN, plate="粤B1", driver_name="", passengers="很多", temperature="",
                       acting_user=admin)
    assert set(refused.value.message_dict) == {"plate", "driver_name", "passengers", "temperature"}


def test_a_passage_in_the_small_hours_counts_for_the_shanghai_day(east_gate, guard):
    # 00:30 in Beijing is still the day before in UTC
    at = datetime.combine(timezone.localdate(), datetime.min.time(), tzinfo=SHANGHAI) + timedelta(minutes=30)
    answer = visitor_record(gate=east_gate, direction=Direction.IN, name="夜班", phone="13800002222", purpose="送货", temperature="36.5",
                            acting_user=guard, at=at)
    assert answer.passage.date == timezone.localdate()


# -- properties ----------------------------------------------------------------------------------

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(tenths=st.integers(min_value=340, max_value=430))
def test_a_visitor_is_refused_exactly_when_the_temperature_reaches_the_threshold(east_gate, guard, tenths):
    temperature = Decimal(tenths) / 10
    threshold = Decimal(str(current(east_gate.enterprise.region).fever_threshold_celsius))
    answer = visitor_record(gate=east_gate, direction=Direction.IN, name="测试", phone="13800003333", purpose="送货",
                            temperature=str(temperature), acting_user=guard)
    assert answer.allowed == (temperature < threshold)
    assert answer.passage.fever == (temperature >= threshold)


@FUZZ
@given(code=st.one_of(st.text(max_size=300), st.from_regex(r"[A-Za-z0-9_-]{10,120}\.[A-Za-z0-9_-]{10,120}", fullmatch=True)))
def test_whatever_is_typed_as_a_code_is_answered_never_an_error(east_gate, guard, code):
    # Given any text typed or read as a pass code
    try:
        answer = gate_scan(gate=east_gate, token=code, temperature="36.5", direction=Direction.IN, acting_user=guard)
    except ValidationError as refused:
        # Then either it is empty (the guard is asked for the code) …
        assert set(refused.message_dict) == {"token"} and not token_from_code(code)
        return
    # … or the gate refuses it with the pass check's reason, and lets no one in
    assert not answer.allowed and answer.passage.refusal == Refusal.PASS_INVALID
    assert answer.passage.reason.startswith("出入证")


def test_the_passage_log_keeps_its_pass_link_when_the_pass_is_deleted(east_gate, guard, worker):
    issued = worker(east_gate.enterprise)
    passage = gate_scan(gate=east_gate, token=issued.token, temperature="36.5", direction=Direction.IN, acting_user=guard).passage
    Pass.objects.filter(pk=issued.pk).delete()
    passage.refresh_from_db()
    assert passage.pass_record_id is None and passage.person_id == issued.person_id
