from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fugong.regions.models import Region


@pytest.fixture
def region(db: Any) -> Callable[[str], Region]:
    return lambda code: Region.objects.get(code=code)
