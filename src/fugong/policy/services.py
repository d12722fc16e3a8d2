"""Reading the policy in force and publishing new versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from fugong.audit.services import record
from fugong.policy.models import PolicyVersion
from fugong.policy.parameters import BY_KEY, PARAMETERS, defaults
from fugong.regions.choices import Level
from fugong.regions.models import Region


@dataclass(frozen=True)
class Policy:
    """The parameters in force for one place at one moment, and where each value came from."""

    values: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)
    version_ids: tuple[int, ...] = ()

    def __getattr__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise AttributeError(key) from None

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


def _latest(region: Region | None, at: datetime) -> PolicyVersion | None:
    return (
        PolicyVersion.objects.filter(region=region, effective_from__lte=at)
        .order_by("-effective_from", "-version")
        .first()
    )


def current(region: Region | None = None, at: datetime | None = None) -> Policy:
    """The policy in force for ``region`` at ``at`` (now by default): the base version in force,
    overlaid by the county's own version in force, if the region lies in a county that has one.
    Parameters neither sets mention keep the seeds' defaults."""
    at = at or timezone.now()
    values = defaults()
    sources = {key: "默认值" for key in values}
    used: list[int] = []
    layers: list[PolicyVersion | None] = [_latest(None, at)]
    county = None
    if region is not None:
        county = region if region.level == Level.COUNTY else region.ancestor_at(Level.COUNTY)
        if county is not None:
            layers.append(_latest(county, at))
    for layer in layers:
        if layer is None:
            continue
        used.append(layer.pk)
        for key, raw in layer.values.items():
            if key in BY_KEY:  # a parameter retired from the code is ignored, not fatal
                values[key] = BY_KEY[key].parse(raw)
                sources[key] = str(layer)
    return Policy(values=values, sources=sources, version_ids=tuple(used))


def validate_values(raw: dict[str, Any]) -> dict[str, Any]:
    """Parse and check submitted values; raise ValueError listing every problem in Chinese."""
    errors: list[str] = []
    clean: dict[str, Any] = {}
    for key, value in raw.items():
        parameter = BY_KEY.get(key)
        if parameter is None:
            errors.append(f"未知参数“{key}”。")
            continue
        try:
            clean[key] = parameter.dump(parameter.parse(value))
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        raise ValueError("；".join(errors))
    return clean


def policy_publish(
    *, region: Region | None, values: dict[str, Any], effective_from: datetime, note: str, acting_user: Any, request: Any = None
) -> PolicyVersion:
    """Publish a new version (base policy when ``region`` is None, else a county override).

    A county override keeps only the values that differ from the base policy in force, so a
    later change of the base still reaches the county for everything it did not decide itself.
    """
    if region is not None and region.level != Level.COUNTY:
        raise ValueError("政策覆盖只能按县区设置。")
    clean = validate_values(values)
    with transaction.atomic():
        before = current(region, effective_from)
        if region is not None:
            base = current(None, effective_from)
            clean = {k: v for k, v in clean.items() if BY_KEY[k].parse(v) != base.values[k]}
        else:
            # The base version is always complete, so it never depends on an earlier one.
            complete = {p.key: p.dump(p.default) for p in PARAMETERS}
            previous = _latest(None, effective_from)
            if previous is not None:
                complete.update(previous.values)
            complete.update(clean)
            clean = complete
        number = (PolicyVersion.objects.filter(region=region).aggregate(n=Max("version"))["n"] or 0) + 1
        version = PolicyVersion.objects.create(
            region=region, version=number, effective_from=effective_from, values=clean, note=note, created_by=acting_user
        )
        record(action="policy.publish", actor=acting_user, obj=version, request=request,
               data={"region": region.code if region else None, "version": number, "effective_from": effective_from, "values": clean})
        # Classifications of workers read the policy: re-evaluate those it governs once this commits.
        from fugong.workforce.classify import policy_published

        policy_published(region=region, before=before, after=current(region, effective_from), acting_user=acting_user, request=request,
                         not_before=effective_from)
    return version


def history(region: Region | None) -> list[PolicyVersion]:
    return list(PolicyVersion.objects.filter(Q(region=region)).select_related("created_by", "region")[:50])
