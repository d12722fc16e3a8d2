"""Scoping of help requests, routing rules and the labour-demand ledger.

Help requests (诉求):
- command officers: the requests of enterprises in their jurisdictions;
- department reviewers: the requests routed to their department, of enterprises inside its
  jurisdiction (as resumption applications routed to them);
- grid officers: their grid's enterprises' requests, read only (the rules refuse every action);
- an enterprise admin: their enterprise's requests;
- employees and gate guards: none.

Routing rules: the admin all; a command officer the rules of regions in their jurisdiction (the
rules above it are shown read only on the page, not through this queryset); nobody else.

Positions (用工需求): officers by the enterprise's place — command, grid and reviewers alike
(a position is an enterprise's public job advert with a masked contact: every department serving
the place may read the ledger; only the 人社 department's reviewers and the command update its
matching figures); an enterprise admin their enterprise's; employees and gate guards none.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from fugong.core.models import ScopedQuerySet
from fugong.enterprises.querysets import region_q


class HelpRequestQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Any) -> HelpRequestQuerySet:
        routed = Q(department_id__in=scope.department_ids) & region_q(scope.reviewer_paths, "enterprise__region")
        return self.filter(  # type: ignore[return-value]
            region_q(scope.command_paths + scope.grid_paths, "enterprise__region") | routed | Q(enterprise_id__in=scope.enterprise_ids)
        )

    def overdue(self, now: Any = None) -> HelpRequestQuerySet:
        from fugong.assistance.choices import AWAITING_ANSWER

        return self.filter(status__in=AWAITING_ANSWER, answer_due_at__lt=now or timezone.now())  # type: ignore[return-value]


class RoutingRuleQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Any) -> RoutingRuleQuerySet:
        return self.filter(region_q(scope.command_paths, "region"))  # type: ignore[return-value]


OPEN_POSITIONS = Case(When(status="open", then=F("count") - F("filled_count")), default=Value(0), output_field=IntegerField())


class PositionQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Any) -> PositionQuerySet:
        return self.filter(region_q(scope.region_paths, "enterprise__region") | Q(enterprise_id__in=scope.enterprise_ids))  # type: ignore[return-value]

    def totals(self) -> dict[str, int]:
        """Positions, people wanted, matched, filled, and still open (wanted − filled of open positions)."""
        sums = self.order_by().aggregate(positions=Count("pk"), wanted=Sum("count"), matched=Sum("matched_count"),
                                         filled=Sum("filled_count"), open=Sum(OPEN_POSITIONS))
        return {key: int(value or 0) for key, value in sums.items()}
