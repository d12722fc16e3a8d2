"""Classifying a person (SPEC.md "Workers → Classification") from what their record says.

:func:`fugong.policy.classification.classify` is pure: it takes :class:`WorkerFacts` and a policy.
This module builds those facts from a :class:`~fugong.workforce.models.Person` — origin, the travel
history checked against the risk-area list (:class:`RiskIndex`), contact with cases, the return
date, today's health declaration — and stores the decision on the person with its rule, reason
and dates, writing a :class:`~fugong.workforce.models.ClassificationChange` when the category or
the eligible date moved.

:func:`person_classify` does one person (after a declaration, an edit); :func:`classify_people`
does many at once for re-evaluation runs and the demo: the policy, the risk list, the region
paths and the declarations are read once per batch, and the persons are written with one
``bulk_update`` and the changes with one ``bulk_create``.

A person without an origin is not guessed: only the rules that do not depend on the origin
(fever or cough; key-area travel or contact) can decide for them; otherwise the category stays
blank and the reason says the record is incomplete (资料不全).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from fugong.policy.classification import Category, Classification, Origin, WorkerFacts, classify
from fugong.workforce.choices import PersonOrigin
from fugong.workforce.models import ClassificationChange, HealthDeclaration, Person, RiskArea

INCOMPLETE_REASON = "资料不全：未填写来源地，暂无法分类。请补充来源地（本地未外出、本市其他区、省内其他城市或外省）。"
INCOMPLETE_LABEL = "资料不全"
# The classification fields a decision writes on the person.
CLASSIFICATION_FIELDS = ["category", "category_rule", "category_reason", "eligible_on", "checks_until", "classified_at"]
# Decisions that do not depend on the origin (rules 1 and 2): they stand even when it is missing.
ORIGIN_FREE = frozenset({Category.REFUSED_FEVER, Category.MUST_NOT_RETURN, Category.CENTRAL_QUARANTINE})
# Categories whose decision came from the key-area rule: a change of the risk-area list re-evaluates them.
TRAVEL_RULE = frozenset({Category.MUST_NOT_RETURN.value, Category.CENTRAL_QUARANTINE.value})


# -- the risk-area list -------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskWindow:
    """One risk area as the matcher needs it: when it was one (``valid_to`` None: still is)."""

    valid_from: date
    valid_to: date | None


class RiskIndex:
    """The risk-area list by region code. A trip's region is in a risk area when the area's region
    is the trip's region or one of its ancestors (the path prefix rule), on an overlapping day."""

    def __init__(self, areas: Iterable[tuple[str, date, date | None]] = ()) -> None:
        self._by_code: dict[str, list[RiskWindow]] = {}
        for code, valid_from, valid_to in areas:
            self._by_code.setdefault(code, []).append(RiskWindow(valid_from, valid_to))

    @classmethod
    def load(cls) -> RiskIndex:
        """Every risk area on record (a few hundred at most: the list is national)."""
        return cls(RiskArea.objects.values_list("region__code", "valid_from", "valid_to"))

    @classmethod
    def of(cls, areas: RiskIndex | Iterable[RiskArea] | None) -> RiskIndex:
        if areas is None:
            return cls.load()
        if isinstance(areas, RiskIndex):
            return areas
        return cls((area.region.code, area.valid_from, area.valid_to) for area in areas)

    def __bool__(self) -> bool:
        return bool(self._by_code)

    def hit(self, codes: Iterable[str], start: date, end: date) -> bool:
        """Whether a region with these ancestor codes was in a risk area on a day of [start, end]."""
        for code in codes:
            for window in self._by_code.get(code, ()):
                if window.valid_from <= end and (window.valid_to is None or window.valid_to >= start):
                    return True
        return False


