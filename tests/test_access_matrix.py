"""The access matrix: every role × every URL of our apps × every method it accepts (ARCHITECTURE.md #1, #6).

How to read it
--------------
``MATRIX`` has one row per named URL pattern (a ``?query`` suffix adds a variant of the same
pattern) and, per method, the status each role gets, in the column order of ``ROLES``::

    admin  command  reviewer  grid  enterprise  employee  gate  anonymous

The roles are played by demo accounts, all in 河源市源城区·高新区 (``ACTOR``). A row with a
``target`` is an object URL: the row's statuses are for an object inside the role's scope
(``REACH[kind][role][0]``), and every object outside it (``REACH[kind][role][1]``: another
enterprise, another grid, another town, another county) must answer 404 — not 403, not 200 —
unless the row's ``outside`` says the role is refused the whole endpoint before any lookup (a 403
that is the same for every object, so it tells nothing about any of them).

Every write (POST/PATCH) is followed by a look at the database: a refused write changes nothing,
an accepted one changes something. A method a row does not declare must answer 405.

How to add an endpoint
----------------------
Give it a name in its app's ``urls.py`` and a row in ``MATRIX``. Until it has one,
``test_every_named_url_has_a_row_in_the_matrix`` fails and lists it; a row for a URL
that is gone fails ``test_matrix_names_only_urls_that_still_exist``.

What the lists must contain (``test_*_holds_exactly_the_*_in_scope``) is worked out here from the
demo data by walking the region tree's parent links, never with the code under test's
``for_user``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Max
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook
from stdnum.cn import uscc as uscc_number

from fugong.accounts.models import ApiToken, Membership, User
from fugong.audit.models import AuditEntry
from fugong.core.demo import DEMO_PASSWORD
from fugong.enterprises.choices import ClosedManagement, Sector, Size
from fugong.enterprises.models import Enterprise, Gate
from fugong.enterprises.services import EDITABLE_FIELDS
from fugong.policy.forms import PolicyForm
from fugong.policy.models import PolicyVersion
from fugong.policy.services import current
from fugong.regions.choices import Level
from fugong.regions.models import Department, Region

pytestmark = pytest.mark.django_db

# -- who plays each role ------------------------------------------------------------------------

ROLES = ("admin", "command", "reviewer", "grid", "enterprise", "employee", "gate", "anonymous")
ACTOR: dict[str, str | None] = {
    "admin": "admin",  # superuser
    "command": "hitech_cmd",  # 高新区 command: a town's command officer
    "reviewer": "jmb_reviewer",  # 高新区经贸办
    "grid": "grid_officer",  # 高新区 工业企业第1网格
    "enterprise": "ent_admin",  # the first enterprise of 工业企业第1网格
    "employee": "employee",  # same enterprise
    "gate": "gate_guard",  # that enterprise's 东门
    "anonymous": None,
}

# -- the places and objects the matrix is tried with --------------------------------------------

HEYUAN = "441602"  # 河源市源城区
HESHAN = "440784"  # 鹤山市
HITECH = "441602-GXQ"  # 高新区
GRID1 = "441602-GXQ-IND01"  # 工业企业第1网格
GRID2 = "441602-GXQ-IND02"  # 工业企业第2网格
YUANXI = "441602004"  # 源西街道, another street of 源城区 (the demo puts no enterprise there; the test adds one)
GONGHE_NAME, SHAPING_NAME = "共和镇", "沙坪街道"

# Enterprises, named from where the 高新区 actors stand.
ENTERPRISE_TARGETS = {
    "own": "the enterprise of ent_admin, employee and gate_guard (高新区 · 工业企业第1网格)",
    "same_grid": "another enterprise of 工业企业第1网格",
    "other_grid": "an enterprise of 高新区 · 工业企业第2网格",
    "other_town": "an enterprise of 源城区 · 源西街道 (added by the test)",
    "other_county": "an enterprise of 鹤山市 · 共和镇, on gongh_grid's grid",
    "other_county_town": "an enterprise of 鹤山市 · 沙坪街道",
}
REGION_TARGETS = {
    "grid1": GRID1,
    "grid2": GRID2,
    "hitech": HITECH,
    "county": HEYUAN,
    "other_town": YUANXI,
    "other_county": HESHAN,
}

# Per kind of object and role: (the object inside the scope that the row's status is for,
# the objects outside the scope that must answer 404).
REACH: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "enterprise": {
        "admin": ("other_county", ()),
        "command": ("other_grid", ("other_town", "other_county")),
        "reviewer": ("other_grid", ("other_town", "other_county")),
        "grid": ("same_grid", ("other_grid", "other_town", "other_county")),
        "enterprise": ("own", ("same_grid", "other_grid", "other_town", "other_county")),
        "employee": ("own", ("same_grid", "other_grid", "other_town", "other_county")),
        "gate": ("own", ("same_grid", "other_grid", "other_town", "other_county")),
        "anonymous": ("own", ()),
    },
    "region": {
        "admin": ("other_county", ()),
        # A town's officer covers the town and below, not the county above it.
        "command": ("hitech", ("county", "other_town", "other_county")),
        "reviewer": ("hitech", ("county", "other_town", "other_county")),
        "grid": ("grid1", ("grid2", "hitech", "other_county")),
        # People of an enterprise have no jurisdiction: even their own grid is not theirs to browse.
        "enterprise": ("grid1", ("grid2", "other_county")),
        "employee": ("grid1", ("grid2", "other_county")),
        "gate": ("grid1", ("grid2", "other_county")),
        "anonymous": ("grid1", ()),
    },
}


def statuses(admin: int, command: int, reviewer: int, grid: int, enterprise: int, employee: int, gate: int, anonymous: int) -> dict[str, int]:
    return dict(zip(ROLES, (admin, command, reviewer, grid, enterprise, employee, gate, anonymous), strict=True))


S = statuses
# Roles refused an object endpoint as a whole (permission checked before the lookup): 403 for
# every object, in scope or not, so the answer reveals nothing about the object.
NO_BROWSE = {"enterprise": 403, "employee": 403, "gate": 403}


@dataclass(frozen=True)
class Row:
    """One named URL pattern (or a ``?query`` variant of it) and what each role gets per method."""

    methods: dict[str, dict[str, int]]
    target: str | None = None  # "enterprise" or "region": an object URL
    outside: dict[str, int] = field(default_factory=dict)  # per role, when not 404
    writes: bool = False  # an accepted POST/PATCH changes the database; a refused one must not
    payload: Callable[[World, Any], dict[str, Any]] | None = None  # the body of a POST/PATCH: (world, object) → client kwargs


# fmt: off
MATRIX: dict[str, Row] = {
    #                                                admin cmd  rev  grid ent  emp  gate anon
    "home":                          Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 302)}),
    # A signed-in user is sent home from the login page; a visitor posts the demo employee's password.
    "accounts:login":                Row({"GET":   S(302, 302, 302, 302, 302, 302, 302, 200),
                                          "POST":  S(302, 302, 302, 302, 302, 302, 302, 302)}, payload=lambda world, obj: world.login_form()),
    "accounts:logout":               Row({"POST":  S(302, 302, 302, 302, 302, 302, 302, 302)}),
    # Everyone reads only their own messages (the view filters by the signed-in user).
    "accounts:inbox":                Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 302)}),
    "accounts:inbox-read":           Row({"POST":  S(302, 302, 302, 302, 302, 302, 302, 302)}),
    "enterprises:list":              Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 302)}),
    "enterprises:list?export=xlsx":  Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 302)}),
    "enterprises:create":            Row({"GET":   S(200, 200, 403, 200, 403, 403, 403, 302),
                                          "POST":  S(302, 302, 403, 302, 403, 403, 403, 302)},
                                         writes=True, payload=lambda world, obj: world.enterprise_form()),
    "enterprises:import":            Row({"GET":   S(200, 200, 403, 403, 403, 403, 403, 302),
                                          "POST":  S(200, 200, 403, 403, 403, 403, 403, 302)},
                                         writes=True, payload=lambda world, obj: world.import_upload()),
    "enterprises:import-template":   Row({"GET":   S(200, 200, 403, 403, 403, 403, 403, 302)}),
    # Without an error report in the session, the import page is where it sends you.
    "enterprises:import-errors":     Row({"GET":   S(302, 302, 403, 403, 403, 403, 403, 302)}),
    # Employees and gate guards have their own records, not the enterprise's registry entry.
    "enterprises:detail":            Row({"GET":   S(200, 200, 200, 200, 200, 404, 404, 302)}, target="enterprise"),
    "enterprises:edit":              Row({"GET":   S(200, 200, 403, 200, 200, 404, 404, 302),
                                          "POST":  S(302, 302, 403, 302, 302, 404, 404, 302)},
                                         target="enterprise", writes=True, payload=lambda world, obj: world.enterprise_form(obj)),
    "regions:list":                  Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 302)}),
    "regions:detail":                Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 302)}, target="region", outside=NO_BROWSE),
    # The town's command officer reads its county's policy but publishes only for a county it commands.
    "policy:index":                  Row({"GET":   S(200, 200, 403, 403, 403, 403, 403, 302),
                                          "POST":  S(302, 403, 403, 403, 403, 403, 403, 302)},
                                         writes=True, payload=lambda world, obj: world.policy_form()),
    "audit:list":                    Row({"GET":   S(200, 403, 403, 403, 403, 403, 403, 302)}),
    "api:api-root":                  Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 401)}),
    "api:schema":                    Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 401)}),
    "api:docs":                      Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 401)}),
    "api:enterprise-list":           Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 401),
                                          "POST":  S(201, 201, 403, 201, 403, 403, 403, 401)},
                                         writes=True, payload=lambda world, obj: world.enterprise_json()),
    "api:enterprise-detail":         Row({"GET":   S(200, 200, 200, 200, 200, 404, 404, 401),
                                          "PATCH": S(200, 200, 403, 200, 200, 404, 404, 401)},
                                         target="enterprise", writes=True, payload=lambda world, obj: world.headcount_patch(obj)),
    "api:region-list":               Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 401)}),
    "api:region-detail":             Row({"GET":   S(200, 200, 200, 200, 404, 404, 404, 401)}, target="region"),
}
# fmt: on

# Named patterns of other apps, each handled by one small explicit rule below.
EXPLICIT = {"set_language"}  # test_language_switch_is_open_to_everyone
OTHER_NAMESPACES = {"admin"}  # test_django_admin_is_for_staff_only
OUR_NAMESPACES = {"accounts", "enterprises", "regions", "policy", "audit", "api"}
OUR_TOP_LEVEL = {"home"}
PROBED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
URL_KWARG = {"enterprise": ("pk", "pk"), "region": ("code", "code")}  # URL keyword → object attribute


def base_name(key: str) -> str:
    return key.split("?", 1)[0]


# -- the world the tests act in ------------------------------------------------------------------


def _region_tree() -> tuple[dict[str, int], dict[int, list[int]]]:
    """code → id and id → children ids, from the parent links alone."""
    signature = Region.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return _region_tree_of(signature["n"], signature["last"])


@cache
def _region_tree_of(count: int, last_pk: int) -> tuple[dict[str, int], dict[int, list[int]]]:
    by_code: dict[str, int] = {}
    children: dict[int, list[int]] = {}
    for pk, parent_id, code in Region.objects.values_list("pk", "parent_id", "code"):
        by_code[code] = pk
        children.setdefault(parent_id, []).append(pk)
    return by_code, children


def subtree_ids(code: str) -> set[int]:
    """The region with this code and everything below it, found by walking down parent links."""
    by_code, children = _region_tree()
    found: set[int] = set()
    stack = [by_code[code]]
    while stack:
        pk = stack.pop()
        found.add(pk)
        stack.extend(children.get(pk, ()))
    return found


def new_uscc(serial: int) -> str:
    body = f"9144160{serial % 10}MA{serial:07d}"
    return body + uscc_number.calc_check_digit(body)


class World:
    """Clients for the roles and the objects the matrix is tried with, built on demand inside
    the test's transaction."""

    def __init__(self) -> None:
        self._enterprises: dict[str, Enterprise] = {}
        self._serial = 0

    # people
    @staticmethod
    def user(username: str) -> User:
        return User.objects.get(username=username)

    def client(self, role_or_username: str | None) -> Client:
        username = ACTOR.get(role_or_username, role_or_username) if role_or_username else None  # type: ignore[arg-type]
        client = Client()
        if username:
            client.force_login(self.user(username))
        return client

    # places and enterprises
    @staticmethod
    def region(code: str) -> Region:
        return Region.objects.get(code=code)

    @staticmethod
    def town_in_heshan(name: str) -> Region:
        return Region.objects.get(parent__code=HESHAN, level=Level.TOWN, name=name)

    def gonghe_grid(self) -> Region:
        return Region.objects.get(parent__parent=self.town_in_heshan(GONGHE_NAME), level=Level.GRID, code__endswith="-G01")

    @staticmethod
    def own_enterprise() -> Enterprise:
        return Membership.objects.get(user__username="ent_admin").enterprise  # type: ignore[return-value]

    def enterprise(self, target: str) -> Enterprise:
        if target not in self._enterprises:
            self._enterprises[target] = self._find(target)
        return self._enterprises[target]

    def _find(self, target: str) -> Enterprise:
        own = self.own_enterprise()
        if target == "own":
            return own
        if target == "same_grid":
            return Enterprise.objects.filter(region__code=GRID1).exclude(pk=own.pk).order_by("pk").first()  # type: ignore[return-value]
        if target == "other_grid":
            return Enterprise.objects.filter(region__code=GRID2).order_by("pk").first()  # type: ignore[return-value]
        if target == "other_county":
            return Enterprise.objects.filter(region=self.gonghe_grid()).order_by("pk").first()  # type: ignore[return-value]
        if target == "other_county_town":
            return Enterprise.objects.filter(town=self.town_in_heshan(SHAPING_NAME)).order_by("pk").first()  # type: ignore[return-value]
        if target == "other_town":
            town = self.region(YUANXI)
            return Enterprise.objects.create(
                name="河源市源西测试商贸有限公司", uscc=new_uscc(9_000_001), sector=Sector.SERVICES, size=Size.BELOW,
                address="源西街道1号", region=town, town=town, legal_representative="赵一", contact_name="钱二",
                contact_phone="13900000000", headcount=12,
            )
        raise KeyError(target)

    def target(self, kind: str, name: str) -> Any:
        return self.enterprise(name) if kind == "enterprise" else self.region(REGION_TARGETS[name])

    # payloads
    def next_uscc(self) -> str:
        self._serial += 1
        return new_uscc(8_000_000 + self._serial)

    @staticmethod
    def login_form() -> dict[str, Any]:
        return {"data": {"username": "employee", "password": DEMO_PASSWORD}}

    def enterprise_form(self, enterprise: Enterprise | None = None) -> dict[str, Any]:
        """The form the create/edit page posts: a new enterprise on 工业企业第1网格, or the given
        one with one more employee."""
        if enterprise is None:
            values: dict[str, Any] = {
                "name": f"河源市矩阵测试{self._serial}电子有限公司", "uscc": self.next_uscc(), "sector": Sector.INDUSTRY,
                "size": Size.BELOW, "essential_category": "", "address": "高新区科技大道1号", "region": self.region(GRID1).pk,
                "legal_representative": "张三", "contact_name": "李四", "contact_phone": "13800000000", "headcount": 20,
                "closed_management": ClosedManagement.NONE, "local_staff_percent": 60,
            }
        else:
            values = model_to_dict(enterprise, fields=EDITABLE_FIELDS)
            values["headcount"] = enterprise.headcount + 1
        return {"data": {k: v for k, v in values.items() if v is not False and v is not None}}

    def enterprise_json(self) -> dict[str, Any]:
        data = self.enterprise_form()["data"] | {"region": GRID1}
        return {"data": json.dumps(data), "content_type": "application/json"}

    @staticmethod
    def headcount_patch(enterprise: Enterprise) -> dict[str, Any]:
        return {"data": json.dumps({"headcount": enterprise.headcount + 1}), "content_type": "application/json"}

    def import_upload(self, town: str = "高新区") -> dict[str, Any]:
        """A one-row CSV in the import template's headers, placing the enterprise in ``town``."""
        headers = ["企业名称", "统一社会信用代码", "行业", "规模", "地址", "镇街", "法定代表人", "防疫联系人", "联系电话"]
        row = ["河源市矩阵导入测试有限公司", self.next_uscc(), "工业", "规下", f"{town}1号", town, "张三", "李四", "13800000000"]
        content = ("\n".join(",".join(line) for line in (headers, row)) + "\n").encode("utf-8-sig")
        return {"data": {"file": SimpleUploadedFile("企业.csv", content, content_type="text/csv")}}

    @staticmethod
    def policy_form() -> dict[str, Any]:
        """The policy page's form with every value as it stands, effective now."""
        form = PolicyForm(policy=current(None))
        data = {name: f.initial for name, f in form.fields.items()}
        data["note"] = "访问矩阵测试"
        return {"data": data}


