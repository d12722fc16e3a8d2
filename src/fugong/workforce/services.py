"""Writes to the personal records, and the audited reveal of an ID number.

Views, the API and tasks come through here. The roster importer validates with the same functions
(:mod:`fugong.workforce.validators`, :func:`id_number_fields`) but writes in bulk for speed, with
one audit entry per import (:mod:`fugong.workforce.importers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from fugong.audit.services import changed_fields, record
from fugong.core import crypto, idcard
from fugong.enterprises.models import Enterprise
from fugong.workforce.choices import RevocationReason
from fugong.workforce.models import ID_NUMBER_CONTEXT, Pass, Person
from fugong.workforce.validators import clean_name, clean_phone

# What a form or the API may set. Birth date and sex come from the ID number; the login account is
# linked by its own (later) service.
EDITABLE_FIELDS = [
    "name", "phone", "home_address", "household_region", "holiday_location", "return_date", "transport", "post",
    "dormitory_room", "shuttle_bus", "origin", "hired_on", "referred_by",
]
# The audit log can never be erased: for these only the fact of a change is kept.
PERSONAL_FIELDS = frozenset({"name", "id_number", "phone", "home_address", "household_region", "holiday_location", "return_date",
                             "dormitory_room", "hired_on", "referred_by"})
DUPLICATE_MESSAGE = "该身份证号已在本企业登记，不能重复登记。"
OBJECT_LABEL = "人员档案"  # what the audit log shows instead of the person's name


@dataclass(frozen=True)
class IdNumberFields:
    """What a valid ID number becomes on the record, and its warnings (never stored)."""

    encrypted: str
    index: str
    masked: str
    birth_date: date
    sex: str
    warnings: tuple[str, ...]

    def as_model_fields(self) -> dict[str, Any]:
        return {"id_number_encrypted": self.encrypted, "id_number_index": self.index, "id_masked": self.masked,
                "birth_date": self.birth_date, "sex": self.sex}


def id_number_index(number: str) -> str:
    """The blind index of an ID number as it is stored (normalised first: the index matches bytes)."""
    return crypto.blind_index(idcard.normalise(number), context=ID_NUMBER_CONTEXT)


def id_number_fields(raw: object, *, today: date | None = None) -> IdNumberFields:
    """Parse an ID number as typed (:func:`fugong.core.idcard.parse`: normalised, strict on length,
    date and check character) and derive the stored fields; :class:`IdCardError` with a Chinese
    message if it is not valid."""
    card = idcard.parse(raw, today=today)
    return IdNumberFields(
        encrypted=crypto.encrypt(card.number, context=ID_NUMBER_CONTEXT),
        index=crypto.blind_index(card.number, context=ID_NUMBER_CONTEXT),
        masked=idcard.mask(card.number),
        birth_date=card.birth_date,
        sex=card.sex,
        warnings=card.warnings,
    )


def _id_number(raw: object) -> IdNumberFields:
    try:
        return id_number_fields(raw)
    except idcard.IdCardError as exc:
        raise ValidationError({"id_number": exc.message}, code=exc.code) from None


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """The editable fields of ``data`` with name and phone read as people type them."""
    values = {key: value for key, value in data.items() if key in EDITABLE_FIELDS}
    errors: dict[str, list[ValidationError]] = {}
    for key, clean in (("name", clean_name), ("phone", clean_phone)):
        if key in values:
            try:
                values[key] = clean(str(values[key] or ""))
            except ValidationError as exc:
                errors[key] = [exc]
    if errors:
        raise ValidationError(errors)
    return values


def _resolve_referrer(values: dict[str, Any], enterprise: Enterprise, *, exclude: Any = None) -> None:
    """``referred_by`` (a person or its id) must be another registered worker of the same
    enterprise (the referral bonus of fugong.subsidies pays the referrer)."""
    if "referred_by" not in values:
        return
    value = values["referred_by"]
    if value in (None, ""):
        values["referred_by"] = None
        return
    pk = getattr(value, "pk", value)
    found = Person.objects.filter(pk=pk, enterprise=enterprise).exclude(pk=exclude).first() if _is_uuid(pk) else None
    if found is None:
        raise ValidationError({"referred_by": "介绍人须是本企业已登记的其他员工。"}, code="referrer")
    values["referred_by"] = found


def _is_uuid(value: Any) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _check_not_registered(enterprise: Enterprise, index: str, *, exclude: Any = None) -> None:
    others = Person.objects.filter(enterprise=enterprise, id_number_index=index)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ValidationError({"id_number": DUPLICATE_MESSAGE}, code="duplicate")


def person_create(*, enterprise: Enterprise, acting_user: Any, data: dict[str, Any], request: Any = None) -> Person:
    """Register one person at an enterprise.

    ``data`` holds the editable fields and ``id_number`` as typed. The ID number is normalised
    (full-width, lower-case x, spaces), checked, encrypted and indexed; a second record of the same
    number at the same enterprise is refused. Birth date and sex come from the number.
    """
    if not acting_user.has_perm("workforce.add_person", enterprise):
        raise PermissionDenied("您无权登记该企业的人员。")
    identity = _id_number(data.get("id_number"))
    values = _clean(data)
    _resolve_referrer(values, enterprise)
    person = Person(enterprise=enterprise, created_by=acting_user, **values, **identity.as_model_fields())
    person.full_clean(exclude=["enterprise", "created_by"])
    with transaction.atomic():
        # Lock the enterprise so that two registrations (or an import) of one number serialise;
        # the unique constraint is the last guard.
        Enterprise.objects.select_for_update().only("pk").get(pk=enterprise.pk)
        _check_not_registered(enterprise, identity.index)
        try:
            with transaction.atomic():
                person.save(force_insert=True)
        except IntegrityError:
            raise ValidationError({"id_number": DUPLICATE_MESSAGE}, code="duplicate") from None
        record(action="person.create", actor=acting_user, obj=person, object_label=OBJECT_LABEL, request=request,
               data={"enterprise": enterprise.pk, "id_warnings": len(identity.warnings)})
        # A new record is classified at once, so its category and pass eligibility are never stale.
        _classify(person)
    return person


def person_update(*, person: Person, acting_user: Any, data: dict[str, Any], request: Any = None) -> Person:
    """Change a person's record. A new ``id_number`` is checked like a new one (and must stay unique
    at the enterprise); birth date and sex follow it. The audit entry names the changed fields and
    keeps no personal value."""
    if not acting_user.has_perm("workforce.change_person", person):
        raise PermissionDenied("您无权修改该人员档案。")
    values = _clean(data)
    _resolve_referrer(values, person.enterprise, exclude=person.pk)
    identity = _id_number(data["id_number"]) if "id_number" in data else None
    with transaction.atomic():
        Enterprise.objects.select_for_update().only("pk").get(pk=person.enterprise.pk)
        locked = Person.objects.select_for_update().get(pk=person.pk)
        before = model_to_dict(locked, fields=EDITABLE_FIELDS) | {"id_number": locked.id_number_index}
        for key, value in values.items():
            setattr(locked, key, value)
        update_fields = list(values)
        if identity is not None and identity.index != locked.id_number_index:
            _check_not_registered(locked.enterprise, identity.index, exclude=locked.pk)
            for key, value in identity.as_model_fields().items():
                setattr(locked, key, value)
            update_fields += list(identity.as_model_fields())
        locked.full_clean(exclude=["enterprise", "created_by"])
        after = model_to_dict(locked, fields=EDITABLE_FIELDS) | {"id_number": locked.id_number_index}
        changes = changed_fields(before, after, personal=PERSONAL_FIELDS)
        if not changes:
            return locked
        try:
            with transaction.atomic():
                locked.save(update_fields=[*dict.fromkeys(update_fields), "updated_at"])
        except IntegrityError:
            raise ValidationError({"id_number": DUPLICATE_MESSAGE}, code="duplicate") from None
        record(action="person.update", actor=acting_user, obj=locked, object_label=OBJECT_LABEL, request=request,
               data={"enterprise": person.enterprise.pk, "changed": changes})
        if {"origin", "return_date"} & set(changes):  # what classification reads of the editable fields
            _classify(locked)
    return locked


def _classify(person: Person) -> None:
    from fugong.workforce.classify import person_classify

    person_classify(person=person)


def id_number_reveal(*, person: Person, acting_user: Any, request: Any = None) -> str:
    """The person's full ID number, for the platform admin and the command officers over the
    enterprise (``workforce.reveal_id_number``).

    Every reveal is audited (``person.reveal_id``) in the same transaction as the read; a refused
    attempt is audited too (``person.reveal_id_refused``) and raises PermissionDenied. Neither
    entry holds the number, the name or the masked number: only the record's id and enterprise.
    """
    data = {"enterprise": person.enterprise.pk}
    if not acting_user.has_perm("workforce.reveal_id_number", person):
        record(action="person.reveal_id_refused", actor=acting_user, obj=person, object_label=OBJECT_LABEL, request=request, data=data)
        raise PermissionDenied("您无权查看完整身份证号。")
    with transaction.atomic():
        number = person.reveal_id_number()
        record(action="person.reveal_id", actor=acting_user, obj=person, object_label=OBJECT_LABEL, request=request,
               data=data | {"key_id": crypto.key_id_of(person.id_number_encrypted)})
    return number


PASS_LABEL = "出入证"  # noqa: S105 - the audit label, not a secret


def pass_refusal(person: Person, *, today: date, has_open_pass: bool) -> str:
    """Why ``person`` may not get a pass on ``today`` ("" when they may), in Chinese, with the
    classification's reason and the eligible date: the classification must allow a pass today
    (``eligible_on`` on or before it), the person must not hold an open pass already, and the
    enterprise must not be suspended (停工)."""
    from fugong.enterprises.choices import Status as EnterpriseStatus
    from fugong.workforce.classify import INCOMPLETE_REASON, category_label

    if person.enterprise.status == EnterpriseStatus.SUSPENDED:
        return "企业已停工，停工期间不发放出入证。"
    if not person.category:
        return f"尚未分类，不能发证。{person.category_reason or INCOMPLETE_REASON}"
    label = category_label(person.category)
    if person.eligible_on is None:
        return f"{label}，不能发证：{person.category_reason}"
    if person.eligible_on > today:
        return f"{label}，{person.eligible_on:%Y-%m-%d} 起方可发证：{person.category_reason}"
    if has_open_pass:
        return "已有有效出入证，不能重复发证；如需换发，请先吊销原证。"
    return ""


def pass_issue(*, person: Person, acting_user: Any, request: Any = None, today: date | None = None) -> Pass:
    """Issue a pass to ``person`` at their enterprise, valid from today for the policy's
    ``pass_validity_days`` (the day of issue counts). For the grid or command officers over the
    enterprise (``workforce.issue_pass``); audited without any personal value.

    Refused (ValidationError with the reason and the eligible date, :func:`pass_refusal`) unless
    the person's classification allows a pass today and they hold no open pass."""
    from django.utils import timezone

    from fugong.policy.services import current

    enterprise = person.enterprise
    if not acting_user.has_perm("workforce.issue_pass", enterprise):
        raise PermissionDenied("您无权为该企业人员签发出入证。")
    start = today or timezone.localdate()
    days = int(current(enterprise.region).pass_validity_days)
    with transaction.atomic():
        Person.objects.select_for_update().only("pk").get(pk=person.pk)  # two approvals of one person serialise
        refusal = pass_refusal(person, today=start, has_open_pass=Pass.objects.filter(person=person).open_on(start).exists())
        if refusal:
            raise ValidationError(refusal, code="not_eligible")
        issued = Pass.objects.create(person=person, enterprise=enterprise, valid_from=start,
                                     valid_to=start + timedelta(days=days - 1), issued_by=acting_user)
        record(action="pass.issue", actor=acting_user, obj=issued, object_label=PASS_LABEL, request=request,
               data={"enterprise": enterprise.pk, "person": str(person.pk), "valid_to": issued.valid_to.isoformat()})
    return issued