class RegionCodes:
    """The codes of a region and its ancestors, from the tree's materialised paths.

    The tree holds every province, city and county but towns only where the platform is used; a
    trip to a town the tree lacks still has a GB/T 2260-shaped code whose first six digits name the
    county, so its ancestors are read from the code (county, city, province) rather than missed.
    """

    def __init__(self) -> None:
        self._paths: dict[str, tuple[str, ...]] = {}

    def prime(self, codes: Iterable[str]) -> None:
        """Read the paths of the codes not yet known, in one query."""
        from fugong.regions.models import Region

        wanted = {c for c in codes if c and c not in self._paths}
        if not wanted:
            return
        for code, path in Region.objects.filter(code__in=wanted).values_list("code", "path"):
            self._paths[code] = _codes_of_path(path)
        missing = wanted - set(self._paths)
        # A town the tree lacks: its county (the first six digits) usually is there.
        counties = dict(Region.objects.filter(code__in={c[:6] for c in missing if c.isdigit()}).values_list("code", "path"))
        for code in missing:
            county = counties.get(code[:6]) if code.isdigit() else None
            self._paths[code] = (*_codes_of_path(county), code) if county else _codes_from_division_code(code)

    def ancestors(self, code: str) -> tuple[str, ...]:
        if code not in self._paths:
            self.prime([code])
        return self._paths[code]


def _codes_of_path(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.strip("/").split("/") if part)


def _codes_from_division_code(code: str) -> tuple[str, ...]:
    """Province, city, county (and the code itself) of a GB/T 2260 or statistical township code."""
    if not code.isdigit() or len(code) < 6:
        return (code,)
    county = code[:6]
    return tuple(dict.fromkeys((code[:2] + "0000", code[:4] + "00", county, code)))


# -- facts --------------------------------------------------------------------------------------


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None


def key_area_places(travel_history: Sequence[Any], *, today: date, travel_days: int, risk: RiskIndex,
                    regions: RegionCodes) -> tuple[str, ...]:
    """The places of the travel history that were in a risk area within the last ``travel_days``
    days (today counts as one), by the names the person gave them.

    A trip counts when its days, the window and the risk area's validity share at least one day. A
    trip without dates was declared for the window, so the whole window is assumed (the
    declaration asks for the last ``travel_days`` days only).
    """
    if not risk:
        return ()
    window_start = today - timedelta(days=max(travel_days, 1) - 1)
    places: list[str] = []
    for trip in travel_history or ():
        if not isinstance(trip, dict):
            continue
        code = str(trip.get("region") or "").strip()
        if not code:
            continue
        start = _day(trip.get("from")) or window_start
        end = _day(trip.get("to")) or today
        start, end = max(start, window_start), min(end, today)
        if start > end:
            continue
        if risk.hit(regions.ancestors(code), start, end):
            places.append(str(trip.get("name") or code).strip())
    return tuple(dict.fromkeys(places))


@dataclass(frozen=True)
class Symptoms:
    """What today's declaration said about fever and cough."""

    temperature: Decimal | None = None
    cough: bool = False
    declared_fever: bool = False  # ticked "fever" without a measured temperature at the threshold


NO_SYMPTOMS = Symptoms()


def symptoms_of(declaration: HealthDeclaration | None, policy: Any) -> Symptoms:
    """A declared fever without a temperature at the threshold counts as a fever at the threshold:
    the person said they have one (the reason then says so instead of quoting a temperature)."""
    if declaration is None:
        return NO_SYMPTOMS
    threshold = Decimal(str(policy.fever_threshold_celsius))
    temperature = declaration.temperature
    if declaration.fever and (temperature is None or temperature < threshold):
        return Symptoms(temperature=threshold, cough=bool(declaration.cough), declared_fever=True)
    return Symptoms(temperature=temperature, cough=bool(declaration.cough))


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def declarations_of_day(person_ids: Iterable[Any], day: date) -> dict[Any, HealthDeclaration]:
    """Each person's latest declaration sent on ``day`` (Asia/Shanghai), in one query."""
    start, end = _day_bounds(day)
    latest: dict[Any, HealthDeclaration] = {}
    rows = (HealthDeclaration.objects.filter(person_id__in=list(person_ids), declared_at__gte=start, declared_at__lt=end)
            .only("person_id", "declared_at", "temperature", "fever", "cough").order_by("person_id", "-declared_at"))
    for declaration in rows:
        latest.setdefault(declaration.person_id, declaration)
    return latest


