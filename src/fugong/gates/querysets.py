"""Scoping of the gate log."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from fugong.core.models import ScopedQuerySet
from fugong.enterprises.querysets import region_q


def gate_scope_q(scope: Any, prefix: str = "") -> Q:
    """Gates a scope reads the log of (``prefix`` reaches the gate from another model):

    - a gate guard: the gates they guard;
    - an enterprise admin: their enterprise's gates;
    - command and grid officers: enterprise gates in their jurisdictions, and checkpoints whose
      region lies in them (a county's checkpoint is the county command's, not a town's);
    - reviewers and employees: none (reviewers decide on applications; an employee sees their own
      record, not the gate's log of their colleagues).
    """
    paths = scope.command_paths + scope.grid_paths
    return (
        Q(**{f"{prefix}pk__in": scope.gate_ids})
        | Q(**{f"{prefix}enterprise_id__in": scope.enterprise_ids})
        | region_q(paths, f"{prefix}enterprise__region")
        | region_q(paths, f"{prefix}region")
    )


class PassageQuerySet(ScopedQuerySet):
    """Passages of the gates the user may read (:func:`gate_scope_q`), wherever the worker is from."""

    def for_scope(self, scope: Any) -> PassageQuerySet:
        return self.filter(gate_scope_q(scope, "gate__"))  # type: ignore[return-value]

    def on(self, day: Any) -> PassageQuerySet:
        return self.filter(date=day)  # type: ignore[return-value]