def pass_revoke(*, pass_: Pass, reason: str, acting_user: Any, request: Any = None) -> Pass:
    """Revoke a pass (fever, quarantine, suspension, expiry, other); it lands on the revocation
    list gates fetch. Revoking a revoked pass changes nothing. Audited."""
    from django.utils import timezone

    if reason not in RevocationReason.values:
        raise ValidationError({"reason": "未知的吊销原因。"})
    if not acting_user.has_perm("workforce.revoke_pass", pass_.enterprise):
        raise PermissionDenied("您无权吊销该出入证。")
    with transaction.atomic():
        locked = Pass.objects.select_for_update().get(pk=pass_.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.revoked_reason = reason
        locked.save(update_fields=["revoked_at", "revoked_reason"])
        record(action="pass.revoke", actor=acting_user, obj=locked, object_label=PASS_LABEL, request=request,
               data={"enterprise": locked.enterprise_id, "reason": reason})
    return locked


@dataclass(frozen=True)
class BulkIssueResult:
    """What a bulk approval did: the passes issued and the persons refused, with the reason."""

    issued: list[Pass]
    refused: list[tuple[Person, str]]


def passes_issue_bulk(*, persons: Any, acting_user: Any, request: Any = None, today: date | None = None) -> BulkIssueResult:
    """Issue passes to many persons at once (the 待发证 list's "approve selected").

    Every person must be of an enterprise the user may issue for (``workforce.issue_pass``), or
    nothing is issued (PermissionDenied). Persons whose classification does not allow a pass
    today, or who already hold one, are refused one by one with the reason (:func:`pass_refusal`);
    the others get a pass, written with one ``bulk_create``. ONE audit entry records the approval
    (``pass.issue_bulk``: how many, per enterprise, and the pass ids — ids only), so a thousand
    passes take one round trip to the audit chain instead of a thousand.
    """
    from django.utils import timezone

    from fugong.policy.services import current

    start = today or timezone.localdate()
    people = list(persons)
    allowed: dict[int, bool] = {}
    for person in people:
        enterprise = person.enterprise
        if enterprise.pk not in allowed:
            allowed[enterprise.pk] = acting_user.has_perm("workforce.issue_pass", enterprise)
        if not allowed[enterprise.pk]:
            raise PermissionDenied("您无权为该企业人员签发出入证。")
    validity: dict[int, int] = {}
    issued: list[Pass] = []
    refused: list[tuple[Person, str]] = []
    with transaction.atomic():
        ids = [person.pk for person in people]
        # Lock the persons in a fixed order: a concurrent approval of the same people waits.
        list(Person.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        holding = set(Pass.objects.filter(person_id__in=ids).open_on(start).values_list("person_id", flat=True))
        seen: set[Any] = set()
        for person in people:
            refusal = pass_refusal(person, today=start, has_open_pass=person.pk in holding or person.pk in seen)
            if refusal:
                refused.append((person, refusal))
                continue
            seen.add(person.pk)
            region_id = person.enterprise.region_id
            if region_id not in validity:
                validity[region_id] = int(current(person.enterprise.region).pass_validity_days)
            issued.append(Pass(person=person, enterprise=person.enterprise, valid_from=start,
                               valid_to=start + timedelta(days=validity[region_id] - 1), issued_by=acting_user))
        if issued:
            Pass.objects.bulk_create(issued, batch_size=1000)
            per_enterprise: dict[str, int] = {}
            for item in issued:
                per_enterprise[str(item.enterprise_id)] = per_enterprise.get(str(item.enterprise_id), 0) + 1
            record(action="pass.issue_bulk", actor=acting_user, object_label=PASS_LABEL, request=request,
                   data={"count": len(issued), "refused": len(refused), "enterprises": per_enterprise,
                         "passes": [str(item.pk) for item in issued]})
    return BulkIssueResult(issued=issued, refused=refused)


def passes_revoke_for_enterprise(*, enterprise: Enterprise, reason: str, acting_user: Any, request: Any = None) -> int:
    """Revoke every open pass of ``enterprise`` (a suspension, 停工): they land on the revocation
    list, so gates that verify offline refuse them too. A consequence of the caller's decision,
    which checked its own permission; one audit entry for the lot (pass ids only). Returns how many."""
    from django.utils import timezone

    now = timezone.now()
    with transaction.atomic():
        ids = list(Pass.objects.select_for_update().filter(enterprise=enterprise, revoked_at__isnull=True,
                                                           valid_to__gte=timezone.localdate()).values_list("pk", flat=True))
        if ids:
            Pass.objects.filter(pk__in=ids).update(revoked_at=now, revoked_reason=reason)
            record(action="pass.revoke_bulk", actor=acting_user, object_label=PASS_LABEL, request=request,
                   data={"enterprise": enterprise.pk, "reason": reason, "count": len(ids), "passes": [str(pk) for pk in ids]})
    return len(ids)