def facts_for(person: Person, *, today: date, policy: Any, risk: RiskIndex, regions: RegionCodes,
              symptoms: Symptoms = NO_SYMPTOMS) -> WorkerFacts:
    """The facts of ``person`` as of ``today``. A missing origin is given as "local, not away",
    which only the origin-dependent rules read: :func:`decide` discards their answer."""
    places = key_area_places(person.travel_history, today=today, travel_days=int(policy.travel_history_days), risk=risk,
                             regions=regions)
    back = person.return_date is not None and person.return_date <= today
    return WorkerFacts(
        origin=person.origin if person.origin in PersonOrigin.values else Origin.LOCAL_NOT_AWAY,
        today=today,
        from_key_area=bool(places),
        key_area_places=places,
        contact_with_case=bool(person.contact_with_case),
        already_back=back,
        return_date=person.return_date,
        temperature=symptoms.temperature,
        cough=symptoms.cough,
    )


# -- decisions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What is stored on the person: the category ("" when the record is incomplete) and its
    explanation, and the classification it came from (None when incomplete)."""

    category: str
    rule: str
    reason: str
    eligible_on: date | None
    checks_until: date | None
    classification: Classification | None


def decide(person: Person, *, today: date, policy: Any, risk: RiskIndex, regions: RegionCodes,
           symptoms: Symptoms = NO_SYMPTOMS) -> Decision:
    """Classify ``person`` without writing anything."""
    facts = facts_for(person, today=today, policy=policy, risk=risk, regions=regions, symptoms=symptoms)
    result = classify(facts, policy)
    if person.origin not in PersonOrigin.values and result.category not in ORIGIN_FREE:
        return Decision("", "", INCOMPLETE_REASON, None, None, None)
    reason = result.reason
    if result.category == Category.REFUSED_FEVER and symptoms.declared_fever:
        # classify() quoted the threshold as if it had been measured; say what was declared.
        said = "申报有发热症状" + ("，且有咳嗽症状" if symptoms.cough else "")
        reason = said + "：" + reason.split("：", 1)[1]
    return Decision(result.category.value, result.rule, reason, result.eligible_on, result.needs_checks_until, result)


def _apply(person: Person, decision: Decision, *, at: datetime, run: Any) -> ClassificationChange | None:
    """Set the decision on ``person`` (in memory) and return the change to record, if any."""
    old_category, old_eligible = person.category, person.eligible_on
    person.category = decision.category
    person.category_rule = decision.rule[:255]
    person.category_reason = decision.reason
    person.eligible_on = decision.eligible_on
    person.checks_until = decision.checks_until
    person.classified_at = at
    if old_category == decision.category and old_eligible == decision.eligible_on:
        return None
    return ClassificationChange(
        person=person, run=run, changed_at=at, old_category=old_category, new_category=decision.category,
        old_eligible_on=old_eligible, new_eligible_on=decision.eligible_on, rule=decision.rule[:255] or INCOMPLETE_LABEL,
        reason=decision.reason,
    )


def _moments(today: date | None, at: datetime | None) -> tuple[date, datetime]:
    at = at or timezone.now()
    return today or timezone.localdate(at), at


def person_classify(*, person: Person, today: date | None = None, policy: Any = None, risk_areas: Any = None, run: Any = None,
                    at: datetime | None = None) -> ClassificationChange | None:
    """Classify ``person`` under the policy in force at their enterprise and store the decision
    (category, rule, reason, eligible date, end of checks, time) on the record.

    ``risk_areas`` is a :class:`RiskIndex` or RiskArea rows (all of them by default); ``policy``
    the one in force at the enterprise at ``at`` by default. Returns the
    :class:`ClassificationChange` written when the category or the eligible date changed (linked to
    ``run`` when a re-evaluation did it), else None. No audit entry: the decision is computed, not
    taken by someone, and the change rows are its history.
    """
    from fugong.policy.services import current

    today, at = _moments(today, at)
    policy = policy or current(person.enterprise.region, at)
    risk = RiskIndex.of(risk_areas)
    declaration = declarations_of_day([person.pk], today).get(person.pk)
    decision = decide(person, today=today, policy=policy, risk=risk, regions=RegionCodes(), symptoms=symptoms_of(declaration, policy))
    with transaction.atomic():
        change = _apply(person, decision, at=at, run=run)
        person.save(update_fields=CLASSIFICATION_FIELDS)
        if change is not None:
            change.save(force_insert=True)
            revoke_passes_of_barred([(person, decision)], today=today, at=at, run=run)
    return change


class PolicyCache:
    """The policy in force per enterprise region, read once per region for a batch."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self._by_region: dict[int, Any] = {}

    def __call__(self, person: Person) -> Any:
        from fugong.policy.services import current

        region_id = person.enterprise.region_id
        if region_id not in self._by_region:
            self._by_region[region_id] = current(person.enterprise.region, self.at)
        return self._by_region[region_id]