@pytest.fixture
def world(db: Any) -> World:
    return World()


def fingerprint() -> tuple[Any, ...]:
    """Enough of the database to see that a write happened: row counts and the latest change."""
    return (
        Enterprise.objects.count(),
        Enterprise.objects.aggregate(m=Max("updated_at"))["m"],
        Gate.objects.count(),
        Region.objects.count(),
        Department.objects.count(),
        Membership.objects.count(),
        PolicyVersion.objects.count(),
        AuditEntry.objects.exclude(action__startswith="auth.").count(),
    )


def send(client: Client, method: str, url: str, payload: dict[str, Any] | None = None) -> Any:
    payload = payload or {}
    return getattr(client, method.lower())(url, **payload)


def url_of(key: str, row: Row, obj: Any = None) -> str:
    name, _, query = key.partition("?")
    if row.target is None:
        url = reverse(name)
    else:
        kwarg, attribute = URL_KWARG[row.target]
        url = reverse(name, kwargs={kwarg: getattr(obj, attribute)})
    return f"{url}?{query}" if query else url


# -- the cells ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    key: str
    method: str
    role: str
    target: str | None
    expected: int

    @property
    def row(self) -> Row:
        return MATRIX[self.key]

    def __str__(self) -> str:
        where = f"-{self.target}" if self.target else ""
        return f"{self.role}-{self.method}-{self.key}{where}-{self.expected}"

    @property
    def is_refused_write(self) -> bool:
        return self.method != "GET" and self.row.writes and (self.role == "anonymous" or self.expected >= 400)


