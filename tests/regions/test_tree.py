"""The jurisdiction tree: county → town/street → village/community → grid, as materialised paths."""

from __future__ import annotations

import pytest

from fugong.audit.models import AuditEntry
from fugong.regions.choices import Level
from fugong.regions.models import Region
from fugong.regions.services import region_create

pytestmark = pytest.mark.django_db

HITECH_PATH = "/440000/441600/441602/441602-GXQ/"


def test_a_grid_path_runs_from_the_province_down_through_its_county_and_zone():
    grid = Region.objects.get(code="441602-GXQ-IND01")

    assert grid.path == f"{HITECH_PATH}441602-GXQ-IND01/"
    assert (grid.level, grid.depth, grid.grid_kind) == (Level.GRID, 5, "industrial")


def test_ancestors_run_from_the_root_down_to_the_region_itself():
    grid = Region.objects.get(code="441602-GXQ-IND01")

    assert [r.code for r in grid.ancestors()] == ["440000", "441600", "441602", "441602-GXQ", "441602-GXQ-IND01"]
    assert grid.ancestor_at(Level.TOWN).name == "高新区"
    assert grid.ancestor_at(Level.COUNTY).full_name == "河源市源城区"
    assert grid.ancestor_at(Level.VILLAGE) is None


def test_heshans_grids_sit_under_a_community_under_the_town():
    grid = Region.objects.get(name="共和第1网格")

    assert [r.level for r in grid.ancestors()][-4:] == [Level.COUNTY, Level.TOWN, Level.VILLAGE, Level.GRID]
    assert grid.ancestor_at(Level.TOWN).name == "共和镇"
    assert grid.label == "江门市鹤山市 · 共和第1网格"


def test_the_subtree_of_the_hitech_zone_is_the_zone_and_its_24_grids():
    hitech = Region.objects.get(code="441602-GXQ")

    subtree = Region.objects.subtree(hitech)

    assert subtree.count() == 25
    assert subtree.filter(level=Level.GRID).count() == 24
    assert all(r.path.startswith(HITECH_PATH) for r in subtree)


def test_a_county_subtree_holds_its_towns_and_everything_below_but_no_neighbour():
    yuancheng = Region.objects.get(code="441602")

    subtree = Region.objects.subtree(yuancheng)

    assert subtree.filter(level=Level.TOWN).count() == 9  # 8 towns and streets, and the hi-tech zone
    assert not subtree.filter(path__contains="/440784/").exists()


def test_county_full_names_read_with_their_city_and_lower_levels_by_their_own_name():
    assert Region.objects.get(code="441602").full_name == "河源市源城区"
    assert Region.objects.get(code="440784").full_name == "江门市鹤山市"
    assert str(Region.objects.get(code="441602100")) == "源南镇"


def test_region_create_derives_the_path_and_is_audited(users):
    town = Region.objects.get(name="源南镇")

    village = region_create(parent=town, code="441602100-C01", name="源南社区", level=Level.VILLAGE, acting_user=users("admin"))
    grid = region_create(parent=village, code="441602100-C01-G01", name="源南第1网格", level=Level.GRID, grid_kind="residential")

    assert grid.path == "/440000/441600/441602/441602100/441602100-C01/441602100-C01-G01/"
    assert grid.ancestor_at(Level.TOWN) == town
    assert AuditEntry.objects.filter(action="region.create", object_id=str(village.pk), actor_id=users("admin").pk).exists()


@pytest.mark.parametrize(
    ("username", "roots"),
    [("county_cmd", {"441602"}), ("hitech_cmd", {"441602-GXQ"}), ("grid_officer", {"441602-GXQ-IND01"}), ("gongh_grid", {"440784106-C01-G01"})],
)
def test_officials_see_their_jurisdiction_and_everything_below_it_only(users, username, roots):
    visible = Region.objects.for_user(users(username))

    top = {r.code for r in visible if not any(r.path != o.path and r.path.startswith(o.path) for o in visible)}
    assert top == roots


def test_enterprise_people_see_no_regions_and_the_admin_sees_them_all(users):
    assert not Region.objects.for_user(users("ent_admin")).exists()
    assert Region.objects.for_user(users("admin")).count() == Region.objects.count()