@dataclass
class BatchResult:
    done: int = 0
    changed: int = 0


def classify_people(persons: Sequence[Person], *, today: date | None = None, at: datetime | None = None, run: Any = None,
                    risk: RiskIndex | None = None, regions: RegionCodes | None = None,
                    policy_for: Callable[[Person], Any] | None = None) -> BatchResult:
    """Classify a batch of persons (loaded with ``select_related("enterprise__region")``) and
    store the decisions: one ``bulk_update`` of the persons, one ``bulk_create`` of the changes.
    Pass ``risk``, ``regions`` and ``policy_for`` to share them between batches."""
    today, at = _moments(today, at)
    risk = risk if risk is not None else RiskIndex.load()
    regions = regions or RegionCodes()
    policy_for = policy_for or PolicyCache(at)
    regions.prime(str(trip.get("region")) for person in persons for trip in person.travel_history or () if isinstance(trip, dict))
    declarations = declarations_of_day([p.pk for p in persons], today)
    changes: list[ClassificationChange] = []
    moved: list[tuple[Person, Decision]] = []
    for person in persons:
        policy = policy_for(person)
        decision = decide(person, today=today, policy=policy, risk=risk, regions=regions,
                          symptoms=symptoms_of(declarations.get(person.pk), policy))
        change = _apply(person, decision, at=at, run=run)
        if change is not None:
            changes.append(change)
            moved.append((person, decision))
    with transaction.atomic():
        write_classifications(persons)
        ClassificationChange.objects.bulk_create(changes, batch_size=1000)
        revoke_passes_of_barred(moved, today=today, at=at, run=run)
    return BatchResult(done=len(persons), changed=len(changes))


def write_classifications(persons: Sequence[Person]) -> None:
    """Store the classification fields of many persons: one prepared UPDATE run with
    ``executemany``. ``bulk_update`` builds a CASE expression per field and row, which costs
    seconds per thousand rows; this costs milliseconds. Values are prepared by the model's own
    fields (dates, aware datetimes, the UUID key), as ``save`` would."""
    from django.db import connections, router

    if not persons:
        return
    connection = connections[router.db_for_write(Person)]
    quote = connection.ops.quote_name
    fields: list[Any] = [Person._meta.get_field(name) for name in CLASSIFICATION_FIELDS]
    key: Any = Person._meta.pk
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(Person._meta.db_table)} SET {assignments} WHERE {quote(key.column)} = %s"  # noqa: S608 - names from the model
    rows = [[f.get_db_prep_save(getattr(person, f.attname), connection) for f in fields] + [key.get_db_prep_save(person.pk, connection)]
            for person in persons]
    with connection.cursor() as cursor:
        # The driver's own cursor: pghistory's context (active in a request on PostgreSQL) prefixes
        # every statement through Django's execute wrappers and mangles executemany's rows; the
        # person table has no row history, so it has nothing to record here.
        cursor.cursor.executemany(sql, rows)


