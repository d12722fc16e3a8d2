"""The dashboards read the rollups; every figure equals the list it links to (the test follows the
link and counts the rows); the JSON endpoint's queries are bounded whatever the county's size."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fugong.accounts.models import User
from fugong.accounts.scope import scope_of
from fugong.command.models import DailyRollup
from fugong.command.rollups import rollup_rebuild, rollup_refresh
from fugong.command.selectors import dashboard_figures, place_of
from fugong.command.services import flags_refresh
from fugong.regions.models import Region

pytestmark = pytest.mark.django_db

# Figures that are sums or rates, not rows of their list.
NOT_COUNTS = {"resumption_rate", "return_rate", "help_response_hours", "people_wanted", "planned_workers"}


@pytest.fixture
def fresh() -> None:
    flags_refresh()
    rollup_refresh()


def _count(client: Client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


@pytest.mark.parametrize("username, town", [("county_cmd", None), ("hitech_cmd", None), ("grid_officer", None), ("county_cmd", "高新区"),
                                            ("jmb_reviewer", None)])
def test_every_number_equals_the_list_it_clicks_to(fresh: None, client_for: Callable[[str], Client], username: str, town: str | None) -> None:
    client = client_for(username)
    query = {"town": Region.objects.get(level="town", name=town).pk} if town else {}
    response = client.get("/command/", query)
    assert response.status_code == 200
    totals, links = response.context["t"], response.context["links"]
    assert totals["enterprises"] > 0
    checked = 0
    for key, url in links.items():
        if key in NOT_COUNTS:
            continue
        assert _count(client, url) == totals[key], (key, url)
        checked += 1
    assert checked >= (5 if username == "jmb_reviewer" else 20)
    for area in response.context["figures"]["areas"]:
        assert _count(client, area["links"]["enterprises"]) == area["enterprises"]
        assert _count(client, area["links"]["flag_red"]) == area["flag_red"]


def test_a_reviewer_sees_no_figure_whose_list_it_cannot_open(fresh: None, client_for: Callable[[str], Client]) -> None:
    response = client_for("jmb_reviewer").get("/command/")
    assert "iso_home" not in response.context["links"]
    assert b'data-testid="section-isolation"' not in response.content


def test_a_town_officer_cannot_open_another_town(client_for: Callable[[str], Client]) -> None:
    other = Region.objects.filter(level="town").exclude(name="高新区").order_by("pk").first()
    assert other is not None
    assert client_for("hitech_cmd").get("/command/", {"town": other.pk}).status_code == 404


def test_the_json_dashboard_takes_a_handful_of_queries(fresh: None, client_for: Callable[[str], Client],
                                                      django_assert_max_num_queries: Any) -> None:
    client = client_for("county_cmd")
    client.get("/command/dashboard.json")  # the session and the policy cache warm
    with django_assert_max_num_queries(14):
        response = client.get("/command/dashboard.json")
    data = response.json()
    assert data["totals"]["enterprises"] > 0 and data["links"]["flag_red"].startswith("/command/flags/")
    assert len(data["trend"]["days"]) == 21


def test_dashboard_figures_read_only_the_rollups(fresh: None, django_assert_max_num_queries: Any) -> None:
    scope = scope_of(User.objects.get(username="county_cmd"))
    place = place_of(scope)
    assert place is not None
    with django_assert_max_num_queries(5):
        figures = dashboard_figures(place, timezone.localdate(), trend_days=21)
    assert figures["totals"]["resumed"] <= figures["totals"]["enterprises"]


def test_the_rebuild_fills_past_days_and_replaces_rather_than_adds() -> None:
    today = timezone.localdate()
    rollup_rebuild((today - timedelta(days=2), today))
    count = DailyRollup.objects.filter(day=today - timedelta(days=1)).count()
    rollup_rebuild([today - timedelta(days=1)])
    assert DailyRollup.objects.filter(day=today - timedelta(days=1)).count() == count > 0


def test_the_demo_shows_a_trend_of_returned_workers(client_for: Callable[[str], Client]) -> None:
    trend = client_for("county_cmd").get("/command/dashboard.json").json()["trend"]
    returned = trend["total"]["returned_total"]
    assert returned[-1] > returned[0]  # the demo's people came back over the last weeks


def test_the_town_rollup_is_the_sum_of_the_daily_rollup_by_town(fresh: None) -> None:
    from django.db.models import Sum

    from fugong.command.models import METRICS, TownRollup

    today = timezone.localdate()
    rollup_rebuild((today - timedelta(days=1), today))
    rollup_refresh(day=today, towns=[DailyRollup.objects.filter(day=today).values_list("town_id", flat=True).first()])
    sums = {name: Sum(name) for name in METRICS}
    for day in (today - timedelta(days=1), today):
        fine = {(r.pop("town_id"), r.pop("sector"), r.pop("size")): r
                for r in DailyRollup.objects.filter(day=day).order_by().values("town_id", "sector", "size").annotate(**sums)}
        coarse = {(r.pop("town_id"), r.pop("sector"), r.pop("size")): r
                  for r in TownRollup.objects.filter(day=day).values("town_id", "sector", "size", *METRICS)}
        assert fine == coarse and fine
    town = TownRollup.objects.filter(day=today).select_related("town").first()
    assert town is not None and town.region_path == town.town.path