def inside_cells() -> Iterator[Cell]:
    for key, row in MATRIX.items():
        for method, by_role in row.methods.items():
            for role in ROLES:
                target = REACH[row.target][role][0] if row.target else None
                yield Cell(key, method, role, target, by_role[role])


def outside_cells() -> Iterator[Cell]:
    for key, row in MATRIX.items():
        if row.target is None:
            continue
        for method in row.methods:
            for role in ROLES:
                for target in REACH[row.target][role][1]:
                    yield Cell(key, method, role, target, row.outside.get(role, 404))


def garbage_body(key: str) -> dict[str, Any]:
    """A body no form or serializer accepts."""
    data = {"headcount": "many", "region": "nowhere", "uscc": "?", "note": ""}
    return {"data": json.dumps(data), "content_type": "application/json"} if key.startswith("api:") else {"data": data}


def run_cell(world: World, cell: Cell, *, body: dict[str, Any] | None = None) -> None:
    row = cell.row
    client = world.client(cell.role)
    obj = world.target(row.target, cell.target) if row.target and cell.target else None
    url = url_of(cell.key, row, obj)
    payload = row.payload(world, obj) if row.payload and cell.method != "GET" else None
    payload = body if body is not None else payload
    before = fingerprint() if cell.method != "GET" else None

    response = send(client, cell.method, url, payload)

    assert response.status_code == cell.expected, f"{cell.method} {url} as {cell.role}: {response.status_code}, matrix says {cell.expected}"
    if cell.role == "anonymous" and cell.expected == 302 and cell.key != "accounts:login":
        assert response["Location"].startswith(reverse("accounts:login")), "an anonymous visitor is sent to the login page"
    if before is not None and row.writes:
        accepted = cell.role != "anonymous" and cell.expected < 400
        after = fingerprint()
        if accepted:
            assert after != before, f"{cell.method} {url} as {cell.role} answered {cell.expected} but changed nothing"
        else:
            assert after == before, f"refused {cell.method} {url} as {cell.role} changed the database"