# Why a pass is revoked when a new classification bars its holder (SPEC.md: revoked on fever,
# quarantine or suspension; "must not return" is none of those: 其他).
BARRED_REASONS: dict[str, str] = {
    Category.REFUSED_FEVER.value: "fever",
    Category.CENTRAL_QUARANTINE.value: "quarantine",
    Category.ISOLATE_BEFORE_PASS.value: "quarantine",
    Category.MUST_NOT_RETURN.value: "other",
}


def revoke_passes_of_barred(moved: Sequence[tuple[Person, Decision]], *, today: date, at: datetime, run: Any = None) -> int:
    """Revoke the open passes of persons whose new classification bars them today (refused, or
    eligible only later): a pass must not open the gate for someone now due in quarantine.

    An incomplete record (blank category) decides nothing, so its passes stay. One audit entry
    for the lot (``pass.revoke_bulk``, automatic, pass ids only). Returns how many were revoked."""
    from fugong.audit.services import record
    from fugong.workforce.models import Pass

    barred = {person.pk: BARRED_REASONS.get(decision.category, "other") for person, decision in moved
              if decision.category and (decision.eligible_on is None or decision.eligible_on > today)}
    if not barred:
        return 0
    open_passes = list(Pass.objects.filter(person_id__in=list(barred)).open_on(today).select_for_update())
    for item in open_passes:
        item.revoked_at = at
        item.revoked_reason = barred[item.person_id]
    if open_passes:
        Pass.objects.bulk_update(open_passes, ["revoked_at", "revoked_reason"])
        record(action="pass.revoke_bulk", object_label="出入证",
               data={"count": len(open_passes), "automatic": True, "run": run.pk if run is not None else None,
                     "passes": [str(item.pk) for item in open_passes]})
    return len(open_passes)


def category_label(category: str) -> str:
    """The category's Chinese label, "资料不全" for a blank one."""
    from fugong.workforce.choices import ClassificationCategory

    return str(dict(ClassificationCategory.choices).get(category, INCOMPLETE_LABEL)) if category else INCOMPLETE_LABEL


def classify_queryset(people: Any, *, run: Any = None, today: date | None = None, at: datetime | None = None, chunk: int = 1000,
                      progress: Callable[[BatchResult | None, int], None] | None = None) -> BatchResult:
    """Classify every person of a queryset, ``chunk`` at a time, each chunk in its own transaction
    (``progress(None, total)`` first, then ``progress(batch, total)`` after each committed chunk).
    The risk list, region paths and policies are read once for all chunks."""
    today, at = _moments(today, at)
    ids = list(people.order_by("pk").values_list("pk", flat=True))
    if progress:
        progress(None, len(ids))
    risk, regions, policies = RiskIndex.load(), RegionCodes(), PolicyCache(at)
    total = BatchResult()
    for offset in range(0, len(ids), chunk):
        batch = list(Person.objects.filter(pk__in=ids[offset:offset + chunk]).select_related("enterprise__region")
                     .defer("id_number_encrypted", "home_address", "household_region", "holiday_location"))
        with transaction.atomic():
            result = classify_people(batch, today=today, at=at, run=run, risk=risk, regions=regions, policy_for=policies)
            if progress:
                progress(result, len(ids))
        total.done += result.done
        total.changed += result.changed
    return total


# -- re-evaluation runs -------------------------------------------------------------------------

RUN_CHUNK = 1000  # persons per batch: one bulk_update, one progress update


def affected_people(run: Any) -> Any:
    """Whom a run re-classifies.

    - the risk-area list changed: everyone with a travel history, and everyone classified by the
      key-area rule now (an area that ended may free them);
    - a county's policy changed: the staff of that county's enterprises; the base policy: everyone;
    - by hand: the staff in the run's region (everyone without one).
    """
    from django.db.models import Q

    from fugong.workforce.choices import ReevaluationTrigger

    people = Person.objects.all()
    if run.trigger == ReevaluationTrigger.RISK_AREAS:
        people = people.filter(~Q(travel_history=[]) | Q(category__in=TRAVEL_RULE))
    if run.region_id is not None:
        people = people.filter(enterprise__region__path__startswith=run.region.path)
    return people


