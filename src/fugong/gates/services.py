"""Writes at a gate: a worker's pass scanned (``gate_scan``), a visitor (``visitor_record``), a
vehicle (``vehicle_record``).

Each call verifies what it must, decides whether the gate lets the person or vehicle in, writes one
:class:`~fugong.gates.models.Passage` and its audit entry in one transaction, and returns a
:class:`GateAnswer` that the page, the API and a device all show the same way.

- The pass is verified by :func:`fugong.workforce.api.verify` (signature, revocation, dates), the
  same answer the pass API gives; the gate then checks that the pass opens *this* gate (its
  enterprise; a checkpoint takes any enterprise of its region).
- A worker's temperature is recorded as a check-in (:func:`fugong.health.services.checkin_record`,
  source "gate"), which at or above the policy's ``fever_threshold_celsius`` raises the fever
  alert and revokes the person's passes. A fever refuses entry.
- Visitors and drivers are not staff: a fever refuses them too and is shown red, but raises no
  person alert (there is no staff record to attach it to).
- Leaving is never refused (nobody is held inside a gate): an exit is logged with whatever the
  pass or the thermometer said. Entry needs a temperature; exit does not.

Every passage is audited (``gate.passage``) with ids and codes only: no name, phone, plate or
temperature enters the log, which can never be erased.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fugong.audit.services import record
from fugong.core.masking import mask_name
from fugong.enterprises.choices import Status as EnterpriseStatus
from fugong.enterprises.models import Gate
from fugong.gates.choices import Direction, Outcome, PassageKind, Refusal
from fugong.gates.models import Passage
from fugong.gates.selectors import gate_region
from fugong.health.choices import AlertKind, CheckInSource
from fugong.health.models import Alert
from fugong.health.services import checkin_record, clean_temperature, local_day_and_hour
from fugong.workforce import passes
from fugong.workforce.api import verify
from fugong.workforce.models import Pass
from fugong.workforce.validators import clean_name, clean_phone, clean_text, fold

OBJECT_LABEL = "通行记录"  # what the audit log shows instead of anyone's name

# What the guard does next, in the words of the seeds (fever: isolate, send to the fever clinic).
FEVER_ADVICE_WORKER = (
    "请带至企业留观室单独隔离观察，做好个人防护。",
    "联系企业防疫专员，安排送发热门诊就诊；预警处置后方可重新办理出入证。",
)
FEVER_ADVICE_OTHERS = (
    "请引导至临时留观区等候，不得入内。",
    "联系属地卫生院或发热门诊，按要求转运就诊，并登记去向。",
)
PASS_ADVICE = {
    passes.REVOKED: "出入证已吊销（发热、隔离或停工）：请联系企业防疫专员或网格员核实。",
    passes.EXPIRED: "出入证已过期：请联系网格员重新办理。",
    passes.NOT_YET_VALID: "出入证尚未生效：请按出入证上的生效日期返岗。",
}
SUSPICIOUS_ADVICE = "出入证无法核验（疑似伪造或篡改）：请登记其身份信息并报告网格员。"
WRONG_GATE_ADVICE = "请持本企业签发的出入证通行；外来人员请按访客登记。"

# Chinese number plates: a province's character, a letter, then five (six for new-energy vehicles)
# letters or digits, the last possibly 挂/学/警/港/澳 (trailers, driving schools, police, HK/Macao).
PLATE = re.compile(r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]$")
_PLATE_SEPARATORS = dict.fromkeys(map(ord, " ·•.-_\u3000"), None)
MAX_PASSENGERS = 99


@dataclass(frozen=True)
class GateAnswer:
    """What the gate says, big and in colour, and what to do next."""

    passage: Passage
    valid: bool | None  # the pass verified (None: no pass, a visitor or a vehicle)
    verification: str  # the pass check's reason (有效, 已吊销, 伪造 …), "" without a pass
    enterprise: str | None
    person: str | None  # masked: 张*
    alert: Alert | None
    advice: tuple[str, ...]

    @property
    def allowed(self) -> bool:
        return self.passage.allowed

    @property
    def headline(self) -> str:
        if not self.allowed:
            return "禁止入内"
        return "放行" if self.passage.direction == Direction.IN else "出门登记"


def _may_record(gate: Gate, acting_user: Any) -> None:
    if not acting_user.has_perm("gates.record_passage", gate):
        raise PermissionDenied("您不是该门岗的值守人员，不能在此登记。")


def _direction(value: Any) -> str:
    if value not in Direction.values:
        raise ValidationError({"direction": "请选择“进”或“出”。"})
    return str(value)


def _temperature(value: Any, *, required: bool, errors: dict[str, Any]) -> Decimal | None:
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            errors["temperature"] = "进门须测量体温：请填写体温，例如 36.5。"
        return None
    try:
        return clean_temperature(text)
    except ValidationError as exc:
        errors["temperature"] = exc.message_dict.get("temperature", exc.messages)
        return None


def _is_fever(temperature: Decimal | None, policy: Any) -> bool:
    return temperature is not None and temperature >= Decimal(str(policy.fever_threshold_celsius))


def token_from_code(text: str) -> str:
    """The token in what the camera read or the guard typed: the token itself, or a link that
    carries it (``…?token=…`` or as the link's last segment), trimmed of spaces and line breaks."""
    code = "".join(str(text or "").split())
    if "://" not in code:
        return code
    parts = urlsplit(code)
    query = parse_qs(parts.query)
    for key in ("token", "t"):
        if query.get(key):
            return query[key][0]
    segments = [segment for segment in parts.path.split("/") if segment]
    return segments[-1] if segments else ""


def _pass_of(token: str) -> Pass | None:
    """The stored pass a token names. Only called after :func:`verify` found the pass genuine and
    stored, so the payload is known to be well formed; this only reads its pass id."""
    head = token.partition(".")[0]
    try:
        payload = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
        pk = uuid.UUID(str(payload["p"]))
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
    return Pass.objects.select_related("person__enterprise__region", "enterprise__region").filter(pk=pk).first()


def _pass_refusal(gate: Gate, answer: dict[str, Any], found: Pass | None) -> tuple[str, str, tuple[str, ...]] | None:
    """Why this pass does not open this gate (code, sentence, advice), or None when it does."""
    if not answer["valid"] or found is None:
        reason = answer["reason"] if found is not None or answer["reason"] != passes.VALID else passes.FORGED
        return Refusal.PASS_INVALID, f"出入证{reason}", (PASS_ADVICE.get(reason, SUSPICIOUS_ADVICE),)
    if gate.enterprise_id is not None:
        if found.enterprise_id != gate.enterprise_id:
            return Refusal.WRONG_ENTERPRISE, f"非本企业出入证（{found.enterprise.name}）", (WRONG_GATE_ADVICE,)
        if gate.enterprise is not None and gate.enterprise.status == EnterpriseStatus.SUSPENDED:
            return Refusal.SUSPENDED, "企业已停工，员工暂停入内", ("企业停工整改期间不安排员工进场；请联系企业防疫专员。",)
        return None
    region = gate.region
    if region is None or not found.enterprise.region.path.startswith(region.path):
        return Refusal.OUTSIDE_REGION, f"非本辖区企业出入证（{found.enterprise.name}）", ("请按外来人员登记，核实行程后再作处理。",)
    return None


def _audit(passage: Passage, acting_user: Any, request: Any) -> None:
    record(action="gate.passage", actor=acting_user, obj=passage, object_label=OBJECT_LABEL, request=request,
           data={"gate": passage.gate_id, "kind": passage.kind, "direction": passage.direction, "outcome": passage.outcome,
                 "refusal": passage.refusal, "person": str(passage.person_id) if passage.person_id else None,
                 "pass": str(passage.pass_record_id) if passage.pass_record_id else None, "alert": passage.alert_id})


def gate_scan(*, gate: Gate, token: str, temperature: Any, direction: str, acting_user: Any, at: datetime | None = None,
              request: Any = None) -> GateAnswer:
    """A worker shows their pass at ``gate``: verify it, take the temperature (a check-in), let
    them in or refuse them, and log the passage.

    ``at`` is when it happened (now by default; a gate device that was offline sends its own
    time). Raises ValidationError (Chinese, by field) when the code or the temperature is
    missing or unreadable — nothing is written then — and PermissionDenied when ``acting_user``
    does not guard this gate.
    """
    _may_record(gate, acting_user)
    direction = _direction(direction)
    errors: dict[str, Any] = {}
    code = token_from_code(token)
    if not code:
        errors["token"] = "请扫描出入证二维码，或输入二维码下方的编码。"  # noqa: S105 - a message, not a secret
    measured = _temperature(temperature, required=direction == Direction.IN, errors=errors)
    if errors:
        raise ValidationError(errors)
    from fugong.policy.services import current

    at = at or timezone.now()
    day, _hour = local_day_and_hour(at)
    policy = current(gate_region(gate), at)
    answer = verify(code, today=day)
    found = _pass_of(code) if answer["enterprise"] is not None else None
    refused = _pass_refusal(gate, answer, found)
    fever = _is_fever(measured, policy)
    with transaction.atomic():
        alert = None
        if refused is None and found is not None and measured is not None:
            # The pass opens this gate: the temperature is the person's check-in; a fever raises
            # the alert and revokes their passes (health.services), before the gate answers.
            result = checkin_record(person=found.person, temperature=measured, source=CheckInSource.GATE, at=at, policy=policy,
                                    acting_user=acting_user, request=request)
            alert = result.alert if result.alert is not None and result.alert.kind == AlertKind.FEVER else None
        refusal, reason, advice = refused or ("", "", ())
        if fever:
            said = f"体温 {measured}℃ 发热" + ("，已生成预警" if alert is not None else "")
            if direction == Direction.IN and not refusal:
                refusal, reason = Refusal.FEVER, f"体温 {measured}℃ 发热，禁止入内" + ("，已生成预警" if alert is not None else "")
            else:
                reason = f"{reason}；{said}" if reason else said
            advice = (*advice, *FEVER_ADVICE_WORKER)
        if direction == Direction.OUT and refusal:
            # Leaving is logged, never refused; the note keeps what the pass check said.
            refusal = ""
        passage = Passage.objects.create(
            gate=gate, enterprise_id=found.enterprise_id if found is not None else None, kind=PassageKind.WORKER, direction=direction,
            at=at, date=day, temperature=measured, fever=fever, outcome=Outcome.REFUSED if refusal else Outcome.ALLOWED,
            refusal=refusal, reason=reason[:255], person=found.person if found is not None else None, pass_record=found,
            verification=answer["reason"], alert=alert, recorded_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        _audit(passage, acting_user, request)
    return GateAnswer(passage=passage, valid=bool(answer["valid"]), verification=answer["reason"], enterprise=answer["enterprise"],
                      person=answer["person"], alert=alert, advice=advice)


def _text(value: Any, *, label: str, max_length: int, field: str, errors: dict[str, Any], required: str = "") -> str:
    try:
        text = clean_text(str(value or ""), label=label, max_length=max_length)
    except ValidationError as exc:
        errors[field] = exc.messages
        return ""
    if required and not text:
        errors[field] = required
    return text


def _person_fields(name: Any, phone: Any, *, phone_required: bool, errors: dict[str, Any], name_field: str = "name",
                   phone_field: str = "phone") -> tuple[str, str]:
    clean = ""
    try:
        clean = clean_name(str(name or ""))
    except ValidationError as exc:
        errors[name_field] = exc.messages
    number = ""
    if phone_required or str(phone or "").strip():
        try:
            number = clean_phone(str(phone or ""))
        except ValidationError as exc:
            errors[phone_field] = exc.messages
    return clean, number


def _others_answer(*, gate: Gate, kind: str, direction: str, measured: Decimal | None, at: datetime | None, acting_user: Any,
                   request: Any, **fields: Any) -> GateAnswer:
    """Log a visitor or a vehicle: a fever refuses entry (shown red, no person alert: not staff)."""
    from fugong.policy.services import current

    at = at or timezone.now()
    day, _hour = local_day_and_hour(at)
    fever = _is_fever(measured, current(gate_region(gate), at))
    refusal, reason = "", ""
    advice: tuple[str, ...] = ()
    if fever:
        advice = FEVER_ADVICE_OTHERS
        if direction == Direction.IN:
            refusal, reason = Refusal.FEVER, f"体温 {measured}℃ 发热，禁止入内"
        else:
            reason = f"体温 {measured}℃ 发热"
    with transaction.atomic():
        passage = Passage.objects.create(
            gate=gate, enterprise_id=gate.enterprise_id, kind=kind, direction=direction, at=at, date=day, temperature=measured, fever=fever,
            outcome=Outcome.REFUSED if refusal else Outcome.ALLOWED, refusal=refusal, reason=reason,
            recorded_by=acting_user if getattr(acting_user, "pk", None) else None, **fields,
        )
        _audit(passage, acting_user, request)
    return GateAnswer(passage=passage, valid=None, verification="", enterprise=gate.enterprise.name if gate.enterprise else None,
                      person=mask_name(passage.name), alert=None, advice=advice)


def visitor_record(*, gate: Gate, direction: str, name: str, phone: str = "", company: str = "", purpose: str = "", host: str = "",
                   temperature: Any = None, acting_user: Any, at: datetime | None = None, request: Any = None) -> GateAnswer:
    """A visitor at ``gate`` (访客登记): on the way in name, mobile, purpose and temperature are
    required (company and host as known); on the way out the name is enough. A fever refuses entry.
    ValidationError by field (nothing written) or PermissionDenied as :func:`gate_scan`."""
    _may_record(gate, acting_user)
    direction = _direction(direction)
    entering = direction == Direction.IN
    errors: dict[str, Any] = {}
    visitor, number = _person_fields(name, phone, phone_required=entering, errors=errors)
    fields = {
        "company": _text(company, label="来访单位", max_length=100, field="company", errors=errors),
        "purpose": _text(purpose, label="来访事由", max_length=100, field="purpose", errors=errors,
                         required="请填写来访事由，例如：送货、维修、洽谈。" if entering else ""),
        "host": _text(host, label="被访人", max_length=50, field="host", errors=errors),
    }
    measured = _temperature(temperature, required=entering, errors=errors)
    if errors:
        raise ValidationError(errors)
    return _others_answer(gate=gate, kind=PassageKind.VISITOR, direction=direction, measured=measured, at=at, acting_user=acting_user,
                          request=request, name=visitor, phone=number, **fields)


def clean_plate(text: str) -> str:
    """A number plate as typed (粤p·12345, 粤 P12345) → 粤P12345; ValidationError otherwise."""
    plate = fold(str(text or "")).translate(_PLATE_SEPARATORS).upper()
    if not plate:
        raise ValidationError("请填写车牌号，例如 粤P12345。")
    if not PLATE.match(plate):
        raise ValidationError(f"车牌号“{str(text).strip()}”格式不对，应如 粤P12345（新能源车 粤PD12345）。")
    return plate


def vehicle_record(*, gate: Gate, direction: str, plate: str, driver_name: str, driver_phone: str = "", cargo: str = "",
                   passengers: Any = 0, temperature: Any = None, acting_user: Any, at: datetime | None = None,
                   request: Any = None) -> GateAnswer:
    """A vehicle at ``gate`` (车辆登记): plate, driver and the driver's temperature on the way in
    (their mobile if given), cargo and how many ride with them. A fever of the driver refuses
    entry. ValidationError by field (nothing written) or PermissionDenied as :func:`gate_scan`."""
    _may_record(gate, acting_user)
    direction = _direction(direction)
    entering = direction == Direction.IN
    errors: dict[str, Any] = {}
    number_plate = ""
    try:
        number_plate = clean_plate(plate)
    except ValidationError as exc:
        errors["plate"] = exc.messages
    name, phone = _person_fields(driver_name, driver_phone, phone_required=False, errors=errors, name_field="driver_name",
                                 phone_field="driver_phone")
    goods = _text(cargo, label="货物", max_length=100, field="cargo", errors=errors)
    riders = 0
    text = str(passengers if passengers is not None else "").strip()
    if text:
        if text.isdigit() and int(text) <= MAX_PASSENGERS:
            riders = int(text)
        else:
            errors["passengers"] = f"随车人数应为 0–{MAX_PASSENGERS} 的整数（不含驾驶员）。"
    measured = _temperature(temperature, required=entering, errors=errors)
    if errors:
        raise ValidationError(errors)
    return _others_answer(gate=gate, kind=PassageKind.VEHICLE, direction=direction, measured=measured, at=at, acting_user=acting_user,
                          request=request, name=name, phone=phone, plate=number_plate, cargo=goods, passengers=riders)