@pytest.mark.parametrize("cell", list(inside_cells()), ids=str)
def test_each_role_gets_the_status_the_matrix_declares(world: World, cell: Cell) -> None:
    run_cell(world, cell)


@pytest.mark.parametrize("cell", list(outside_cells()), ids=str)
def test_object_outside_the_role_scope_is_not_found_and_not_changed(world: World, cell: Cell) -> None:
    run_cell(world, cell)


@pytest.mark.parametrize("cell", [c for c in (*inside_cells(), *outside_cells()) if c.is_refused_write], ids=str)
def test_refused_write_is_refused_whatever_the_body(world: World, cell: Cell) -> None:
    # A refusal decided before the body is read: the same status for garbage as for a good body,
    # never a 400 that tells a caller without the right what to correct.
    run_cell(world, cell, body=garbage_body(cell.key))


def undeclared_methods() -> Iterator[tuple[str, str]]:
    for key, row in MATRIX.items():
        if "?" in key:
            continue
        for method in PROBED_METHODS:
            if method not in row.methods:
                yield key, method


@pytest.mark.parametrize(("key", "method"), list(undeclared_methods()), ids=lambda v: str(v))
def test_method_the_matrix_does_not_declare_is_refused_with_405(world: World, key: str, method: str) -> None:
    # Given the one who passes every permission check (anonymous for the login page, which
    # sends everyone signed in away before looking at the method)
    row = MATRIX[key]
    role = "anonymous" if key == "accounts:login" else "admin"
    obj = world.target(row.target, REACH[row.target]["admin"][0]) if row.target else None
    before = fingerprint()
    # When it uses a method the matrix does not list
    body = {} if method == "GET" else {"data": "{}", "content_type": "application/json"}
    response = send(world.client(role), method, url_of(key, row, obj), body)
    # Then it is refused, and nothing changes
    assert response.status_code == 405, f"{method} {key}: {response.status_code}"
    assert fingerprint() == before