def reevaluation_start(*, trigger: str, region: Any = None, acting_user: Any = None, request: Any = None,
                       not_before: datetime | None = None) -> Any:
    """Record a re-evaluation run and start it in the background once the transaction that asked
    for it commits (the risk-area change or the policy version must be visible to the task), or
    at ``not_before`` when that is later (a policy version effective in the future).

    Audited (``reevaluation.start``) in the caller's transaction. Without a broker the task runs
    in-process right after the commit (Celery eager mode, which ignores ``not_before``)."""
    from fugong.audit.services import record
    from fugong.workforce.models import ReevaluationRun

    with transaction.atomic():
        run = ReevaluationRun.objects.create(trigger=trigger, region=region, created_by=acting_user if getattr(acting_user, "pk", None) else None)
        record(action="reevaluation.start", actor=acting_user, obj=run, object_label="重新评估", request=request,
               data={"trigger": trigger, "region": region.code if region is not None else None})
        transaction.on_commit(lambda: _launch(run.pk, not_before))
    return run


def _launch(run_id: int, not_before: datetime | None = None) -> None:
    from fugong.workforce.models import ReevaluationRun
    from fugong.workforce.tasks import reevaluate_task

    try:
        later = not_before is not None and not_before > timezone.now()
        result = reevaluate_task.apply_async(kwargs={"run_id": run_id}, eta=not_before if later else None)
    except Exception as exc:  # a broker that is down must not turn a saved change into an error page
        from fugong.workforce.choices import RunStatus

        # In eager mode the task's own failure arrives here too, already recorded on the run.
        ReevaluationRun.objects.filter(pk=run_id, status=RunStatus.PENDING).update(status=RunStatus.FAILED,
                                                                                  error=f"无法启动后台任务：{exc}"[:2000])
        return
    ReevaluationRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id or "")[:64])


def reevaluation_execute(run_id: int, *, today: date | None = None, chunk: int = RUN_CHUNK) -> Any:
    """Re-classify everyone a run affects, ``chunk`` persons at a time, each batch committed with
    the run's progress (``done``/``total``/``changed``) so the page can follow it. A failure marks
    the run failed with the error; the batches already done stay done."""
    from django.db.models import F

    from fugong.workforce.choices import RunStatus
    from fugong.workforce.models import ReevaluationRun

    run = ReevaluationRun.objects.select_related("region").get(pk=run_id)
    if run.status == RunStatus.DONE:
        return run  # a task delivered again after it finished (acks_late) does not run twice
    today, at = _moments(today, None)
    ReevaluationRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=at, done=0, changed=0)

    def progress(batch: BatchResult | None, total: int) -> None:
        if batch is None:
            ReevaluationRun.objects.filter(pk=run.pk).update(total=total)
        else:
            ReevaluationRun.objects.filter(pk=run.pk).update(done=F("done") + batch.done, changed=F("changed") + batch.changed)

    try:
        classify_queryset(affected_people(run), run=run, today=today, at=at, chunk=chunk, progress=progress)
    except Exception as exc:
        ReevaluationRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now(), error=str(exc)[:2000])
        raise
    ReevaluationRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    return run


# The parameters classify() reads: a policy version that changes none of them re-classifies no one.
CLASSIFICATION_PARAMETERS = ("travel_history_days", "central_quarantine_days", "outside_city_isolation_days",
                             "other_district_monitoring_days", "fever_threshold_celsius", "checkins_per_day")


def policy_published(*, region: Any, before: Any, after: Any, acting_user: Any = None, request: Any = None,
                     not_before: datetime | None = None) -> Any:
    """Called by :func:`fugong.policy.services.policy_publish` inside its transaction: when the new
    version changes a parameter classification reads, start a re-evaluation of the persons it
    governs (the county's enterprises' staff, everyone for the base policy). Returns the run or
    None."""
    from fugong.workforce.choices import ReevaluationTrigger

    if all(before[key] == after[key] for key in CLASSIFICATION_PARAMETERS):
        return None
    return reevaluation_start(trigger=ReevaluationTrigger.POLICY, region=region, acting_user=acting_user, request=request,
                              not_before=not_before)
