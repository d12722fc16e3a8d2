"""Places and enterprises of the demo data that the enterprise tests talk about."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership
from fugong.enterprises.models import Enterprise
from fugong.regions.models import Region

HITECH = "441602-GXQ"
OFFICER_GRID = "441602-GXQ-IND01"  # grid_officer's grid
NEIGHBOUR_GRID = "441602-GXQ-IND02"


@pytest.fixture
def region(db: Any) -> Callable[[str], Region]:
    """A region by code, or by name for a town of the demo counties."""

    def get(code_or_name: str) -> Region:
        found = Region.objects.filter(code=code_or_name).first()
        return found or Region.objects.get(name=code_or_name, level="town", path__regex=r"/(441602|440784)/")

    return get


@pytest.fixture
def own_enterprise(db: Any) -> Enterprise:
    """The enterprise that the demo account ent_admin looks after."""
    return Membership.objects.get(user__username="ent_admin", role=Role.ENTERPRISE).enterprise


@pytest.fixture
def other_hitech_enterprise(own_enterprise: Enterprise) -> Enterprise:
    """An enterprise of the hi-tech zone that is not ent_admin's."""
    return Enterprise.objects.filter(town__code=HITECH).exclude(pk=own_enterprise.pk).first()
