"""Loading the real division tree and creating local grids and departments."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from fugong.audit.services import record
from fugong.regions.choices import Level
from fugong.regions.divisions import iter_divisions
from fugong.regions.models import Department, Region


def load_divisions(county_codes: Iterable[str] | None = None, *, with_towns: bool = True) -> int:
    """Create every province, city and county, and the towns of ``county_codes`` (of all
    counties when None). Existing codes are left as they are, so loading twice is harmless.
    Returns the number of regions created."""
    known: dict[str, Region] = {r.code: r for r in Region.objects.filter(level__in=[Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWN])}
    created = 0
    batch: list[Region] = []
    current_level = None

    def flush() -> None:
        nonlocal created, batch
        if batch:
            Region.objects.bulk_create(batch, batch_size=2000)
            for region in Region.objects.filter(code__in=[r.code for r in batch]):
                known[region.code] = region
            created += len(batch)
            batch = []

    with transaction.atomic():
        for division in iter_divisions(list(county_codes) if county_codes is not None else None, with_towns=with_towns):
            if division.level != current_level:
                flush()  # parents must have primary keys before their children are built
                current_level = division.level
            if division.code in known:
                continue
            parent = known.get(division.parent_code) if division.parent_code else None
            path, full_name = Region.derive(parent, division.code, division.name, division.level)
            batch.append(Region(code=division.code, name=division.name, level=division.level, parent=parent, path=path, full_name=full_name))
        flush()
    return created


def region_create(*, parent: Region, code: str, name: str, level: str, acting_user: Any = None, **extra: Any) -> Region:
    """Create a local node (a village/community, a grid or a development zone) under ``parent``."""
    with transaction.atomic():
        region = Region(parent=parent, code=code, name=name, level=level, **extra)
        region.full_clean()
        region.save()
        record(action="region.create", actor=acting_user, obj=region, data={"code": code, "level": level})
    return region


def department_create(*, region: Region, name: str, kind: str, acting_user: Any = None) -> Department:
    with transaction.atomic():
        department = Department(region=region, name=name, kind=kind, created_by=acting_user)
        department.full_clean()
        department.save()
        record(action="department.create", actor=acting_user, obj=department)
    return department