# -- completeness ---------------------------------------------------------------------------------


def named_patterns() -> tuple[set[str], list[str]]:
    """Every named pattern (namespace:name) in the URLconf, and the routes of unnamed ones."""
    names: set[str] = set()
    unnamed: list[str] = []

    def walk(patterns: list[Any], namespaces: tuple[str, ...], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                if pattern.name:
                    names.add(":".join((*namespaces, pattern.name)))
                else:
                    unnamed.append(":".join(namespaces) + " " + prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, (), "/")
    return names, unnamed


def is_ours(name: str) -> bool:
    return name in OUR_TOP_LEVEL or name.split(":", 1)[0] in OUR_NAMESPACES


def under_explicit_rule(name: str) -> bool:
    return name in EXPLICIT or name.split(":", 1)[0] in OTHER_NAMESPACES


def test_every_named_url_has_a_row_in_the_matrix() -> None:
    # Given every named pattern Django can resolve, ours and those of the apps we mount
    names, _ = named_patterns()
    covered = {base_name(key) for key in MATRIX}
    # Then each one has a row, or belongs to an app handled by an explicit rule below
    missing = sorted(name for name in names if name not in covered and not under_explicit_rule(name))
    assert not missing, f"URL patterns without a row in the access matrix: {missing}"
    assert not [name for name in names if is_ours(name) and under_explicit_rule(name)], "our URLs belong in the matrix itself"


def test_our_apps_have_no_unnamed_url_patterns() -> None:
    _, unnamed = named_patterns()
    ours = [route for route in unnamed if not route.split(" ", 1)[0] or route.split(" ", 1)[0].split(":", 1)[0] in OUR_NAMESPACES]
    assert not ours, f"an unnamed pattern cannot have a row in the matrix; name it: {ours}"


def test_matrix_names_only_urls_that_still_exist() -> None:
    names, _ = named_patterns()
    gone = sorted({base_name(key) for key in MATRIX} - names) + sorted(EXPLICIT - names)
    assert not gone, f"the matrix names URL patterns that no longer exist: {gone}"


def test_matrix_rows_give_every_role_a_status_and_objects_a_reach() -> None:
    for key, row in MATRIX.items():
        assert row.methods, key
        for method, by_role in row.methods.items():
            assert method in PROBED_METHODS, (key, method)
            assert set(by_role) == set(ROLES), (key, method)
        if row.target:
            assert set(REACH[row.target]) == set(ROLES), key
        if any(m != "GET" for m in row.methods):
            assert row.payload is not None or key == "accounts:logout", f"{key} writes without a payload"


# -- explicit rules for other apps' URLs ----------------------------------------------------------


# The admin site refuses anyone who is not staff before it looks at the page; these are the pages
# with people, enterprises, tokens and the audit trail.
ADMIN_PAGES = ["admin:index", *(f"admin:{m}_changelist" for m in (
    "accounts_user", "accounts_apitoken", "enterprises_enterprise", "audit_auditentry", "policy_policyversion",
))]


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_django_admin_is_for_staff_only(world: World, role: str, page: str) -> None:
    response = world.client(role).get(reverse(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_django_admin_opens_for_the_platform_admin(world: World) -> None:
    assert world.client("admin").get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_language_switch_is_open_to_everyone(world: World, role: str) -> None:
    response = world.client(role).post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("role", ("command", "grid", "enterprise"))
@pytest.mark.parametrize("target_kind", ("inside", "outside"))
def test_api_format_suffix_answers_like_the_plain_url(world: World, role: str, target_kind: str) -> None:
    inside, outside = REACH["enterprise"][role]
    enterprise = world.enterprise(inside if target_kind == "inside" else outside[-1])
    client = world.client(role)
    plain = client.get(reverse("api:enterprise-detail", kwargs={"pk": enterprise.pk}))
    suffixed = client.get(reverse("api:enterprise-detail", kwargs={"pk": enterprise.pk, "format": "json"}))
    assert suffixed.status_code == plain.status_code == (200 if target_kind == "inside" else 404)
    listed = client.get(reverse("api:enterprise-list", kwargs={"format": "json"}))
    assert listed.status_code == client.get(reverse("api:enterprise-list")).status_code


# -- lists hold exactly what the scope allows ------------------------------------------------------

ALL = "*"
# Each account's jurisdictions as the demo describes them (core/demo.py), by region code.
JURISDICTION: dict[str, list[str] | str] = {
    "admin": ALL,
    "county_cmd": [HEYUAN],
    "hitech_cmd": [HITECH],
    "heshan_cmd": [HESHAN],
    "jmb_reviewer": [HITECH],  # 高新区经贸办
    "gxj_reviewer": [HEYUAN],  # 源城区工信局
    "grid_officer": [GRID1],
    "gongh_grid": ["<gonghe grid 1>"],
    "ent_admin": [],
    "employee": [],
    "gate_guard": [],
}
OFFICIALS = [u for u, j in JURISDICTION.items() if j]
PEOPLE_OF_AN_ENTERPRISE = [u for u, j in JURISDICTION.items() if not j]


def jurisdiction_codes(world: World, username: str) -> list[str]:
    codes = JURISDICTION[username]
    assert codes != ALL
    return [world.gonghe_grid().code if code == "<gonghe grid 1>" else code for code in codes]


def expected_region_ids(world: World, username: str) -> set[int]:
    if JURISDICTION[username] == ALL:
        return set(Region.objects.values_list("pk", flat=True))
    return set().union(*(subtree_ids(code) for code in jurisdiction_codes(world, username)))


def expected_enterprise_ids(world: World, username: str) -> set[int]:
    if JURISDICTION[username] == ALL:
        return set(Enterprise.objects.values_list("pk", flat=True))
    regions = expected_region_ids(world, username)
    visible = {pk for pk, region_id in Enterprise.objects.values_list("pk", "region_id") if region_id in regions}
    # Only the enterprise's admin opens its registry entry; its employees and gate guards do not.
    if username == "ent_admin":
        visible.add(world.own_enterprise().pk)
    return visible


def api_ids(client: Client, url: str, key: str) -> list[Any]:
    """Every row of a paged API list, following ``next``."""
    seen: list[Any] = []
    next_url: str | None = f"{url}?page_size=500"
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        seen += [row[key] for row in body["results"]]
        next_url = body["next"]
    return seen


@pytest.fixture
def with_other_town(world: World) -> World:
    world.enterprise("other_town")  # so that a 源城区 street outside 高新区 has an enterprise too
    return world


@pytest.mark.parametrize("username", OFFICIALS)
def test_enterprise_list_page_holds_exactly_the_enterprises_in_scope(with_other_town: World, username: str) -> None:
    response = with_other_town.client(username).get(reverse("enterprises:list"))
    assert response.status_code == 200
    shown = [e.pk for e in response.context["page"].paginator.object_list]
    assert len(shown) == len(set(shown)), "no enterprise is listed twice"
    assert set(shown) == expected_enterprise_ids(with_other_town, username)


@pytest.mark.parametrize("username", OFFICIALS)
def test_enterprise_export_holds_exactly_the_enterprises_in_scope(with_other_town: World, username: str) -> None:
    response = with_other_town.client(username).get(reverse("enterprises:list"), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content),
                          read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("统一社会信用代码")
    exported = [row[column] for row in rows[1:]]
    expected = set(Enterprise.objects.filter(pk__in=expected_enterprise_ids(with_other_town, username)).values_list("uscc", flat=True))
    assert len(exported) == len(set(exported))
    assert set(exported) == expected


@pytest.mark.parametrize("username", OFFICIALS)
def test_enterprise_api_holds_exactly_the_enterprises_in_scope(with_other_town: World, username: str) -> None:
    listed = api_ids(with_other_town.client(username), reverse("api:enterprise-list"), "id")
    assert len(listed) == len(set(listed))
    assert set(listed) == expected_enterprise_ids(with_other_town, username)


@pytest.mark.parametrize("username", OFFICIALS)
def test_region_api_holds_exactly_the_regions_in_scope(world: World, username: str) -> None:
    listed = api_ids(world.client(username), reverse("api:region-list"), "code")
    assert len(listed) == len(set(listed))
    expected = set(Region.objects.filter(pk__in=expected_region_ids(world, username)).values_list("code", flat=True))
    assert set(listed) == expected


@pytest.mark.parametrize("username", [u for u in OFFICIALS if u != "admin"])
def test_region_list_page_starts_from_exactly_the_jurisdictions(world: World, username: str) -> None:
    response = world.client(username).get(reverse("regions:list"))
    assert response.status_code == 200
    assert sorted(r.code for r in response.context["roots"]) == sorted(jurisdiction_codes(world, username))


@pytest.mark.parametrize("url_name", ["enterprises:list", "api:enterprise-list", "api:region-list", "regions:list"])
@pytest.mark.parametrize("username", PEOPLE_OF_AN_ENTERPRISE)
def test_people_of_an_enterprise_get_no_list_at_all(world: World, username: str, url_name: str) -> None:
    assert world.client(username).get(reverse(url_name)).status_code == 403


@pytest.mark.parametrize("target", list(ENTERPRISE_TARGETS))
@pytest.mark.parametrize("username", list(JURISDICTION))
def test_enterprise_is_visible_exactly_inside_the_account_scope(with_other_town: World, username: str, target: str) -> None:
    # Given an enterprise in one of the places around 高新区 and every demo account
    enterprise = with_other_town.enterprise(target)
    visible = enterprise.pk in expected_enterprise_ids(with_other_town, username)
    client = with_other_town.client(username)
    # When the account opens it on the page and through the API
    page = client.get(reverse("enterprises:detail", args=[enterprise.pk]))
    api = client.get(reverse("api:enterprise-detail", kwargs={"pk": enterprise.pk}))
    # Then both show it inside the scope and both say "not found" outside it
    assert (page.status_code, api.status_code) == ((200, 200) if visible else (404, 404))
    if visible:
        assert api.json()["id"] == enterprise.pk


# -- sentences for the cases the platform exists to prevent ----------------------------------------


def test_town_officer_cannot_see_other_town_enterprise(with_other_town: World) -> None:
    other_town = with_other_town.enterprise("other_town")
    client = with_other_town.client("hitech_cmd")
    assert client.get(reverse("enterprises:detail", args=[other_town.pk])).status_code == 404
    assert client.get(reverse("api:enterprise-detail", kwargs={"pk": other_town.pk})).status_code == 404
    assert client.get(reverse("enterprises:list"), {"q": other_town.name}).context["page"].paginator.count == 0


def test_county_command_sees_every_town_of_its_county_but_not_the_next_county(with_other_town: World) -> None:
    client = with_other_town.client("county_cmd")
    assert client.get(reverse("enterprises:detail", args=[with_other_town.enterprise("other_town").pk])).status_code == 200
    assert client.get(reverse("enterprises:detail", args=[with_other_town.enterprise("other_county").pk])).status_code == 404
    assert client.get(reverse("regions:detail", args=[HESHAN])).status_code == 404


def test_enterprise_admin_cannot_see_another_enterprise_of_the_same_grid(world: World) -> None:
    neighbour = world.enterprise("same_grid")
    client = world.client("ent_admin")
    assert client.get(reverse("enterprises:detail", args=[neighbour.pk])).status_code == 404
    assert client.get(reverse("enterprises:edit", args=[neighbour.pk])).status_code == 404


def test_grid_officer_cannot_edit_enterprise_of_another_grid(world: World) -> None:
    other = world.enterprise("other_grid")
    headcount = other.headcount
    response = world.client("grid_officer").patch(
        reverse("api:enterprise-detail", kwargs={"pk": other.pk}), json.dumps({"headcount": headcount + 5}), content_type="application/json"
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.headcount == headcount


@pytest.mark.parametrize("username", ["hitech_cmd", "grid_officer"])
def test_officer_cannot_register_enterprise_outside_the_jurisdiction(world: World, username: str) -> None:
    # Given an officer and a grid of another county
    outside = world.gonghe_grid()
    form = world.enterprise_form()["data"] | {"region": outside.pk}
    body = json.loads(world.enterprise_json()["data"]) | {"region": outside.code}
    before = fingerprint()
    client = world.client(username)
    # When they try to register an enterprise there, on the page and through the API
    page = client.post(reverse("enterprises:create"), form)
    api = client.post(reverse("api:enterprise-list"), json.dumps(body), content_type="application/json")
    # Then the place is refused as if it did not exist, and nothing is written
    assert page.status_code == 200 and "region" in page.context["form"].errors
    assert api.status_code == 400 and "region" in api.json()
    assert fingerprint() == before


@pytest.mark.parametrize("town", [GONGHE_NAME, "源西街道"])
def test_town_command_cannot_import_enterprises_into_another_town(world: World, town: str) -> None:
    before = fingerprint()
    response = world.client("hitech_cmd").post(reverse("enterprises:import"), world.import_upload(town)["data"])
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.imported, len(result.refused)) == (0, 1)
    assert fingerprint() == before


@pytest.mark.parametrize(("username", "target", "destination", "page_status"), [
    ("hitech_cmd", "other_grid", "other_county", 200),  # out of the county: the place reads as unknown
    ("grid_officer", "same_grid", "grid2", 200),  # to a grid of the same town that is not theirs
    ("ent_admin", "own", "grid2", 302),  # an enterprise does not move itself: the field is read-only for it
])
def test_nobody_can_move_enterprise_out_of_their_jurisdiction(world: World, username: str, target: str, destination: str,
                                                               page_status: int) -> None:
    # Given an enterprise in the user's scope and a place outside it
    enterprise = world.enterprise(target)
    region_id = enterprise.region_id
    place = world.gonghe_grid() if destination == "other_county" else world.region(REGION_TARGETS[destination])
    client = world.client(username)
    # When they move it there through the API and on the edit page
    api = client.patch(reverse("api:enterprise-detail", kwargs={"pk": enterprise.pk}), json.dumps({"region": place.code}),
                       content_type="application/json")
    page = client.post(reverse("enterprises:edit", args=[enterprise.pk]), world.enterprise_form(enterprise)["data"] | {"region": place.pk})
    # Then the place is refused as unknown, and the enterprise stays where it was
    assert api.status_code == 400 and "region" in api.json()
    assert page.status_code == page_status
    enterprise.refresh_from_db()
    assert enterprise.region_id == region_id


def test_county_command_cannot_read_or_publish_another_county_policy(world: World) -> None:
    client = world.client("county_cmd")
    assert client.get(reverse("policy:index"), {"county": HEYUAN}).status_code == 200
    assert client.get(reverse("policy:index"), {"county": HESHAN}).status_code == 404
    before = PolicyVersion.objects.count()
    response = client.post(f"{reverse('policy:index')}?county={HESHAN}", world.policy_form()["data"])
    assert response.status_code == 404
    assert PolicyVersion.objects.count() == before


# -- API tokens ----------------------------------------------------------------------------------

GATE_TOKEN_REQUESTS = [
    ("GET", "api:api-root", None),
    ("GET", "api:enterprise-list", None),
    ("GET", "api:region-list", None),
    ("GET", "api:enterprise-detail", "own"),
    ("GET", "api:enterprise-detail", "same_grid"),
    ("GET", "api:enterprise-detail", "other_town"),
    ("GET", "api:enterprise-detail", "other_county"),
    ("PATCH", "api:enterprise-detail", "own"),
    ("POST", "api:enterprise-list", None),
    ("GET", "api:region-detail", "grid1"),
]


def _api_url(world: World, name: str, target: str | None) -> str:
    if target is None:
        return reverse(name)
    if name == "api:region-detail":
        return reverse(name, kwargs={"code": REGION_TARGETS[target]})
    return reverse(name, kwargs={"pk": world.enterprise(target).pk})


def _api_payload(world: World, method: str, target: str | None) -> dict[str, Any] | None:
    if method == "PATCH":
        return world.headcount_patch(world.enterprise(target))  # type: ignore[arg-type]
    if method == "POST":
        return world.enterprise_json()
    return None


@pytest.mark.parametrize(("method", "name", "target"), GATE_TOKEN_REQUESTS, ids=lambda v: str(v))
def test_gate_device_token_gets_exactly_what_the_gate_guard_gets(world: World, method: str, name: str, target: str | None) -> None:
    # Given a device token issued to the gate guard
    _, key = ApiToken.issue(user=world.user("gate_guard"), name="东门闸机")
    device = Client(HTTP_AUTHORIZATION=f"Token {key}")
    url = _api_url(world, name, target)
    before = fingerprint()
    # When the device and the signed-in guard make the same request
    by_token = send(device, method, url, _api_payload(world, method, target))
    by_session = send(world.client("gate"), method, url, _api_payload(world, method, target))
    # Then they get the same answer, and a refused write changes nothing
    assert by_token.status_code == by_session.status_code
    if by_token.status_code == 200 and method == "GET":
        assert by_token.json() == by_session.json()
    if method != "GET":
        assert by_token.status_code in (403, 404)
        assert fingerprint() == before


@pytest.mark.parametrize("name", ["api:api-root", "api:enterprise-list", "api:region-list", "api:schema"])
@pytest.mark.parametrize("token", ["garbage", "revoked", "expired", "other_user_hash"])
def test_bad_api_token_is_refused_with_401(world: World, token: str, name: str) -> None:
    gate = world.user("gate_guard")
    if token == "garbage":
        key = "not-a-real-key"
    else:
        issued, key = ApiToken.issue(user=gate)
        if token == "revoked":
            issued.revoked_at = timezone.now()
            issued.save(update_fields=["revoked_at"])
        elif token == "expired":
            issued.expires_at = timezone.now() - timedelta(minutes=1)
            issued.save(update_fields=["expires_at"])
        else:  # the stored hash itself, as someone holding a copy of the database might send it
            key = issued.key_hash
    response = Client(HTTP_AUTHORIZATION=f"Token {key}").get(reverse(name))
    assert response.status_code == 401


def test_api_token_does_not_sign_in_to_the_pages(world: World) -> None:
    _, key = ApiToken.issue(user=world.user("gate_guard"))
    own = world.enterprise("own")
    response = Client(HTTP_AUTHORIZATION=f"Token {key}").get(reverse("enterprises:detail", args=[own.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
