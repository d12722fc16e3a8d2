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

The objects are enterprises and regions, and resumption applications, their documents,
inspections, photos, rectification items and notices (``APPLICATION_KINDS``: an application in
the state the row needs — a draft to edit, one waiting for the role's review step, an approved one
with its notice; ``APPLICATION_TARGETS``: where it stands — the role's own enterprise or grid,
another grid routed to 高新区经贸办 or not, another town, another county). They are taken from
the demo where it has one and made in that state otherwise (``World``).

Every write (POST/PATCH) is followed by a look at the database (``fingerprint``): a refused write
changes nothing, an accepted one changes something. A method a row does not declare must answer 405.

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
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib import import_module
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count, Max, Model, Q
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook
from stdnum.cn import uscc as uscc_number

from fugong.accounts.choices import Role
from fugong.accounts.middleware import LOGIN_AT, SEEN_AT
from fugong.accounts.models import ApiToken, Membership, Notification, User
from fugong.audit.models import AuditEntry
from fugong.core.demo import DEMO_PASSWORD
from fugong.enterprises.choices import ClosedManagement, Sector, Size
from fugong.enterprises.models import Enterprise, Gate
from fugong.enterprises.services import EDITABLE_FIELDS
from fugong.gates.models import Passage
from fugong.inspections.choices import RectificationStatus, Result, TemplateKind
from fugong.inspections.models import (
    Inspection,
    InspectionPhoto,
    InspectionResult,
    PatrolPlan,
    PatrolTeam,
    RectificationEvent,
    RectificationEvidence,
    RectificationItem,
)
from fugong.inspections.services import applicable_items, inspection_record, inspection_start, photo_add
from fugong.policy.decisions import masks_needed
from fugong.policy.forms import PolicyForm
from fugong.policy.models import PolicyVersion
from fugong.policy.services import current
from fugong.regions.choices import Level
from fugong.regions.models import Department, Region
from fugong.resumption.choices import MaterialItem, Stage, Status, StepStatus
from fugong.resumption.demo import ATTACHMENT_PDF, PHOTO_PNG
from fugong.resumption.forms import DATETIME_LOCAL, ApplicationForm
from fugong.resumption.models import Application, Attachment, MaterialReserve, Notice, ReviewStep, Submission, Suspension
from fugong.resumption.services import checks_for, pending_step

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

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

# Applications, by where their enterprise is and whether 高新区经贸办 (jmb_reviewer's department)
# reviewed them. Taken from the demo in the state the row needs; the test makes one (through
# the ORM, in that state) where the demo has none.
JMB = "经贸办"
APPLICATION_TARGETS = {
    "own": "one of ent_admin's enterprise (as a draft: its demo draft, with the masks it lacked bought, ready to submit)",
    "same_grid": "one of another enterprise of 工业企业第1网格",
    "other_grid": "one of 高新区 outside 工业企业第1网格, routed to 高新区经贸办",
    "at_jmb": "one of 高新区 outside 工业企业第1网格 waiting for 高新区经贸办",
    "at_town": "one of 高新区 outside 工业企业第1网格 waiting for 高新区's command",
    "unrouted": "one of 高新区 outside 工业企业第1网格 that 经贸办 never reviewed",
    "other_town": "one of 源城区 · 源西街道 (made by the test: the demo has none there)",
    "other_county": "one of 鹤山市",
}
# Kinds of application target: the statuses the row's object is in.
APPLICATION_KINDS: dict[str, tuple[str, ...]] = {
    "application": tuple(Status.values),  # any
    "draft": (Status.DRAFT, Status.RETURNED),  # open for edit
    "pending": (Status.DEPARTMENT_REVIEW, Status.TOWN_REVIEW, Status.COUNTY_REVIEW),  # waiting for a review step
    "approved": (Status.APPROVED,),  # with its notice and a shuttle bus (for the bus letter)
    "suspended": (Status.SUSPENDED,),
    "awaiting": (Status.INSPECTION,),  # approved on paper, waiting for the on-site acceptance
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
# Employees and gate guards see no application, inspection or rectification at all, not even
# their own enterprise's (the inside cell is a 404): one neighbour's is enough outside.
APPLICATION_REACH: dict[str, tuple[str, tuple[str, ...]]] = {
    "admin": ("other_county", ()),
    "command": ("other_grid", ("other_town", "other_county")),
    # A reviewer sees what was routed to its department, inside its jurisdiction.
    "reviewer": ("other_grid", ("unrouted", "other_town", "other_county")),
    "grid": ("same_grid", ("other_grid", "other_county")),
    "enterprise": ("own", ("same_grid", "other_grid", "other_county")),
    "employee": ("own", ("same_grid",)),
    "gate": ("own", ("same_grid",)),
    "anonymous": ("own", ()),
}
ENTERPRISE_CHILD_REACH: dict[str, tuple[str, tuple[str, ...]]] = {
    "admin": ("other_county", ()),
    "command": ("other_grid", ("other_town", "other_county")),
    "reviewer": ("other_grid", ("other_town", "other_county")),
    "grid": ("same_grid", ("other_grid", "other_county")),
    "enterprise": ("own", ("same_grid", "other_grid", "other_county")),
    "employee": ("own", ("same_grid",)),
    "gate": ("own", ("same_grid",)),
    "anonymous": ("own", ()),
}
REACH |= {
    "application": APPLICATION_REACH,
    "attachment": APPLICATION_REACH,  # a document of the application
    # The enterprise's own draft is the one to edit; officials who see it may not change it.
    "draft": APPLICATION_REACH | {"admin": ("own", ()), "command": ("own", ("other_town", "other_county")),
                                  "grid": ("own", ("other_grid", "other_county"))},
    "draft_attachment": APPLICATION_REACH | {"admin": ("own", ()), "command": ("own", ("other_town", "other_county")),
                                             "grid": ("own", ("other_grid", "other_county"))},
    # Each official on a step it decides where it has one: the town's step, 经贸办's step.
    "pending": APPLICATION_REACH | {"command": ("at_town", ("other_town", "other_county")),
                                    "reviewer": ("at_jmb", ("unrouted", "other_town", "other_county")),
                                    "grid": ("same_grid", ("at_jmb", "other_county")),
                                    "enterprise": ("own", ("same_grid", "at_jmb", "other_county"))},
    "approved": APPLICATION_REACH,
    "suspended": APPLICATION_REACH,
    "awaiting": APPLICATION_REACH | {"command": ("same_grid", ("other_town", "other_county")),
                                     "reviewer": ("same_grid", ("unrouted", "other_town", "other_county")),
                                     "grid": ("same_grid", ("unrouted", "other_county"))},
    # An inspection in progress, a photo of one, a rectification item: of the enterprise named.
    "inspection": ENTERPRISE_CHILD_REACH,
    "photo": ENTERPRISE_CHILD_REACH,
    "open_rectification": ENTERPRISE_CHILD_REACH,
    "answered_rectification": ENTERPRISE_CHILD_REACH,
    "evidence": ENTERPRISE_CHILD_REACH,  # a photo of the answer of a rectification item
    # The public verification page: a real notice's token for everyone, an unknown token is not found.
    "notice": {role: ("approved", ("unknown",)) for role in ROLES},
    # Gates (fugong.gates): 东门 is gate_guard's; a gate of another enterprise of the grid, of grid 2, of
    # another town and of 鹤山市 are added by the test; 源城区入城检查站 is the county's checkpoint (not a town's).
    "gate": {
        "admin": ("own", ()),
        "command": ("own", ("checkpoint", "other_town", "other_county")),
        "reviewer": ("own", ("same_grid",)),
        "grid": ("same_grid", ("other_grid", "checkpoint", "other_county")),
        "enterprise": ("own", ("same_grid", "other_grid", "checkpoint", "other_county")),
        "employee": ("own", ("same_grid",)),
        "gate": ("own", ("same_grid", "checkpoint", "other_county")),
        "anonymous": ("own", ()),
    },
    # Quarantine (fugong.quarantine), made by the test: a placement (home isolation) of a worker of the
    # enterprise named ("own": the demo employee's own record; "colleague": another worker there;
    # "central": a worker of grid 2 at 高新区's centralised site); a site: the enterprise's observation
    # area, or 高新区's centralised site; a person without a placement; an open fever alert of one.
    "placement": {
        "admin": ("other_county", ()),
        "command": ("other_grid", ("other_town", "other_county")),
        "reviewer": ("other_grid", ("other_county",)),
        "grid": ("same_grid", ("other_grid", "central", "other_county")),
        "enterprise": ("own", ("same_grid", "other_grid", "central", "other_county")),
        "employee": ("own", ("colleague", "same_grid")),
        "gate": ("own", ("same_grid",)),
        "anonymous": ("own", ()),
    },
    "site": {
        "admin": ("other_county", ()),
        "command": ("central", ("other_town", "other_county")),
        "reviewer": ("own", ("other_county",)),
        "grid": ("same_grid", ("central", "other_grid", "other_county")),
        "enterprise": ("own", ("same_grid", "central", "other_county")),
        "employee": ("own", ("same_grid",)),
        "gate": ("own", ("same_grid",)),
        "anonymous": ("own", ()),
    },
    "person": ENTERPRISE_CHILD_REACH | {"command": ("other_grid", ("other_town", "other_county")),
                                        "grid": ("same_grid", ("other_grid", "other_county"))},
    "fever_alert": ENTERPRISE_CHILD_REACH,
    # Health alerts (fugong.health): an open fever alert of a worker of the enterprise named (made by the test).
    "alert": ENTERPRISE_CHILD_REACH,
    # Daily reports (health.reports): the named enterprise's report of today.
    "daily_report": ENTERPRISE_CHILD_REACH,
    # People (fugong.workforce): a person's file, as the quarantine's "person" (a worker registered now
    # at the enterprise named) but the employee's own is their own record ("self"); a personal link
    # (of the demo employee's record; "forged": altered); a roster import's ticket, made for each
    # role's own account ("other_user": county_cmd's import of ent_admin's enterprise).
    "person_file": ENTERPRISE_CHILD_REACH | {"command": ("other_grid", ("other_town", "other_county")),
                                             "grid": ("same_grid", ("other_grid", "other_county")),
                                             "employee": ("self", ("own", "same_grid"))},
    "link": {role: ("self", ("forged",)) for role in ROLES},
    "roster_ticket": {role: (role, ("other_user",) if role != "anonymous" else ()) for role in ROLES},
    # Passes (fugong.workforce, A2): a pass issued now to a worker of the enterprise named (the
    # employee's: their own, "self"); a worker who may get one today ("eligible"); a personal link of
    # a worker holding a pass ("forged": altered); a risk area (national data: no outside); a
    # re-evaluation run of a county's policy ("county": 源城区, "other_county": 鹤山市).
    "pass": ENTERPRISE_CHILD_REACH | {"command": ("other_grid", ("other_town", "other_county")),
                                      "grid": ("same_grid", ("other_grid", "other_county")),
                                      "employee": ("self", ("own", "same_grid"))},
    "eligible": ENTERPRISE_CHILD_REACH | {"command": ("other_grid", ("other_town", "other_county")),
                                          "grid": ("same_grid", ("other_grid", "other_county"))},
    "pass_link": {role: ("self", ("forged",)) for role in ROLES},
    "risk_area": {role: ("listed", ()) for role in ROLES},
    "run": {role: ("county", ("other_county",)) for role in ROLES} | {"admin": ("other_county", ()), "anonymous": ("county", ())},
    # Export jobs (fugong.exports): a finished job of the role's own account, with its file; another
    # user's job ("other_user": county_cmd's) is not found, whatever the role.
    "export_job": {role: (role, ("other_user",) if role != "anonymous" else ()) for role in ROLES},
    # Protective materials (fugong.materials): a government stockpile ("hitech": 高新区's, "county": 源城区's,
    # "other_county": 鹤山市's; the demo's, stocked by the test if need be); an allocation of masks to the
    # enterprise named (from 高新区's stockpile, 源城区's for "other_town", 鹤山市's for "other_county"),
    # proposed or confirmed, made by the test.
    "stockpile": {role: ("hitech", ("other_county",)) for role in ROLES} | {"admin": ("other_county", ()),
                                                                            "command": ("hitech", ("county", "other_county")),
                                                                            "anonymous": ("hitech", ())},
    "proposed_allocation": {role: ("own", ("other_county",)) for role in ROLES} | {
        "admin": ("other_county", ()), "command": ("other_grid", ("other_town", "other_county")), "anonymous": ("own", ())},
    "confirmed_allocation": {role: ("own", ("other_county",)) for role in ROLES} | {
        "admin": ("other_county", ()), "enterprise": ("own", ("same_grid", "other_grid", "other_county")), "anonymous": ("own", ())},
    # Subsidies (fugong.subsidies): a scheme — the demo's of 河源市 ("heyuan", over every 高新区 actor), one of
    # 源西街道 ("other_town") and one of 鹤山市 ("heshan") made by the test; a pending application of the
    # enterprise named, made by the test on a scheme of its own county.
    "subsidy_scheme": {role: ("heyuan", ("other_town", "heshan")) for role in ROLES} | {"admin": ("heshan", ()), "anonymous": ("heyuan", ())},
    "subsidy_application": {
        "admin": ("other_county", ()),
        "command": ("other_grid", ("other_town", "other_county")),
        "reviewer": ("own", ("other_county",)),
        "grid": ("same_grid", ("other_grid", "other_county")),
        "enterprise": ("own", ("same_grid", "other_grid", "other_county")),
        "employee": ("own", ("same_grid",)),
        "gate": ("own", ("same_grid",)),
        "anonymous": ("own", ()),
    },
    # The command centre (fugong.command): the public placard of ent_admin's enterprise by its signed id
    # ("forged": altered); a daily summary of 高新区 ("hitech") or of 鹤山市 ("other_county"), made by the test
    # (a grid officer covers no town: 高新区's is not found for it either).
    "placard": {role: ("own", ("forged",)) for role in ROLES},
    "summary": {role: ("hitech", ("other_county",)) for role in ROLES} | {"admin": ("other_county", ()), "anonymous": ("hitech", ())},
}
# Help for enterprises (fugong.assistance), made by the test: a help request of the enterprise named, routed
# to 高新区经贸办 ("unrouted": one of grid 2 routed to 高新区工程办; "other_town": to 源城区工信局; "other_county": to
# 鹤山市工信局), waiting for an answer or answered; a position of the enterprise named; a routing rule of 高新区,
# of 源城区 ("county") or of 鹤山市.
HELP_REQUEST_REACH: dict[str, tuple[str, tuple[str, ...]]] = {
    "admin": ("other_county", ()),
    "command": ("other_grid", ("other_town", "other_county")),
    # A reviewer sees what was routed to its department, inside its jurisdiction.
    "reviewer": ("other_grid", ("unrouted", "other_town", "other_county")),
    "grid": ("same_grid", ("other_grid", "other_county")),
    "enterprise": ("own", ("same_grid", "other_grid", "other_county")),
    "employee": ("own", ("same_grid",)),
    "gate": ("own", ("same_grid",)),
    "anonymous": ("own", ()),
}
REACH |= {
    "help_request": HELP_REQUEST_REACH,
    "open_help_request": HELP_REQUEST_REACH,
    "answered_help_request": HELP_REQUEST_REACH,
    "position": ENTERPRISE_CHILD_REACH,
    "routing_rule": {role: ("hitech", ("other_county",)) for role in ROLES}
    | {"admin": ("other_county", ()), "command": ("hitech", ("county", "other_county")), "anonymous": ("hitech", ())},
}


def statuses(admin: int, command: int, reviewer: int, grid: int, enterprise: int, employee: int, gate: int, anonymous: int) -> dict[str, int]:
    return dict(zip(ROLES, (admin, command, reviewer, grid, enterprise, employee, gate, anonymous), strict=True))


S = statuses
# Roles refused an object endpoint as a whole (permission checked before the lookup): 403 for
# every object, in scope or not, so the answer reveals nothing about the object.
NO_BROWSE = {"enterprise": 403, "employee": 403, "gate": 403}
# Gate pages: reviewers and employees have none at all; recording is for gate guards only.
NO_GATES = {"reviewer": 403, "employee": 403}
ONLY_GUARDS = {"command": 403, "reviewer": 403, "grid": 403, "enterprise": 403, "employee": 403}
# Quarantine pages and daily reports: reviewers, employees and gate guards are refused before any lookup;
# filing a report is for the enterprise (and the platform admin) only.
NO_QUARANTINE = {"reviewer": 403, "employee": 403, "gate": 403}
# Check-in ledgers and alerts: reviewers, employees and gate guards are refused before any lookup.
NO_HEALTH = {"reviewer": 403, "employee": 403, "gate": 403}
ONLY_FILERS = {"command": 403, "reviewer": 403, "grid": 403, "employee": 403, "gate": 403}
# Roster imports: reviewers, employees and gate guards keep no roster (refused before the ticket is read).
NO_ROSTER = {"reviewer": 403, "employee": 403, "gate": 403}
# Pass approval and re-evaluation runs: for the officers; everyone else is refused before any lookup.
NO_OFFICER = {"reviewer": 403, "enterprise": 403, "employee": 403, "gate": 403}
# Materials: reviewers, employees and gate guards have no materials page at all; stockpiles and allocating
# are the command officers'; the stock forms and receiving are the enterprise's (ONLY_FILERS).
NO_MATERIALS = {"reviewer": 403, "employee": 403, "gate": 403}
ONLY_COMMAND = {"reviewer": 403, "grid": 403, "enterprise": 403, "employee": 403, "gate": 403}
# Help requests and the labour ledger: employees and gate guards have none (refused before any lookup);
# routing rules are the admin's and the command officers'.
NO_ASSIST = {"employee": 403, "gate": 403}
NO_RULES = {"reviewer": 403, "grid": 403, "enterprise": 403, "employee": 403, "gate": 403}
# Subsidy pages: reviewers, employees and gate guards have none; applying is for the enterprise (and the admin).
NO_SUBSIDIES = {"reviewer": 403, "employee": 403, "gate": 403}
ONLY_APPLICANTS = {"command": 403, "reviewer": 403, "grid": 403, "employee": 403, "gate": 403}


@dataclass(frozen=True)
class Row:
    """One named URL pattern (or a ``?query`` variant of it) and what each role gets per method."""

    methods: dict[str, dict[str, int]]
    target: str | None = None  # "enterprise" or "region": an object URL
    outside: dict[str, int] = field(default_factory=dict)  # per role, when not 404
    writes: bool = False  # an accepted POST/PATCH changes the database; a refused one must not
    payload: Callable[[World, Any], dict[str, Any]] | None = None  # the body of a POST/PATCH: (world, object) → client kwargs
    public: bool = False  # reached without signing in (a personal link): an anonymous write is accepted, not refused


# fmt: off
MATRIX: dict[str, Row] = {
    #                                                admin cmd  rev  grid ent  emp  gate anon
    "home":                          Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 302)}),
    # A signed-in user is sent home from the login page; a visitor posts the demo employee's password.
    "accounts:login":                Row({"GET":   S(302, 302, 302, 302, 302, 302, 302, 200),
                                          "POST":  S(302, 302, 302, 302, 302, 302, 302, 302)}, payload=lambda world, obj: world.login_form()),
    "accounts:logout":               Row({"POST":  S(302, 302, 302, 302, 302, 302, 302, 302)}),
    # Everyone reads only their own messages (the view filters by the signed-in user); each has one unread.
    "accounts:inbox":                Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 302)}),
    "accounts:inbox-read":           Row({"POST":  S(302, 302, 302, 302, 302, 302, 302, 302)},
                                         writes=True, payload=lambda world, obj: world.unread_messages()),
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
    # -- resumption applications: an enterprise admin has its own; employees and gate guards none.
    "resumption:list":               Row({"GET":   S(200, 200, 200, 200, 200, 403, 403, 302)}),
    "resumption:list?export=xlsx":   Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 302)}),
    "resumption:queue":              Row({"GET":   S(200, 200, 200, 403, 403, 403, 403, 302)}),
    "resumption:queue?export=xlsx":  Row({"GET":   S(200, 200, 200, 403, 403, 403, 403, 302)}),
    # The platform admin may act for an enterprise (services allow it); the enterprise's earlier application was refused.
    "resumption:start":              Row({"POST":  S(302, 403, 403, 403, 302, 403, 403, 302)},
                                         writes=True, payload=lambda world, obj: world.restart_form()),
    "resumption:detail":             Row({"GET":   S(200, 200, 200, 200, 200, 404, 404, 302)}, target="application"),
    # Only the enterprise (and the platform admin) change a draft; officials who see it get 403.
    "resumption:edit":               Row({"GET":   S(200, 403, 403, 403, 200, 404, 404, 302),
                                          "POST":  S(302, 403, 403, 403, 302, 404, 404, 302)},
                                         target="draft", writes=True, payload=lambda world, obj: world.application_form(obj)),
    "resumption:attachment-upload":  Row({"POST":  S(302, 403, 403, 403, 302, 404, 404, 302)},
                                         target="draft", writes=True, payload=lambda world, obj: world.attachment_upload()),
    "resumption:attachment-download": Row({"GET":  S(200, 200, 200, 200, 200, 404, 404, 302)}, target="attachment"),
    "resumption:attachment-delete":  Row({"POST":  S(302, 403, 403, 403, 302, 404, 404, 302)},
                                         target="draft_attachment", writes=True, payload=lambda world, obj: {}),
    "resumption:submit":             Row({"POST":  S(302, 403, 403, 403, 302, 404, 404, 302)},
                                         target="draft", writes=True, payload=lambda world, obj: {}),
    # The step's department decides it, the town's command the town's step; a grid officer and the enterprise never.
    "resumption:decide":             Row({"GET":   S(200, 200, 200, 403, 403, 404, 404, 302),
                                          "POST":  S(302, 302, 302, 403, 403, 404, 404, 302)},
                                         target="pending", writes=True, payload=lambda world, obj: world.decision(obj)),
    # Only the command over the enterprise stops and restarts it.
    "resumption:suspend":            Row({"POST":  S(302, 302, 403, 403, 403, 404, 404, 302)},
                                         target="approved", writes=True, payload=lambda world, obj: world.reason()),
    "resumption:reinstate":          Row({"POST":  S(302, 302, 403, 403, 403, 404, 404, 302)},
                                         target="suspended", writes=True, payload=lambda world, obj: world.reason()),
    "resumption:notice-pdf":         Row({"GET":   S(200, 200, 200, 200, 200, 404, 404, 302)}, target="approved"),
    "resumption:bus-letter-pdf":     Row({"GET":   S(200, 200, 200, 200, 200, 404, 404, 302)}, target="approved"),
    # Public: the notice's QR code opens it on any phone, signed in or not.
    "resumption:verify":             Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 200)}, target="notice"),
    "api:application-list":          Row({"GET":   S(200, 200, 200, 200, 200, 403, 403, 401)}),
    "api:application-detail":        Row({"GET":   S(200, 200, 200, 200, 200, 404, 404, 401)}, target="application"),
    "api:application-submit":        Row({"POST":  S(200, 403, 403, 403, 200, 404, 404, 401)},
                                         target="draft", writes=True, payload=lambda world, obj: {}),
    "api:application-decide":        Row({"POST":  S(200, 200, 200, 403, 403, 404, 404, 401)},
                                         target="pending", writes=True, payload=lambda world, obj: world.decision(obj, api=True)),
    "api:application-suspend":       Row({"POST":  S(200, 200, 403, 403, 403, 404, 404, 401)},
                                         target="approved", writes=True, payload=lambda world, obj: world.reason(api=True)),
    "api:application-reinstate":     Row({"POST":  S(200, 200, 403, 403, 403, 404, 404, 401)},
                                         target="suspended", writes=True, payload=lambda world, obj: world.reason(api=True)),
    # -- passes: every signed-in account (gates use device tokens) verifies and fetches keys and revocations.
    "api:pass-verify":               Row({"POST":  S(200, 200, 200, 200, 200, 200, 200, 401)},
                                         payload=lambda world, obj: world.pass_token()),
    "api:pass-keys":                 Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 401)}),
    "api:pass-revoked":              Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 401)}),
    "api:pass-revoked?since=2020-02-01": Row({"GET": S(200, 200, 200, 200, 200, 200, 200, 401)}),
    # -- inspections: officials covering the enterprise inspect it; the enterprise reads its own and answers findings.
    "inspections:list":              Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 302)}),
    "inspections:list?export=xlsx":  Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 302)}),
    "inspections:start-acceptance":  Row({"POST":  S(302, 302, 302, 302, 403, 403, 403, 302)},
                                         target="awaiting", outside=NO_BROWSE, writes=True, payload=lambda world, obj: {}),
    "inspections:start":             Row({"POST":  S(302, 302, 302, 302, 403, 403, 403, 302)},
                                         target="enterprise", outside=NO_BROWSE, writes=True,
                                         payload=lambda world, obj: {"data": {"kind": TemplateKind.POST_RESUMPTION}}),
    "inspections:detail":            Row({"GET":   S(200, 200, 200, 200, 200, 404, 404, 302),
                                          "POST":  S(302, 302, 302, 302, 403, 404, 404, 302)},
                                         target="inspection", writes=True, payload=lambda world, obj: world.inspection_form(obj)),
    "inspections:photo-upload":      Row({"POST":  S(302, 302, 302, 302, 403, 404, 404, 302)},
                                         target="inspection", writes=True, payload=lambda world, obj: world.photo_form(obj)),
    "inspections:photo":             Row({"GET":   S(200, 200, 200, 200, 200, 404, 404, 302)}, target="photo"),
    "inspections:complete":          Row({"POST":  S(302, 302, 302, 302, 403, 404, 404, 302)},
                                         target="inspection", writes=True, payload=lambda world, obj: world.inspection_form(obj, complete=True)),
    "inspections:rectifications":    Row({"GET":   S(200, 200, 200, 200, 200, 403, 403, 302)}),
    "inspections:rectifications?export=xlsx": Row({"GET": S(200, 200, 200, 200, 403, 403, 403, 302)}),
    # The enterprise answers its findings; the officer covering it verifies them.
    "inspections:rectification-answer": Row({"POST": S(302, 403, 403, 403, 302, 403, 403, 302)},
                                            target="open_rectification", outside={"employee": 403, "gate": 403}, writes=True,
                                            payload=lambda world, obj: {"data": {"answer": "已安排两名保安轮班值守测温点。"}}),
    "inspections:rectification-verify": Row({"POST": S(302, 302, 302, 302, 403, 403, 403, 302)},
                                            target="answered_rectification", outside={"employee": 403, "gate": 403}, writes=True,
                                            payload=lambda world, obj: {"data": {"accepted": "1"}}),
    # An item's page and its evidence photos: whoever sees the item; a finding filed by hand and the
    # summary per town are the officials'; patrols (phone page, visit, coverage, plans) the officers'.
    "inspections:rectification-detail": Row({"GET": S(200, 200, 200, 200, 200, 403, 403, 302)},
                                            target="open_rectification", outside={"employee": 403, "gate": 403}),
    "inspections:rectification-photo": Row({"GET": S(200, 200, 200, 200, 200, 404, 404, 302)}, target="evidence"),
    "inspections:rectification-summary": Row({"GET": S(200, 200, 200, 200, 403, 403, 403, 302)}),
    "inspections:rectification-summary?export=xlsx": Row({"GET": S(200, 200, 200, 200, 403, 403, 403, 302)}),
    "inspections:rectification-new": Row({"GET":  S(200, 200, 200, 200, 403, 403, 403, 302),
                                          "POST": S(302, 302, 302, 302, 403, 403, 403, 302)},
                                         target="enterprise", outside=NO_BROWSE, writes=True,
                                         payload=lambda world, obj: {"data": {"description": "访问矩阵测试：宿舍每间住 6 人"}}),
    "inspections:patrol":            Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 302)}),
    "inspections:patrol-start":      Row({"POST":  S(302, 302, 302, 302, 403, 403, 403, 302)},
                                         target="enterprise", outside=NO_BROWSE, writes=True, payload=lambda world, obj: {}),
    "inspections:patrol-coverage":   Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 302)}),
    "inspections:patrol-coverage?export=xlsx": Row({"GET": S(200, 200, 200, 200, 403, 403, 403, 302)}),
    "inspections:patrol-plans":      Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 302)}),
    # -- gates: the guard records at their own gate (a guard of one gate is sent straight to it); the
    # enterprise and the officers over it read the log, and export it; reviewers and employees have none.
    "gates:index":                   Row({"GET":   S(200, 200, 403, 200, 200, 403, 302, 302)}),
    "gates:gate":                    Row({"GET":   S(200, 200, 403, 200, 200, 403, 200, 302)}, target="gate", outside=NO_GATES),
    "gates:scan":                    Row({"POST":  S(200, 403, 403, 403, 403, 403, 200, 302)}, target="gate", outside=ONLY_GUARDS,
                                         writes=True, payload=lambda world, obj: world.gate_scan(obj)),
    "gates:visitor":                 Row({"POST":  S(200, 403, 403, 403, 403, 403, 200, 302)}, target="gate", outside=ONLY_GUARDS,
                                         writes=True, payload=lambda world, obj: world.gate_visitor()),
    "gates:vehicle":                 Row({"POST":  S(200, 403, 403, 403, 403, 403, 200, 302)}, target="gate", outside=ONLY_GUARDS,
                                         writes=True, payload=lambda world, obj: world.gate_vehicle()),
    "gates:log":                     Row({"GET":   S(200, 200, 403, 200, 200, 403, 200, 302)}, target="gate", outside=NO_GATES),
    "gates:log?export=xlsx":         Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}, target="gate", outside=NO_GATES),
    "api:gate-scan":                 Row({"POST":  S(200, 403, 403, 403, 403, 403, 200, 401)}, target="gate", outside=ONLY_GUARDS,
                                         writes=True, payload=lambda world, obj: world.gate_scan(obj, api=True)),
    # -- quarantine: officers over the place or the enterprise, the enterprise for its staff and its observation
    # area, the employee their own placement (read only); release is the officers' decision.
    "quarantine:list":               Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "quarantine:list?export=xlsx":   Row({"GET":   S(200, 200, 403, 200, 403, 403, 403, 302)}),
    "quarantine:sites":              Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "quarantine:site":               Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}, target="site", outside=NO_QUARANTINE),
    "quarantine:place":              Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302),
                                          "POST":  S(302, 302, 403, 302, 302, 403, 403, 302)},
                                         target="person", outside=NO_QUARANTINE, writes=True, payload=lambda world, obj: world.placement_form()),
    "quarantine:place-from-alert":   Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302),
                                          "POST":  S(302, 302, 403, 302, 302, 403, 403, 302)},
                                         target="fever_alert", outside=NO_QUARANTINE, writes=True,
                                         payload=lambda world, obj: world.placement_form()),
    "quarantine:detail":             Row({"GET":   S(200, 200, 404, 200, 200, 200, 404, 302)}, target="placement"),
    "quarantine:check":              Row({"POST":  S(302, 302, 404, 302, 302, 403, 404, 302)},
                                         target="placement", writes=True, payload=lambda world, obj: world.quarantine_check()),
    "quarantine:release":            Row({"POST":  S(302, 302, 404, 302, 403, 403, 404, 302)},
                                         target="placement", writes=True, payload=lambda world, obj: world.quarantine_release()),
    "api:placement-list":            Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 401)}),
    "api:placement-detail":          Row({"GET":   S(200, 200, 404, 200, 200, 200, 404, 401)}, target="placement"),
    # -- daily reports: the enterprise files its own; the officers over it read it and the town's page.
    "health:report-status":          Row({"GET":   S(200, 200, 403, 200, 403, 403, 403, 302)}),
    "health:report-status?export=xlsx": Row({"GET": S(200, 200, 403, 200, 403, 403, 403, 302)}),
    "health:report-mine":            Row({"GET":   S(302, 302, 403, 302, 302, 403, 403, 302)}),
    "health:report-enterprise":      Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}, target="enterprise", outside=NO_QUARANTINE),
    "health:report-confirm":         Row({"POST":  S(302, 403, 403, 403, 302, 403, 403, 302)}, target="enterprise", outside=ONLY_FILERS,
                                         writes=True, payload=lambda world, obj: {"data": {"note": "访问矩阵测试：今日正常。"}}),
    "health:report-zero":            Row({"POST":  S(302, 403, 403, 403, 302, 403, 403, 302)}, target="enterprise", outside=ONLY_FILERS,
                                         writes=True, payload=lambda world, obj: world.zero_report_ready(obj)),
    "api:daily-report-list":         Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 401)}),
    "api:daily-report-detail":       Row({"GET":   S(200, 200, 404, 200, 200, 404, 404, 401)}, target="daily_report"),
    "api:daily-report-confirm":      Row({"POST":  S(200, 403, 403, 403, 200, 403, 403, 401)},
                                         writes=True, payload=lambda world, obj: world.report_json()),
    "api:daily-report-zero":         Row({"POST":  S(200, 403, 403, 403, 200, 403, 403, 401)},
                                         writes=True, payload=lambda world, obj: world.report_json(zero=True)),
    # -- check-ins and alerts: a worker checks in on their own page (signed in, or through the personal link);
    # the officers over the enterprise and its admin keep the ledgers, the table and the alerts; every account
    # with people to record posts check-ins through the API (each item looked up in its scope).
    "health:link-checkin":           Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 200),
                                          "POST":  S(200, 200, 200, 200, 200, 200, 200, 200)},
                                         target="link", writes=True, public=True, payload=lambda world, obj: {"data": {"temperature": "36.5"}}),
    "health:my-checkin":             Row({"GET":   S(404, 404, 404, 404, 404, 200, 404, 302),
                                          "POST":  S(404, 404, 404, 404, 404, 200, 404, 302)},
                                         writes=True, payload=lambda world, obj: {"data": {"temperature": "36.6"}}),
    "health:checkins":               Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "health:checkins?export=xlsx":   Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "health:checkins-missing":       Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "health:checkins-missing?export=xlsx": Row({"GET": S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "health:bulk":                   Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302),
                                          "POST":  S(302, 302, 403, 302, 302, 403, 403, 302)},
                                         writes=True, payload=lambda world, obj: world.bulk_checkin_form()),
    "health:bulk-template":          Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    # Without refused rows of an import in the session, the table is where it sends you.
    "health:bulk-errors":            Row({"GET":   S(302, 302, 403, 302, 302, 403, 403, 302)}),
    "health:alerts":                 Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "health:alerts?export=xlsx":     Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "health:alert-detail":           Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}, target="alert", outside=NO_HEALTH),
    "health:alert-close":            Row({"POST":  S(302, 302, 403, 302, 302, 403, 403, 302)}, target="alert", outside=NO_HEALTH,
                                         writes=True, payload=lambda world, obj: {"data": {"outcome": "cleared", "note": "访问矩阵测试：复测体温正常。"}}),
    "api:checkin-list":              Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 401),
                                          "POST":  S(200, 200, 403, 200, 200, 200, 200, 401)},
                                         writes=True, payload=lambda world, obj: world.checkin_json()),
    # -- people (一人一档): the officers over the enterprise and its admin keep the roster; an employee is sent
    # from the list to their own file; reviewers and gate guards see no one. Only the admin and the command
    # over the enterprise reveal a full ID number (a refused attempt is audited: the row is not a "write").
    "workforce:list":                Row({"GET":   S(200, 200, 403, 200, 200, 302, 403, 302)}),
    "workforce:list?export=xlsx":    Row({"GET":   S(200, 200, 403, 200, 200, 302, 403, 302)}),
    "workforce:create":              Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302),
                                          "POST":  S(302, 302, 403, 302, 302, 403, 403, 302)},
                                         writes=True, payload=lambda world, obj: world.person_form()),
    "workforce:roster-import":       Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302),
                                          "POST":  S(302, 302, 403, 302, 302, 403, 403, 302)},
                                         writes=True, payload=lambda world, obj: world.roster_upload()),
    "workforce:roster-template":     Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "workforce:roster-progress":     Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}, target="roster_ticket", outside=NO_ROSTER),
    "workforce:roster-report":       Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}, target="roster_ticket", outside=NO_ROSTER),
    "workforce:links-export":        Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "workforce:links-print":         Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    # The travel places' public division names, for link users without an account too.
    "workforce:divisions":           Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 200)}),
    "workforce:me":                  Row({"GET":   S(404, 404, 404, 404, 404, 200, 404, 302)}),
    "workforce:me-declare":          Row({"GET":   S(404, 404, 404, 404, 404, 200, 404, 302),
                                          "POST":  S(404, 404, 404, 404, 404, 302, 404, 302)},
                                         writes=True, payload=lambda world, obj: world.declaration_form()),
    "workforce:detail":              Row({"GET":   S(200, 200, 404, 200, 200, 200, 404, 302)}, target="person_file"),
    "workforce:edit":                Row({"GET":   S(200, 200, 404, 200, 200, 403, 404, 302),
                                          "POST":  S(302, 302, 404, 302, 302, 403, 404, 302)},
                                         target="person_file", writes=True, payload=lambda world, obj: world.person_form(obj)),
    "workforce:reveal-id":           Row({"POST":  S(200, 200, 404, 403, 403, 403, 404, 302)},
                                         target="person_file", payload=lambda world, obj: {}),
    "workforce:link-qr":             Row({"GET":   S(200, 200, 404, 200, 200, 403, 404, 302)}, target="person_file"),
    "workforce:declare-for":         Row({"GET":   S(200, 200, 404, 200, 200, 403, 404, 302),
                                          "POST":  S(302, 302, 404, 302, 302, 403, 404, 302)},
                                         target="person_file", writes=True, payload=lambda world, obj: world.declaration_form()),
    # A personal link opens its person's pages for whoever holds it; a forged one is not found.
    "workforce:link-home":           Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 200)}, target="link"),
    "workforce:link-declare":        Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 200),
                                          "POST":  S(302, 302, 302, 302, 302, 302, 302, 302)},
                                         target="link", writes=True, public=True, payload=lambda world, obj: world.declaration_form()),
    "api:person-list":               Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 401),
                                          "POST":  S(201, 201, 403, 201, 201, 403, 403, 401)},
                                         writes=True, payload=lambda world, obj: world.person_json()),
    "api:person-detail":             Row({"GET":   S(200, 200, 404, 200, 200, 200, 404, 401)}, target="person_file"),
    # -- passes (出入证): grid and command officers approve (待发证, one or in bulk) and revoke; the enterprise
    # reads its staff's passes; an employee has their own pass page (signed in, or through the personal link).
    "workforce:pass-pending":        Row({"GET":   S(200, 200, 403, 200, 403, 403, 403, 302)}),
    "workforce:pass-issue-bulk":     Row({"POST":  S(302, 302, 403, 302, 403, 403, 403, 302)},
                                         writes=True, payload=lambda world, obj: world.bulk_pass_form()),
    "workforce:pass-issue":          Row({"POST":  S(302, 302, 403, 302, 403, 403, 403, 302)},
                                         target="eligible", outside=NO_OFFICER, writes=True, payload=lambda world, obj: {}),
    "workforce:pass-list":           Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "workforce:pass-list?export=xlsx": Row({"GET": S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "workforce:pass-detail":         Row({"GET":   S(200, 200, 404, 200, 200, 200, 404, 302)}, target="pass"),
    "workforce:pass-qr":             Row({"GET":   S(200, 200, 404, 200, 200, 200, 404, 302)}, target="pass"),
    "workforce:pass-revoke":         Row({"POST":  S(302, 302, 404, 302, 403, 403, 404, 302)},
                                         target="pass", writes=True, payload=lambda world, obj: {"data": {"reason": "other"}}),
    "workforce:my-pass":             Row({"GET":   S(404, 404, 404, 404, 404, 200, 404, 302)}),
    "workforce:link-pass":           Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 200)}, target="pass_link"),
    "workforce:link-pass-qr":        Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 200)}, target="pass_link"),
    # -- risk areas: national data, kept by the admin and the command officers, read by grid officers.
    "workforce:risk-list":           Row({"GET":   S(200, 200, 403, 200, 403, 403, 403, 302)}),
    "workforce:risk-list?export=xlsx": Row({"GET": S(200, 200, 403, 200, 403, 403, 403, 302)}),
    "workforce:risk-create":         Row({"GET":   S(200, 200, 403, 403, 403, 403, 403, 302),
                                          "POST":  S(302, 302, 403, 403, 403, 403, 403, 302)},
                                         writes=True, payload=lambda world, obj: world.risk_form()),
    "workforce:risk-edit":           Row({"GET":   S(200, 200, 403, 403, 403, 403, 403, 302),
                                          "POST":  S(302, 302, 403, 403, 403, 403, 403, 302)},
                                         target="risk_area", writes=True, payload=lambda world, obj: world.risk_form(obj)),
    "workforce:risk-end":            Row({"POST":  S(302, 302, 403, 403, 403, 403, 403, 302)},
                                         target="risk_area", writes=True, payload=lambda world, obj: {}),
    "workforce:risk-import":         Row({"GET":   S(200, 200, 403, 403, 403, 403, 403, 302),
                                          "POST":  S(200, 200, 403, 403, 403, 403, 403, 302)},
                                         writes=True, payload=lambda world, obj: world.risk_upload()),
    "workforce:risk-import-template": Row({"GET":  S(200, 200, 403, 403, 403, 403, 403, 302)}),
    # Without an error report in the session, the import page is where it sends you.
    "workforce:risk-import-errors":  Row({"GET":   S(302, 302, 403, 403, 403, 403, 403, 302)}),
    # -- re-evaluation runs: followed by the officers (a run of another county is not found), started by the command.
    "workforce:reevaluation-list":   Row({"GET":   S(200, 200, 403, 200, 403, 403, 403, 302)}),
    "workforce:reevaluation-start":  Row({"POST":  S(302, 302, 403, 403, 403, 403, 403, 302)}, writes=True, payload=lambda world, obj: {}),
    "workforce:reevaluation-detail": Row({"GET":   S(200, 200, 403, 200, 403, 403, 403, 302)}, target="run", outside=NO_OFFICER),
    "workforce:reevaluation-detail?export=xlsx": Row({"GET": S(200, 200, 403, 200, 403, 403, 403, 302)}, target="run", outside=NO_OFFICER),
    "workforce:reevaluation-progress": Row({"GET": S(200, 200, 403, 200, 403, 403, 403, 302)}, target="run", outside=NO_OFFICER),
    # -- protective materials: the enterprise keeps its stock (received/used, the daily count) and receives allocations;
    # command and grid officers read their enterprises' stock; the command keeps the stockpiles and allocates.
    "materials:home":                Row({"GET":   S(302, 302, 403, 302, 302, 403, 403, 302)}),
    "materials:enterprises":         Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "materials:enterprises?state=short": Row({"GET": S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "materials:enterprises?export=xlsx": Row({"GET": S(200, 200, 403, 200, 403, 403, 403, 302)}),
    "materials:enterprise":          Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}, target="enterprise", outside=NO_MATERIALS),
    "materials:movements":           Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}, target="enterprise", outside=NO_MATERIALS),
    "materials:movement-add":        Row({"POST":  S(302, 403, 403, 403, 302, 403, 403, 302)}, target="enterprise", outside=ONLY_FILERS,
                                         writes=True, payload=lambda world, obj: world.materials_movement_form()),
    "materials:count":               Row({"POST":  S(302, 403, 403, 403, 302, 403, 403, 302)}, target="enterprise", outside=ONLY_FILERS,
                                         writes=True, payload=lambda world, obj: world.materials_count_form(obj)),
    "materials:stockpiles":          Row({"GET":   S(200, 200, 403, 403, 403, 403, 403, 302)}),
    "materials:stockpile":           Row({"GET":   S(200, 200, 403, 403, 403, 403, 403, 302)}, target="stockpile", outside=ONLY_COMMAND),
    "materials:stockpile-receive":   Row({"POST":  S(302, 302, 403, 403, 403, 403, 403, 302)}, target="stockpile", outside=ONLY_COMMAND,
                                         writes=True, payload=lambda world, obj: world.stockpile_form()),
    "materials:propose":             Row({"GET":   S(200, 200, 403, 403, 403, 403, 403, 302),
                                          "POST":  S(302, 302, 403, 403, 403, 403, 403, 302)},
                                         writes=True, payload=lambda world, obj: world.proposal_form()),
    "materials:allocations":         Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "materials:allocations?export=xlsx": Row({"GET": S(200, 200, 403, 200, 403, 403, 403, 302)}),
    "materials:incoming":            Row({"GET":   S(200, 403, 403, 403, 200, 403, 403, 302)}),
    "materials:allocation-confirm":  Row({"POST":  S(302, 302, 403, 403, 403, 403, 403, 302)}, target="proposed_allocation",
                                         outside=ONLY_COMMAND, writes=True, payload=lambda world, obj: {}),
    "materials:allocation-cancel":   Row({"POST":  S(302, 302, 403, 403, 403, 403, 403, 302)}, target="proposed_allocation",
                                         outside=ONLY_COMMAND, writes=True, payload=lambda world, obj: {"data": {"reason": "访问矩阵测试"}}),
    "materials:allocation-receive":  Row({"POST":  S(302, 403, 403, 403, 302, 403, 403, 302)}, target="confirmed_allocation",
                                         outside=ONLY_FILERS, writes=True, payload=lambda world, obj: {}),
    # -- subsidies: the enterprise sees what its roster earns and applies; the command over it approves or rejects;
    # grid officers read (names masked); reviewers, employees and gate guards have no subsidy pages.
    "subsidies:list":                Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "subsidies:list?export=xlsx":    Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "subsidies:summary":             Row({"GET":   S(200, 200, 403, 200, 403, 403, 403, 302)}),
    "subsidies:schemes":             Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}),
    "subsidies:scheme":              Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}, target="subsidy_scheme", outside=NO_SUBSIDIES),
    "subsidies:payment-list":        Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}, target="subsidy_scheme", outside=NO_SUBSIDIES),
    "subsidies:enterprise":          Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}, target="enterprise", outside=NO_SUBSIDIES),
    "subsidies:apply":               Row({"POST":  S(302, 403, 403, 403, 302, 403, 403, 302)}, target="enterprise", outside=ONLY_APPLICANTS,
                                         writes=True, payload=lambda world, obj: world.subsidy_apply_form(obj)),
    "subsidies:detail":              Row({"GET":   S(200, 200, 403, 200, 200, 403, 403, 302)}, target="subsidy_application", outside=NO_SUBSIDIES),
    "subsidies:approve":             Row({"POST":  S(302, 302, 403, 403, 403, 403, 403, 302)}, target="subsidy_application",
                                         outside=NO_SUBSIDIES, writes=True, payload=lambda world, obj: {"data": {"note": "访问矩阵测试：同意。"}}),
    "subsidies:reject":              Row({"POST":  S(302, 302, 403, 403, 403, 403, 403, 302)}, target="subsidy_application",
                                         outside=NO_SUBSIDIES, writes=True, payload=lambda world, obj: {"data": {"reason": "访问矩阵测试：材料不全。"}}),
    # -- help for enterprises: the enterprise files its requests and alone confirms them; the routed department or the
    # command answers; the grid officer reads; the 12345 hotline and the routing rules are the command's.
    "assistance:requests":           Row({"GET":   S(200, 200, 200, 200, 200, 403, 403, 302)}),
    "assistance:requests?export=xlsx": Row({"GET": S(200, 200, 200, 200, 200, 403, 403, 302)}),
    "assistance:request-create":     Row({"GET":   S(200, 403, 403, 403, 200, 403, 403, 302),
                                          "POST":  S(302, 403, 403, 403, 302, 403, 403, 302)},
                                         writes=True, payload=lambda world, obj: world.help_request_form()),
    "assistance:request-hotline":    Row({"GET":   S(200, 200, 403, 403, 403, 403, 403, 302),
                                          "POST":  S(302, 302, 403, 403, 403, 403, 403, 302)},
                                         writes=True, payload=lambda world, obj: world.help_request_form(hotline=True)),
    "assistance:request":            Row({"GET":   S(200, 200, 200, 200, 200, 403, 403, 302)}, target="help_request", outside=NO_ASSIST),
    "assistance:request-answer":     Row({"POST":  S(302, 302, 302, 403, 403, 403, 403, 302)}, target="open_help_request", outside=NO_ASSIST,
                                         writes=True, payload=lambda world, obj: {"data": {"answer": "访问矩阵测试：已对接银行。"}}),
    "assistance:request-confirm":    Row({"POST":  S(302, 403, 403, 403, 302, 403, 403, 302)}, target="answered_help_request",
                                         outside=NO_ASSIST, writes=True, payload=lambda world, obj: {"data": {"solved": "yes"}}),
    "assistance:rules":              Row({"GET":   S(200, 200, 403, 403, 403, 403, 403, 302)}),
    "assistance:rule-create":        Row({"GET":   S(200, 200, 403, 403, 403, 403, 403, 302),
                                          "POST":  S(302, 302, 403, 403, 403, 403, 403, 302)},
                                         writes=True, payload=lambda world, obj: world.routing_rule_form()),
    "assistance:rule-edit":          Row({"GET":   S(200, 200, 403, 403, 403, 403, 403, 302),
                                          "POST":  S(302, 302, 403, 403, 403, 403, 403, 302)},
                                         target="routing_rule", outside=NO_RULES, writes=True,
                                         payload=lambda world, obj: world.routing_rule_form(obj)),
    "assistance:rule-delete":        Row({"POST":  S(302, 302, 403, 403, 403, 403, 403, 302)},
                                         target="routing_rule", outside=NO_RULES, writes=True, payload=lambda world, obj: {}),
    # -- the labour ledger: the enterprise posts and edits; the command (and a 人社 reviewer) update the matching figures.
    "assistance:positions":          Row({"GET":   S(200, 200, 200, 200, 200, 403, 403, 302)}),
    "assistance:positions?export=xlsx": Row({"GET": S(200, 200, 200, 200, 200, 403, 403, 302)}),
    "assistance:labour-summary":     Row({"GET":   S(200, 200, 200, 200, 200, 403, 403, 302)}),
    "assistance:labour-summary?export=xlsx": Row({"GET": S(200, 200, 200, 200, 200, 403, 403, 302)}),
    "assistance:position-create":    Row({"GET":   S(200, 403, 403, 403, 200, 403, 403, 302),
                                          "POST":  S(302, 403, 403, 403, 302, 403, 403, 302)},
                                         writes=True, payload=lambda world, obj: world.position_form()),
    "assistance:position":           Row({"GET":   S(200, 200, 200, 200, 200, 403, 403, 302)}, target="position", outside=NO_ASSIST),
    "assistance:position-edit":      Row({"GET":   S(200, 403, 403, 403, 200, 403, 403, 302),
                                          "POST":  S(302, 403, 403, 403, 302, 403, 403, 302)},
                                         target="position", outside=NO_ASSIST, writes=True, payload=lambda world, obj: world.position_form(obj)),
    "assistance:position-progress":  Row({"POST":  S(302, 302, 403, 403, 302, 403, 403, 302)}, target="position", outside=NO_ASSIST,
                                         writes=True, payload=lambda world, obj: {"data": {"matched_count": "2", "filled_count": "1"}}),
    # -- the command centre: dashboards, flags and daily summaries for the officials (each of their jurisdiction);
    # the placard is public, its QR page for the officials over the enterprise and its own admin.
    "command:dashboard":             Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 302)}),
    "command:dashboard-json":        Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 302)}),
    "command:flags":                 Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 302)}),
    "command:flags?export=xlsx":     Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 302)}),
    "command:flag":                  Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 302)}, target="enterprise", outside=NO_BROWSE),
    "command:placard":               Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 200)}, target="placard"),
    # The enterprise's own placard page: only an enterprise admin has one (the others are not found).
    "command:placard-mine":          Row({"GET":   S(404, 404, 404, 404, 302, 404, 404, 302)}),
    "command:placard-enterprise":    Row({"GET":   S(200, 200, 200, 200, 200, 403, 403, 302)}, target="enterprise",
                                         outside={"employee": 403, "gate": 403}),
    "command:summaries":             Row({"GET":   S(200, 200, 200, 200, 403, 403, 403, 302)}),
    "command:summary-generate":      Row({"POST":  S(302, 302, 403, 403, 403, 403, 403, 302)},
                                         writes=True, payload=lambda world, obj: {"data": {"region": world.region(HITECH).pk}}),
    "command:summary-pdf":           Row({"GET":   S(200, 200, 200, 404, 403, 403, 403, 302)}, target="summary", outside=NO_BROWSE),
    # -- export jobs: started from a list the role may export (the enterprise ledger), followed and
    # downloaded by their owner only; 'my exports' for the roles that export ledgers.
    "exports:list":                  Row({"GET":   S(200, 200, 200, 200, 200, 403, 403, 302)}),
    "exports:start":                 Row({"POST":  S(302, 302, 302, 302, 403, 403, 403, 302)}, writes=True,
                                         payload=lambda world, obj: {"data": {"path": reverse("enterprises:list"), "query": "sector=industry"}}),
    "exports:detail":                Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 302)}, target="export_job"),
    "exports:download":              Row({"GET":   S(200, 200, 200, 200, 200, 200, 200, 302)}, target="export_job"),
}
# fmt: on

# Named patterns of other apps, each handled by one small explicit rule below.
EXPLICIT = {"set_language"}  # test_language_switch_is_open_to_everyone
OTHER_NAMESPACES = {"admin"}  # test_django_admin_is_for_staff_only
OUR_NAMESPACES = {"accounts", "enterprises", "regions", "policy", "audit", "api", "resumption", "inspections", "gates", "quarantine", "health", "workforce",
                  "subsidies", "assistance", "materials", "command", "exports"}
OUR_TOP_LEVEL = {"home"}
PROBED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# The URL keywords of an object of each kind.
URL_KWARGS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "enterprise": lambda enterprise: {"pk": enterprise.pk},
    "region": lambda region: {"code": region.code},
    **{kind: (lambda application: {"uuid": application.uuid}) for kind in APPLICATION_KINDS},
    "awaiting": lambda application: {"application": application.uuid},
    "attachment": lambda attachment: {"uuid": attachment.application.uuid, "attachment": attachment.uuid},
    "draft_attachment": lambda attachment: {"uuid": attachment.application.uuid, "attachment": attachment.uuid},
    "inspection": lambda inspection: {"uuid": inspection.uuid},
    "photo": lambda photo: {"uuid": photo.result.inspection.uuid, "photo": photo.uuid},
    "open_rectification": lambda item: {"pk": item.pk},
    "answered_rectification": lambda item: {"pk": item.pk},
    "evidence": lambda evidence: {"pk": evidence.item_id, "photo": evidence.uuid},
    "notice": lambda notice: {"token": notice.token},
    "gate": lambda gate: {"pk": gate.pk},
    "placement": lambda placement: {"uuid": placement.pk},
    "site": lambda site: {"pk": site.pk},
    "person": lambda person: {"person": person.pk},
    "fever_alert": lambda alert: {"alert": alert.uuid},
    "alert": lambda alert: {"uuid": alert.uuid},
    "daily_report": lambda report: {"pk": report.pk},
    "person_file": lambda person: {"pk": person.pk},
    "link": lambda token: {"token": token},
    "roster_ticket": lambda ticket: {"ticket": ticket},
    "pass": lambda item: {"uuid": item.pk},
    "eligible": lambda person: {"uuid": person.pk},
    "pass_link": lambda token: {"token": token},
    "risk_area": lambda area: {"pk": area.pk},
    "run": lambda run: {"pk": run.pk},
    "export_job": lambda job: {"pk": job.pk},
    "placard": lambda token: {"token": token},
    "summary": lambda summary: {"pk": summary.pk},
    **{kind: (lambda item: {"pk": item.pk}) for kind in ("stockpile", "proposed_allocation", "confirmed_allocation")},
    **{kind: (lambda item: {"pk": item.pk}) for kind in ("help_request", "open_help_request", "answered_help_request", "position", "routing_rule")},
    "subsidy_scheme": lambda scheme: {"pk": scheme.pk},
    "subsidy_application": lambda application: {"uuid": application.pk},
}


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


def _id_number(serial: int) -> str:
    """A valid ID number of a birth date no demo person has (people registered by the matrix)."""
    from fugong.core.idcard import check_character

    body = f"441622198406{(serial // 1000) % 28 + 1:02d}{serial % 1000:03d}"
    return body + check_character(body)


def new_uscc(serial: int) -> str:
    body = f"9144160{serial % 10}MA{serial:07d}"
    return body + uscc_number.calc_check_digit(body)


# Demo objects the World picked, by what it looked for: the demo is seeded once per session and
# every test rolls back, so a pick holds for every test of the module.
_DEMO_PICKS: dict[tuple[str, ...], int | None] = {}


@cache
def _department_id(region_code: str, name: str) -> int:
    return Department.objects.filter(region__code=region_code, name=name).values_list("pk", flat=True)[0]


class World:
    """Clients for the roles and the objects the matrix is tried with, built on demand inside
    the test's transaction."""

    def __init__(self, sessions: dict[str, str] | None = None) -> None:
        self._sessions = sessions or {}
        self._enterprises: dict[str, Enterprise] = {}
        self._applications: dict[tuple[str, str], Application] = {}
        self._children: dict[tuple[str, str], Any] = {}
        self._made: set[tuple[str, int]] = set()  # what this test made: never remembered across tests
        self._serial = 0

    # people
    @staticmethod
    def user(username: str) -> User:
        return User.objects.get(username=username)

    def client(self, role_or_username: str | None) -> Client:
        username = ACTOR.get(role_or_username, role_or_username) if role_or_username else None  # type: ignore[arg-type]
        client = Client()
        if username in self._sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self._sessions[username]
        elif username:
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
        if kind == "enterprise":
            return self.enterprise(name)
        if kind == "region":
            return self.region(REGION_TARGETS[name])
        if kind in APPLICATION_KINDS:
            return self.application(kind, name)
        if (kind, name) not in self._children:
            self._children[(kind, name)] = self._child(kind, name)
        return self._children[(kind, name)]

    # applications
    @staticmethod
    def jmb() -> int:
        """The id of 高新区经贸办, jmb_reviewer's department."""
        return _department_id(HITECH, JMB)

    def _place_q(self, place: str) -> Q:
        """Applications whose enterprise stands at ``place`` (APPLICATION_TARGETS), from parent links."""
        grid1 = subtree_ids(GRID1)
        beyond_grid1 = subtree_ids(HITECH) - grid1
        routed = Q(pk__in=ReviewStep.objects.filter(department_id=self.jmb()).values("application_id"))
        own = self.own_enterprise()
        return {
            "own": Q(enterprise=own),
            "same_grid": Q(enterprise__region_id__in=grid1) & ~Q(enterprise=own),
            "other_grid": Q(enterprise__region_id__in=beyond_grid1) & routed,
            "at_jmb": Q(enterprise__region_id__in=beyond_grid1) & routed,
            "at_town": Q(enterprise__region_id__in=beyond_grid1) & routed,
            "unrouted": Q(enterprise__region_id__in=beyond_grid1) & ~routed,
            "other_town": Q(enterprise__region_id__in=subtree_ids(HEYUAN) - subtree_ids(HITECH)),
            "other_county": Q(enterprise__region_id__in=subtree_ids(HESHAN)),
        }[place]

    def _waits_where_wanted(self, application: Application, place: str) -> bool:
        step = pending_step(application)
        if place == "at_jmb":
            return step is not None and step.department_id == self.jmb()
        if place == "at_town":
            return step is not None and step.stage == Stage.TOWN and step.region_id == self.region(HITECH).pk
        return step is not None

    def application(self, kind: str, place: str) -> Application:
        """An application of ``kind`` (APPLICATION_KINDS) at ``place`` (APPLICATION_TARGETS)."""
        if (kind, place) not in self._applications:
            pk = self._demo_pick(("application", kind, place), lambda: self._find_application(kind, place))
            if pk is None:
                made = self._make_application(kind, place)
                self._made.add(("application", made.pk))
                pk = made.pk
            application = Application.objects.select_related("enterprise__region").get(pk=pk)
            if kind == "draft" and place == "own":
                self._complete(application)
            self._applications[(kind, place)] = application
        return self._applications[(kind, place)]

    def _demo_pick(self, key: tuple[str, ...], find: Callable[[], Model | None]) -> int | None:
        """The demo object ``find`` picks, remembered for the module (each test rolls back what it
        changed, so the demo is the same in every test) unless this test had made something that
        ``find`` might have picked instead."""
        if key in _DEMO_PICKS:
            return _DEMO_PICKS[key]
        found = find()
        pk = found.pk if found is not None else None
        if not self._made:
            _DEMO_PICKS[key] = pk
        return pk

    def _find_application(self, kind: str, place: str) -> Application | None:
        candidates = Application.objects.filter(self._place_q(place), status__in=APPLICATION_KINDS[kind])
        if kind in ("approved", "suspended"):
            candidates = candidates.filter(notice__isnull=False, notice__revoked_at__isnull=True)
        if kind == "approved":
            candidates = candidates.filter(Q(shuttle_bus_count__gt=0) | Q(enterprise__has_shuttle_bus=True))
        for application in candidates.order_by("pk"):
            if kind != "pending" or self._waits_where_wanted(application, place):
                return application
        return None

    def _place_enterprise(self, place: str) -> Enterprise:
        named = {"own": "own", "same_grid": "same_grid", "other_town": "other_town", "other_county": "other_county"}
        return self.enterprise(named.get(place, "other_grid"))

    def _make_application(self, kind: str, place: str) -> Application:
        """One in the state the kind names, as the services would have left it: numbered, with the
        steps of its round (经贸办's where the place says it was routed there), notice, suspension."""
        enterprise = self._place_enterprise(place)
        status = {"application": Status.APPROVED, "draft": Status.DRAFT, "approved": Status.APPROVED, "suspended": Status.SUSPENDED,
                  "awaiting": Status.INSPECTION}.get(kind, Status.TOWN_REVIEW if place == "at_town" else Status.DEPARTMENT_REVIEW)
        self._serial += 1
        now = timezone.now()
        submitted = status != Status.DRAFT
        application = Application.objects.create(
            enterprise=enterprise, status=status, planned_start=now + timedelta(days=7), production_plan="访问矩阵测试",
            shuttle_bus_count=1 if kind == "approved" else 0, number=f"FGTEST-{self._serial:05d}" if submitted else None,
            submission_count=int(submitted), submitted_at=now if submitted else None,
        )
        if submitted:
            department = self.jmb() if place in ("own", "same_grid", "other_grid", "at_jmb", "at_town") else self._other_department(enterprise)
            at_department = status == Status.DEPARTMENT_REVIEW
            at_town = status in (Status.DEPARTMENT_REVIEW, Status.TOWN_REVIEW)
            ReviewStep.objects.bulk_create([
                ReviewStep(application=application, round=1, order=1, stage=Stage.DEPARTMENT, department_id=department, opened_at=now,
                           status=StepStatus.PENDING if at_department else StepStatus.APPROVED),
                ReviewStep(application=application, round=1, order=2, stage=Stage.TOWN, region=enterprise.town,
                           opened_at=None if at_department else now, status=StepStatus.PENDING if at_town else StepStatus.APPROVED),
            ])
        if status in (Status.APPROVED, Status.SUSPENDED):
            Notice.objects.create(application=application, number=f"测试复工〔2020〕{self._serial:04d}号")
        if status == Status.SUSPENDED:
            Suspension.objects.create(application=application, reason="访问矩阵测试：责令停工整改。")
        return application

    @staticmethod
    def _other_department(enterprise: Enterprise) -> int:
        """A department above the enterprise other than 经贸办."""
        above: list[int] = []
        region: Region | None = enterprise.region
        while region is not None:
            above.append(region.pk)
            region = region.parent
        return Department.objects.filter(region_id__in=above).exclude(name=JMB).order_by("pk").values_list("pk", flat=True)[0]

    @staticmethod
    def _complete(draft: Application) -> None:
        """The demo leaves ent_admin's draft short of masks; buy them, so that it can be submitted."""
        key = ("masks", str(draft.pk))
        if key not in _DEMO_PICKS:
            _DEMO_PICKS[key] = masks_needed(draft.returning_headcount, current(draft.enterprise.region)) + 100
        MaterialReserve.objects.update_or_create(application=draft, item=MaterialItem.MASK, defaults={"quantity": _DEMO_PICKS[key]})
        if ("checked", str(draft.pk)) not in _DEMO_PICKS:
            blocking = [c.message for c in checks_for(draft) if not c.ok and c.blocking]
            assert not blocking, blocking
            _DEMO_PICKS[("checked", str(draft.pk))] = 1

    # what hangs off applications and enterprises
    def _child(self, kind: str, name: str) -> Any:
        if kind == "attachment":
            def find() -> Attachment | None:
                documents = Attachment.objects.filter(application__in=Application.objects.filter(self._place_q(name)))
                return documents.order_by("pk").first()

            pk = self._demo_pick(("attachment", name), find)
            return Attachment.objects.select_related("application").get(pk=pk) if pk else self._attach(self.application("application", name))
        if kind == "draft_attachment":
            draft = self.application("draft", name)
            return draft.attachments.select_related("application").order_by("pk").first() or self._attach(draft)
        if kind == "inspection":
            return inspection_start(enterprise=self.enterprise(name), kind=TemplateKind.POST_RESUMPTION, acting_user=self.user("admin"))
        if kind == "photo":
            inspection = self.target("inspection", name)
            item = applicable_items(inspection.template, inspection.enterprise)[0]
            return photo_add(inspection=inspection, item_id=item.pk, upload=self.photo(), acting_user=self.user("admin"))
        if kind == "evidence":
            evidence = RectificationEvidence(item=self.target("answered_rectification", name))
            evidence.image.save("matrix.png", ContentFile(PHOTO_PNG), save=False)
            evidence.save()
            return evidence
        if kind in ("open_rectification", "answered_rectification"):
            answered = kind == "answered_rectification"
            return RectificationItem.objects.create(
                enterprise=self.enterprise(name), description="访问矩阵测试：门口测温点无专人值守", deadline=timezone.localdate() + timedelta(days=3),
                status=RectificationStatus.ANSWERED if answered else RectificationStatus.OPEN,
                answer="已安排专人值守。" if answered else "", answered_at=timezone.now() if answered else None,
            )
        if kind == "notice":
            if name == "unknown":
                return Notice(token="Unknown-token-0123456789")  # the shape of a token; no notice has it
            return Notice.objects.get(application=self.application("approved", "other_county"))
        if kind == "gate":
            if name == "own":
                return Gate.objects.get(name="东门", enterprise=self.own_enterprise())
            if name == "checkpoint":
                return Gate.objects.get(name="源城区入城检查站", kind="checkpoint")
            return Gate.objects.create(enterprise=self.enterprise(name), name="访问矩阵测试门岗")
        if kind in ("placement", "site", "person", "fever_alert", "daily_report"):
            return self._quarantine_child(kind, name)
        if kind == "alert":  # an open fever alert, as the quarantine's placement from an alert takes it
            return self._quarantine_child("fever_alert", name)
        if kind in ("pass", "eligible", "pass_link", "risk_area", "run"):
            return self._pass_child(kind, name)
        if kind in ("person_file", "link", "roster_ticket"):
            return self._people_child(kind, name)
        if kind == "export_job":
            return self._export_job(name)
        if kind in ("help_request", "open_help_request", "answered_help_request", "position", "routing_rule"):
            return self._assistance_child(kind, name)
        if kind in ("subsidy_scheme", "subsidy_application"):
            return self._subsidy_child(kind, name)
        if kind in ("placard", "summary"):
            return self._command_child(kind, name)
        if kind in ("stockpile", "proposed_allocation", "confirmed_allocation"):
            return self._materials_child(kind, name)
        raise KeyError((kind, name))

    # the command centre (fugong.command)
    def _command_child(self, kind: str, name: str) -> Any:
        from django.core.files.base import ContentFile

        from fugong.command.models import DailySummary
        from fugong.command.placard import placard_token

        if kind == "placard":
            token = placard_token(self.own_enterprise())
            return token if name == "own" else token[:-2] + ("aa" if not token.endswith("aa") else "bb")
        region = self.region(HITECH if name == "hitech" else HESHAN)
        summary = DailySummary.objects.filter(region=region, day=timezone.localdate()).first()
        if summary is None or not summary.file:
            summary = summary or DailySummary(region=region, day=timezone.localdate(), generated_at=timezone.now(), figures={"enterprises": 1})
            summary.file.save("matrix.pdf", ContentFile(b"%PDF-1.4 matrix"), save=False)
            summary.save()
        return summary

    # help for enterprises (fugong.assistance)
    def _assistance_child(self, kind: str, name: str) -> Any:
        from fugong.assistance.models import HelpRequest, Position, RoutingRule

        now = timezone.now()
        if kind == "routing_rule":
            code = {"hitech": HITECH, "county": HEYUAN, "other_county": HESHAN}[name]
            region = self.region(code)
            department = Department.objects.filter(region=region).order_by("pk").first()
            return RoutingRule.objects.create(region=region, category="other", department=department, note="访问矩阵测试")
        if kind == "position":
            enterprise = self.enterprise(name)
            return Position.objects.create(enterprise=enterprise, title="访问矩阵测试普工", count=10, start_date=timezone.localdate(),
                                           contact_name="李四", contact_phone="13800001111")
        enterprise = self.enterprise({"unrouted": "other_grid"}.get(name, name))
        if name == "unrouted":
            department = _department_id(HITECH, "工程办")
        elif name == "other_town":
            department = _department_id(HEYUAN, "工信局")
        elif name == "other_county":
            department = _department_id(HESHAN, "工信局")
        else:
            department = self.jmb()
        answered = kind == "answered_help_request"
        return HelpRequest.objects.create(
            enterprise=enterprise, category="finance", title="访问矩阵测试诉求", description="访问矩阵测试。", department_id=department,
            status="answered" if answered else "filed", filed_at=now - timedelta(hours=3), answer_due_at=now + timedelta(hours=45),
            first_answered_at=now if answered else None, answered_at=now if answered else None, answer="已办理。" if answered else "",
            response_seconds=3 * 3600 if answered else None,
        )

    def help_request_form(self, *, hotline: bool = False) -> dict[str, Any]:
        """A finance request of ent_admin's enterprise (in the command's jurisdiction too), by the hotline with its caller."""
        data = {"enterprise": self.own_enterprise().pk, "category": "finance", "title": "访问矩阵测试诉求", "description": "流动资金紧张。"}
        if hotline:
            data |= {"caller_name": "刘先生", "caller_phone": "13902761234"}
        return {"data": data}

    def routing_rule_form(self, rule: Any = None) -> dict[str, Any]:
        """A new rule of 高新区 for labour requests to 高新区经贸办, or the given rule with another note."""
        if rule is None:
            return {"data": {"region": self.region(HITECH).pk, "category": "labour", "department": self.jmb(), "note": "访问矩阵测试"}}
        return {"data": {"region": rule.region_id, "category": rule.category, "department": rule.department_id, "note": "访问矩阵测试：已修改"}}

    def position_form(self, position: Any = None) -> dict[str, Any]:
        """A new position of ent_admin's enterprise, or the given one wanting one more person."""
        data: dict[str, Any] = {"title": "访问矩阵测试焊工", "count": 5, "start_date": timezone.localdate().isoformat(), "contact_name": "李四",
                                "contact_phone": "13800001111", "status": "open"}
        if position is None:
            data["enterprise"] = self.own_enterprise().pk
        else:
            data |= {"title": position.title, "count": position.count + 1, "start_date": position.start_date.isoformat()}
        return {"data": data}
    # quarantine and daily reports (fugong.quarantine, fugong.health.reports)
    def quarantine_person(self, enterprise: Enterprise) -> Any:
        """A worker registered now (local, not away), with no placement."""
        from fugong.core.idcard import check_character
        from fugong.workforce.services import person_create

        self._serial += 1
        body = f"441623198507{(self._serial // 1000) % 28 + 1:02d}{self._serial % 1000:03d}"
        return person_create(enterprise=enterprise, acting_user=self.user("admin"),
                             data={"name": "隔离测试", "id_number": body + check_character(body), "phone": "13900000000", "origin": "local_not_away"})

    def _employee_record(self) -> Any:
        from fugong.workforce.models import Person

        found = Person.objects.filter(user__username="employee").first()
        if found is None:
            found = self.quarantine_person(self.own_enterprise())
            Person.objects.filter(pk=found.pk).update(user=self.user("employee"))
        return found

    def _central_site(self) -> Any:
        from fugong.quarantine.models import Site
        from fugong.quarantine.services import site_create

        found = Site.objects.filter(kind="central", reserve=False, region__code=HITECH).order_by("pk").first()
        return found or site_create(kind="central", name="访问矩阵测试集中隔离点", region=self.region(HITECH), rooms=5, acting_user=self.user("admin"))

    def _quarantine_child(self, kind: str, name: str) -> Any:
        from datetime import timedelta
        from decimal import Decimal

        from fugong.health.services import alert_raise
        from fugong.quarantine.models import Placement, Site
        from fugong.quarantine.services import placement_create, site_create

        admin, today = self.user("admin"), timezone.localdate()
        if kind == "site":
            if name == "central":
                return self._central_site()
            enterprise = self.enterprise(name)
            found = Site.objects.filter(kind="enterprise", enterprise=enterprise).order_by("pk").first()
            return found or site_create(kind="enterprise", name="访问矩阵测试观察区", region=enterprise.region, enterprise=enterprise,
                                        rooms=2, acting_user=admin)
        if kind == "person":
            return self.quarantine_person(self.enterprise(name))
        if kind == "fever_alert":
            person = self.quarantine_person(self.enterprise(name))
            return alert_raise(kind="fever", enterprise=person.enterprise, person=person, temperature=Decimal("38.1"),
                               detail="访问矩阵测试：体温 38.1℃")
        if kind == "daily_report":
            from fugong.health.reports import daily_report_fill

            return daily_report_fill(enterprise=self.enterprise(name), day=today)
        # a placement (kind == "placement")
        if name == "own":
            person = self._employee_record()
            held = Placement.objects.filter(person=person, status="active").first()
            if held is not None:
                return held
        else:
            person = self.quarantine_person(self.enterprise({"colleague": "own", "central": "other_grid"}.get(name, name)))
        site = self._central_site() if name == "central" else None
        return placement_create(person=person, kind="central" if site else "home", reason="outside_city", site=site,
                                start=today - timedelta(days=1), acting_user=admin)

    def _attach(self, application: Application) -> Attachment:
        attachment = Attachment(application=application, kind="other", original_name="访问矩阵测试.pdf", content_type="application/pdf",
                                size=len(ATTACHMENT_PDF))
        attachment.file.save("upload.pdf", ContentFile(ATTACHMENT_PDF), save=False)
        attachment.save()
        self._made.add(("attachment", attachment.pk))
        return attachment

    # people (fugong.workforce)
    def _people_child(self, kind: str, name: str) -> Any:
        from django.core.files.storage import default_storage

        from fugong.workforce.links import make_token
        from fugong.workforce.tasks import REPORT_DIR
        from fugong.workforce.views.roster import make_ticket

        if kind == "person_file":
            return self._employee_record() if name == "self" else self.target("person", name)
        if kind == "link":
            token = make_token(self._employee_record())
            return token if name == "self" else token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        # a finished roster import of ent_admin's enterprise, with its error report, by the role's own account
        username = "county_cmd" if name == "other_user" else (ACTOR.get(name) or "ent_admin")
        report = default_storage.save(f"{REPORT_DIR}/访问矩阵测试-错误报告.xlsx", ContentFile(b"PK matrix"))
        return make_ticket(task_id="matrix-task", user=self.user(username), enterprise=self.own_enterprise(), filename="花名册.csv",
                           result={"rows": 1, "imported": 0, "refused": 1, "warnings": 0, "error": "", "report": report})

    def _export_job(self, name: str) -> Any:
        """A finished export job of the role's own account ("other_user": county_cmd's), with its file."""
        from fugong.exports.models import ExportJob

        username = "county_cmd" if name == "other_user" else (ACTOR.get(name) or "ent_admin")
        job = ExportJob(user=self.user(username), view_name="enterprises:list", title="企业台账", status="done", total=1, done=1,
                        filename="企业台账-矩阵测试.xlsx", finished_at=timezone.now())
        job.file.save("matrix.xlsx", ContentFile(b"PK matrix"), save=False)
        job.save()
        return job

    # subsidies (fugong.subsidies)
    def subsidy_scheme_for(self, enterprise: Enterprise) -> Any:
        """A scheme of the enterprise's county made by the test: 300 yuan to anyone back within the last 30 days."""
        from fugong.subsidies.seeds import scheme_create

        today = timezone.localdate()
        county = enterprise.region
        while county.level != Level.COUNTY and county.parent is not None:
            county = county.parent
        return scheme_create(region=county, name="访问矩阵测试补贴", period=(today - timedelta(days=30), today + timedelta(days=30)),
                             legal_basis="访问矩阵测试",
                             rules=[{"kind": "return_by_date", "name": "返岗补助", "params": {"bands": [{"until": today.isoformat(), "amount": "300"}]}}])

    def subsidy_apply_form(self, enterprise: Enterprise) -> dict[str, Any]:
        """The enterprise's form for a scheme of its own, with a worker back yesterday who earns 300."""
        self._serial += 1
        from fugong.workforce.services import person_create

        person_create(enterprise=enterprise, acting_user=self.user("admin"),
                      data={"name": "补贴测试", "id_number": _id_number(self._serial), "phone": "13900000000", "origin": "other_province",
                            "return_date": timezone.localdate() - timedelta(days=1)})
        return {"data": {"scheme": self.subsidy_scheme_for(enterprise).pk, "declared": "on"}}

    def _subsidy_child(self, kind: str, name: str) -> Any:
        from fugong.subsidies.models import SubsidyApplication, SubsidyLine, SubsidyScheme
        from fugong.subsidies.seeds import scheme_create

        today = timezone.localdate()
        if kind == "subsidy_scheme":
            if name == "heyuan":
                found = SubsidyScheme.objects.filter(region__code="441600").order_by("pk").first()
                if found is not None:
                    return found
            region = self.region({"heyuan": "441600", "other_town": YUANXI, "heshan": HESHAN}[name])
            return scheme_create(region=region, name=f"访问矩阵测试补贴（{region.name}）", period=(today - timedelta(days=30), today),
                                 legal_basis="访问矩阵测试", rules=[{"kind": "referral", "name": "介绍奖励", "params": {"amount": "300"}}])
        # a pending application of the enterprise named, on a scheme of its county, with one line
        enterprise = self.enterprise(name)
        scheme = self.subsidy_scheme_for(enterprise)
        application = SubsidyApplication.objects.create(
            scheme=scheme, enterprise=enterprise, period_start=scheme.period_start, period_end=scheme.period_end, computed_on=today,
            total_amount=300, people_count=1, line_count=1, declaration="访问矩阵测试", declared_by_name="访问矩阵测试", submitted_at=timezone.now())
        SubsidyLine.objects.create(application=application, rule_kind="return_by_date", rule_name="返岗补助", person_name="补贴测试",
                                   id_masked="441622********0011", amount=300, reason="访问矩阵测试", order=1)
        return application

    # check-ins (fugong.health)
    def checkin_json(self) -> dict[str, Any]:
        """One check-in of the demo employee's own record: in the scope of every role that records."""
        body = {"person": str(self._employee_record().pk), "temperature": "36.5"}
        return {"data": json.dumps(body), "content_type": "application/json"}

    def bulk_checkin_form(self) -> dict[str, Any]:
        """ent_admin's enterprise's table with the demo employee's temperature typed (today, the current slot)."""
        return {"data": {"enterprise": self.own_enterprise().pk, f"t-{self._employee_record().pk}": "36.7"}}

    def person_form(self, person: Any = None) -> dict[str, Any]:
        """The create page's form: a new worker of ent_admin's enterprise; or the edit page's, as the
        person stands, with another dormitory room."""
        if person is None:
            self._serial += 1
            return {"data": {"enterprise": self.own_enterprise().pk, "name": "矩阵登记", "id_number": _id_number(self._serial),
                             "phone": "13900000000", "post": "front_line", "origin": "local_not_away"}}
        from fugong.workforce.services import EDITABLE_FIELDS as PERSON_FIELDS

        data = {name: getattr(person, name) for name in PERSON_FIELDS}
        data |= {"return_date": person.return_date.isoformat() if person.return_date else "", "dormitory_room": "矩阵测试101"}
        return {"data": {k: ("on" if v is True else v) for k, v in data.items() if v is not False and v is not None}}

    def person_json(self) -> dict[str, Any]:
        data = self.person_form()["data"]
        return {"data": json.dumps(data), "content_type": "application/json"}

    # passes, risk areas, re-evaluation (fugong.workforce, A2)
    def pass_holder(self, enterprise: Enterprise) -> Any:
        """A worker of ``enterprise`` (local, not away: eligible today) holding a pass issued now.
        A suspended enterprise of the demo is resumed first: passes are not issued while it is stopped."""
        from fugong.enterprises.choices import Status as EnterpriseStatus
        from fugong.workforce.services import pass_issue

        if enterprise.status == EnterpriseStatus.SUSPENDED:
            Enterprise.objects.filter(pk=enterprise.pk).update(status=EnterpriseStatus.RESUMED)
            enterprise.status = EnterpriseStatus.RESUMED
        person = self.quarantine_person(enterprise)
        return pass_issue(person=person, acting_user=self.user("admin"))

    def _pass_child(self, kind: str, name: str) -> Any:
        from fugong.enterprises.choices import Status as EnterpriseStatus
        from fugong.workforce.links import make_token
        from fugong.workforce.models import Pass, ReevaluationRun, RiskArea

        if kind == "pass":
            if name == "self":
                record = self._employee_record()
                held = Pass.objects.filter(person=record).open_on(timezone.localdate()).first()
                if held is not None:
                    return held
                from fugong.workforce.services import pass_issue

                return pass_issue(person=record, acting_user=self.user("admin"))
            return self.pass_holder(self.enterprise(name))
        if kind == "eligible":
            enterprise = self.enterprise(name)
            if enterprise.status == EnterpriseStatus.SUSPENDED:
                Enterprise.objects.filter(pk=enterprise.pk).update(status=EnterpriseStatus.RESUMED)
            return self.quarantine_person(enterprise)
        if kind == "pass_link":
            token = make_token(self.pass_holder(self.own_enterprise()).person)
            return token if name == "self" else token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        if kind == "risk_area":
            return RiskArea.objects.create(region=self.region("330100"), level="high", valid_from=timezone.localdate() - timedelta(days=10),
                                           source="访问矩阵测试")
        # a finished re-evaluation run of a county's policy
        return ReevaluationRun.objects.create(trigger="policy", region=self.region(HESHAN if name == "other_county" else HEYUAN),
                                              status="done", total=1, done=1)

    # protective materials (fugong.materials)
    def stockpile_of(self, name: str) -> Any:
        """The demo's stockpile of 高新区, 源城区 or 鹤山市 (made when missing), with masks in it."""
        from fugong.materials.models import Material, Stockpile
        from fugong.materials.services import stockpile_movement_record, uncommitted

        region = self.region({"hitech": HITECH, "county": HEYUAN, "other_county": HESHAN}[name])
        pile = Stockpile.objects.filter(region=region).order_by("pk").first() or Stockpile.objects.create(name=f"访问矩阵测试储备库{name}",
                                                                                                          region=region)
        mask = Material.objects.get(code="mask")
        if uncommitted(pile, mask) < 1000:
            stockpile_movement_record(stockpile=pile, material=mask, kind="received", quantity=1000, acting_user=self.user("admin"))
        return pile

    def _materials_child(self, kind: str, name: str) -> Any:
        from fugong.materials.models import Material
        from fugong.materials.services import allocations_create

        if kind == "stockpile":
            return self.stockpile_of(name)
        pile = self.stockpile_of({"other_town": "county", "other_county": "other_county"}.get(name, "hitech"))
        [allocation] = allocations_create(stockpile=pile, material=Material.objects.get(code="mask"), lines=[(self.enterprise(name), 10)],
                                          confirm=kind == "confirmed_allocation", acting_user=self.user("admin"))
        return allocation

    @staticmethod
    def materials_movement_form() -> dict[str, Any]:
        from fugong.materials.models import Material

        return {"data": {"kind": "received", "material": Material.objects.get(code="mask").pk, "quantity": "100",
                         "date": timezone.localdate().isoformat(), "note": "访问矩阵测试"}}

    @staticmethod
    def materials_count_form(enterprise: Enterprise) -> dict[str, Any]:
        """Today's count of masks: three more than the books say."""
        from fugong.materials.models import Material
        from fugong.materials.selectors import stock_levels

        mask = Material.objects.get(code="mask")
        counted = stock_levels([enterprise.pk]).get((enterprise.pk, mask.pk), 0) + 3
        return {"data": {"count-mask": str(int(counted))}}

    def stockpile_form(self) -> dict[str, Any]:
        from fugong.materials.models import Material

        return {"data": {"kind": "received", "material": Material.objects.get(code="mask").pk, "quantity": "500", "note": "访问矩阵测试"}}

    def proposal_form(self) -> dict[str, Any]:
        """Propose 10 masks from 高新区's stockpile to ent_admin's enterprise."""
        from fugong.materials.models import Material

        own = self.own_enterprise()
        return {"data": {"stockpile": self.stockpile_of("hitech").pk, "material": Material.objects.get(code="mask").pk,
                         "enterprise": [own.pk], f"q-{own.pk}": "10", "action": "propose"}}

    def bulk_pass_form(self) -> dict[str, Any]:
        """The 待发证 list's form with one ticked worker of ent_admin's enterprise (in every officer's scope)."""
        return {"data": {"person": [str(self.quarantine_person(self.own_enterprise()).pk)]}}

    def risk_form(self, area: Any = None) -> dict[str, Any]:
        """A new risk area (杭州市), or the given one made a medium-risk area."""
        start = (timezone.localdate() - timedelta(days=10)).isoformat()
        return {"data": {"place": "330100", "level": "medium" if area is not None else "high", "valid_from": start, "source": "访问矩阵测试"}}

    @staticmethod
    def risk_upload() -> dict[str, Any]:
        content = "地区,区划代码,风险等级,起始日期\n浙江省杭州市,330100,高风险,2020-02-01\n".encode("utf-8-sig")
        return {"data": {"file": SimpleUploadedFile("风险地区.csv", content, content_type="text/csv")}}

    def roster_upload(self) -> dict[str, Any]:
        """A one-row roster (CSV) of a new worker for ent_admin's enterprise."""
        self._serial += 1
        content = f"姓名,身份证号,手机号\n矩阵导入,{_id_number(self._serial)},13900000000\n".encode("utf-8-sig")
        return {"data": {"enterprise": self.own_enterprise().pk, "file": SimpleUploadedFile("花名册.csv", content, content_type="text/csv")}}

    @staticmethod
    def declaration_form() -> dict[str, Any]:
        """A health declaration of someone who stayed at home and is well."""
        return {"data": {"travel-TOTAL_FORMS": "0", "travel-INITIAL_FORMS": "0", "travel-MIN_NUM_FORMS": "0", "travel-MAX_NUM_FORMS": "20",
                         "contact_with_case": "no", "household_health": "healthy", "consent": "on", "temperature": "36.5"}}

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

    def unread_messages(self) -> dict[str, Any]:
        """One unread message for every demo actor; the form has no fields."""
        Notification.objects.bulk_create([Notification(user=self.user(username), title="访问矩阵测试") for username in ACTOR.values() if username])
        return {}

    def restart_form(self) -> dict[str, Any]:
        """ent_admin's enterprise, whose application was refused: it may start a new one."""
        own = self.own_enterprise()
        Application.objects.filter(enterprise=own).exclude(status=Status.REJECTED).update(status=Status.REJECTED)
        return {"data": {"enterprise": own.pk}}

    @staticmethod
    def application_form(application: Application) -> dict[str, Any]:
        """The edit page's form as it shows the application, with one answer changed."""
        form = ApplicationForm(instance=application)
        data: dict[str, Any] = {}
        for name in form.fields:
            value = form.initial.get(name)
            if value is True:
                data[name] = "on"
            elif isinstance(value, datetime):
                data[name] = timezone.localtime(value).strftime(DATETIME_LOCAL)
            elif value not in (None, False):
                data[name] = value
        data["production_plan"] = f"{data.get('production_plan', '')}（访问矩阵测试）"
        data |= {f"m-{r.item}": r.quantity for r in application.reserves.all()}
        plan = list(application.return_plan.all())
        data |= {"plan-TOTAL_FORMS": len(plan), "plan-INITIAL_FORMS": 0, "plan-MIN_NUM_FORMS": 0, "plan-MAX_NUM_FORMS": 200}
        for number, entry in enumerate(plan):
            data |= {f"plan-{number}-return_date": entry.return_date.isoformat(), f"plan-{number}-origin": entry.origin,
                     f"plan-{number}-count": entry.count}
        return {"data": data}

    @staticmethod
    def attachment_upload() -> dict[str, Any]:
        return {"data": {"kind": "other", "file": SimpleUploadedFile("补充材料.pdf", ATTACHMENT_PDF, content_type="application/pdf")}}

    @staticmethod
    def decision(application: Application, *, api: bool = False) -> dict[str, Any]:
        """Return the step the application waits on, with a comment, as the page or the API posts it."""
        step = pending_step(application)
        data = {"decision": "return", "comment": "访问矩阵测试：请补充食堂错峰就餐安排。", "step": step.pk if step else ""}
        return {"data": json.dumps(data), "content_type": "application/json"} if api else {"data": data}

    @staticmethod
    def pass_token() -> dict[str, Any]:
        """A well-signed token of a pass that was never issued: verifying it writes nothing."""
        from datetime import date
        from uuid import uuid4

        from fugong.workforce.passes import sign_pass

        token = sign_pass(pass_id=uuid4(), person_id=uuid4(), enterprise_id=1, valid_from=date(2020, 2, 1), valid_to=date(2020, 3, 1))
        return {"data": json.dumps({"token": token}), "content_type": "application/json"}

    def gate_scan(self, gate: Gate, *, api: bool = False) -> dict[str, Any]:
        """The pass of a worker of the gate's enterprise (ent_admin's at a checkpoint), registered
        and issued now, scanned at 36.5 ℃ on the way in."""
        from fugong.workforce.choices import PersonOrigin
        from fugong.workforce.services import pass_issue, person_create

        admin = self.user("admin")
        self._serial += 1
        person = person_create(enterprise=gate.enterprise or self.own_enterprise(), acting_user=admin,
                               data={"name": "矩阵测试", "id_number": _id_number(self._serial), "phone": "13900000000",
                                     "origin": PersonOrigin.LOCAL_NOT_AWAY})
        data = {"token": pass_issue(person=person, acting_user=admin).token, "temperature": "36.5", "direction": "in"}
        return {"data": json.dumps(data), "content_type": "application/json"} if api else {"data": data}

    @staticmethod
    def gate_visitor() -> dict[str, Any]:
        return {"data": {"name": "钱多多", "phone": "13812345678", "company": "顺达物流", "purpose": "送货", "temperature": "36.5",
                         "direction": "in"}}

    @staticmethod
    def gate_vehicle() -> dict[str, Any]:
        return {"data": {"plate": "粤P12345", "driver_name": "孙师傅", "cargo": "原材料", "passengers": "1", "temperature": "36.6",
                         "direction": "in"}}

    @staticmethod
    def placement_form() -> dict[str, Any]:
        return {"data": {"kind": "home", "reason": "outside_city", "start": timezone.localdate().isoformat(), "note": "访问矩阵测试"}}

    @staticmethod
    def quarantine_check() -> dict[str, Any]:
        return {"data": {"date": timezone.localdate().isoformat(), "slot": "1", "temperature": "36.5"}}

    @staticmethod
    def quarantine_release() -> dict[str, Any]:
        return {"data": {"on": timezone.localdate().isoformat(), "note": "访问矩阵测试：经评估提前解除。"}}

    @staticmethod
    def zero_report_ready(enterprise: Enterprise) -> dict[str, Any]:
        """Nothing abnormal today at the enterprise (a zero report is refused otherwise): nobody
        held in isolation, no fever alert today."""
        from fugong.health.models import Alert
        from fugong.quarantine.models import Placement

        Placement.objects.filter(enterprise=enterprise).delete()
        Alert.objects.filter(enterprise=enterprise, kind="fever", date=timezone.localdate()).delete()
        return {}

    def report_json(self, *, zero: bool = False) -> dict[str, Any]:
        """ent_admin's enterprise's report of today through the API (ready for a zero report)."""
        own = self.own_enterprise()
        if zero:
            self.zero_report_ready(own)
        return {"data": json.dumps({"enterprise": own.pk, "note": "访问矩阵测试"}), "content_type": "application/json"}

    @staticmethod
    def reason(*, api: bool = False) -> dict[str, Any]:
        data = {"reason": "访问矩阵测试：巡查发现门岗测温点无人值守。"}
        return {"data": json.dumps(data), "content_type": "application/json"} if api else {"data": data}

    @staticmethod
    def photo() -> SimpleUploadedFile:
        return SimpleUploadedFile("现场照片.png", PHOTO_PNG, content_type="image/png")

    @staticmethod
    def inspection_form(inspection: Inspection, *, complete: bool = False) -> dict[str, Any]:
        """Every applicable item passed (and, to complete it, the opinion and signature)."""
        data: dict[str, Any] = {f"result-{item.pk}": Result.PASS for item in applicable_items(inspection.template, inspection.enterprise)}
        if complete:
            data |= {"opinion": "访问矩阵测试：各项防控措施落实到位。", "signed_name": "李伟"}
        return {"data": data}

    def photo_form(self, inspection: Inspection) -> dict[str, Any]:
        item = applicable_items(inspection.template, inspection.enterprise)[0]
        return {"data": {"item": item.pk, f"result-{item.pk}": Result.PASS, "image": self.photo()}}

    @staticmethod
    def policy_form() -> dict[str, Any]:
        """The policy page's form with every value as it stands, effective now."""
        form = PolicyForm(policy=current(None))
        data = {name: f.initial for name, f in form.fields.items()}
        data["note"] = "访问矩阵测试"
        return {"data": data}


@pytest.fixture(scope="module")
def sessions(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, str]]:
    """A signed-in session per demo account, stored once for the module as ``auth.login`` stores
    it (without the sign-in's audit entry): the thousands of cells do not each sign in again.
    Whatever a test does to its session is rolled back with the test."""
    backend = next(path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user"))
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    keys: dict[str, str] = {}
    with django_db_blocker.unblock():
        now = time.time()
        for user in User.objects.filter(username__in={*JURISDICTION, *(u for u in ACTOR.values() if u)}):
            store = store_class()
            store.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: user.get_session_auth_hash(),
                          LOGIN_AT: now, SEEN_AT: now})
            store.create()
            keys[user.username] = store.session_key  # type: ignore[assignment]
    yield keys
    with django_db_blocker.unblock():
        for key in keys.values():
            store_class(session_key=key).delete()


@pytest.fixture
def world(db: Any, sessions: dict[str, str]) -> World:
    return World(sessions)


@pytest.fixture(autouse=True)
def _pdfs_not_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Who may have a notice or a bus letter is the matrix's question; how WeasyPrint draws them is
    tests/resumption/test_notices.py's (a quarter of a second each)."""
    monkeypatch.setattr("fugong.resumption.views.notices.render_notice_pdf", lambda notice, base_url: b"%PDF-1.4 matrix")
    monkeypatch.setattr("fugong.resumption.views.notices.render_bus_letter_pdf", lambda application, base_url: b"%PDF-1.4 matrix")


def _of(model: type[Model], *aggregates: str, where: str = "") -> list[str]:
    """Scalar subqueries over one table: ``{name}`` in an aggregate is that field's column."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = {f.name: connection.ops.quote_name(f.column) for f in model._meta.concrete_fields}
    condition = f" WHERE {where.format(**columns)}" if where else ""
    return [f"(SELECT {aggregate.format(**columns)} FROM {table}{condition})" for aggregate in aggregates]


def _per_status(values: list[str]) -> list[str]:
    return [f"SUM(CASE WHEN {{status}} = '{value}' THEN 1 ELSE 0 END)" for value in values]


def _quarantine_fingerprint_parts() -> list[str]:
    from fugong.health.models import Alert, DailyReport
    from fugong.quarantine.models import Placement, QuarantineCheck, Site

    return [
        *_of(Placement, "COUNT(*)", "MAX({updated_at})", *_per_status(["active", "released"])),
        *_of(QuarantineCheck, "COUNT(*)", "MAX({recorded_at})"),
        *_of(Site, "COUNT(*)"),
        *_of(DailyReport, "COUNT(*)", "MAX({updated_at})", *_per_status(["draft", "confirmed", "zero"])),
        *_of(Alert, "COUNT(*)", *_per_status(["open", "closed"])),
    ]


def _people_fingerprint_parts() -> list[str]:
    from fugong.workforce.models import HealthDeclaration, Person

    return [*_of(Person, "COUNT(*)", "MAX({updated_at})"), *_of(HealthDeclaration, "COUNT(*)"), *_pass_fingerprint_parts()]


def _checkin_fingerprint_parts() -> list[str]:
    from fugong.health.models import Alert, CheckIn, IdempotentRequest

    return [*_of(CheckIn, "COUNT(*)", "MAX({recorded_at})"), *_of(IdempotentRequest, "COUNT(*)"), *_of(Alert, "MAX({updated_at})")]


def _subsidy_fingerprint_parts() -> list[str]:
    """Subsidy applications (by status, the latest decision) and their lines."""
    from fugong.subsidies.models import SubsidyApplication, SubsidyLine

    return [*_of(SubsidyApplication, "COUNT(*)", "MAX({updated_at})", *_per_status(["pending", "approved", "rejected"])),
            *_of(SubsidyLine, "COUNT(*)")]


def _export_fingerprint_parts() -> list[str]:
    from fugong.exports.models import ExportJob

    return _of(ExportJob, "COUNT(*)")


def _pass_fingerprint_parts() -> list[str]:
    """Passes (issued, revoked), risk areas (added, changed), re-evaluation runs and their changes."""
    from fugong.workforce.models import ClassificationChange, Pass, ReevaluationRun, RiskArea

    return [*_of(Pass, "COUNT(*)", "COUNT({revoked_at})"), *_of(RiskArea, "COUNT(*)", "MAX({updated_at})"),
            *_of(ReevaluationRun, "COUNT(*)"), *_of(ClassificationChange, "COUNT(*)")]


def _assistance_fingerprint_parts() -> list[str]:
    from fugong.assistance.models import HandlingRecord, HelpRequest, Position, RoutingRule

    return [*_of(HelpRequest, "COUNT(*)", "MAX({updated_at})", *_per_status(["filed", "answered", "reopened", "closed"])),
            *_of(HandlingRecord, "COUNT(*)"), *_of(RoutingRule, "COUNT(*)", "MAX({updated_at})"), *_of(Position, "COUNT(*)", "MAX({updated_at})")]


def _materials_fingerprint_parts() -> list[str]:
    """Stock movements and counts, stockpiles and their movements, allocations by status."""
    from fugong.materials.models import Allocation, StockCount, StockMovement, Stockpile, StockpileMovement

    return [*_of(StockMovement, "COUNT(*)"), *_of(StockCount, "COUNT(*)", "MAX({counted_at})"), *_of(Stockpile, "COUNT(*)"),
            *_of(StockpileMovement, "COUNT(*)"), *_of(Allocation, "COUNT(*)", "MAX({updated_at})", *_per_status(["proposed", "confirmed",
                                                                                                                 "received", "cancelled"]))]


@cache
def _fingerprint_sql() -> str:
    parts = [
        *_of(Enterprise, "COUNT(*)", "MAX({updated_at})"),
        *(part for model in (Gate, Region, Department, Membership, PolicyVersion, Submission, InspectionPhoto) for part in _of(model, "COUNT(*)")),
        *_of(AuditEntry, "COUNT(*)", where="{action} NOT LIKE 'auth.%'"),
        *_of(Notification, "COUNT(*)", where="{read_at} IS NULL"),
        # applications: how many in each status and the latest change; their steps, documents, notices, stops
        *_of(Application, "COUNT(*)", "MAX({updated_at})", *_per_status(Status.values)),
        *_of(ReviewStep, "COUNT(*)", "MAX({decided_at})", "MAX({opened_at})", *_per_status(StepStatus.values)),
        *_of(Attachment, "COUNT(*)", "MAX({id})"),
        *_of(Notice, "COUNT(*)", "COUNT({revoked_at})"),
        *_of(Suspension, "COUNT(*)", "COUNT({lifted_at})"),
        # inspections: their results and photos, rectification items
        *_of(Inspection, "COUNT(*)", "MAX({updated_at})"),
        *_of(InspectionResult, "COUNT(*)", "MAX({id})"),
        *_of(RectificationItem, "COUNT(*)", "MAX({updated_at})", *_per_status(RectificationStatus.values)),
        *(part for model in (RectificationEvent, RectificationEvidence, PatrolPlan, PatrolTeam) for part in _of(model, "COUNT(*)")),
        # the gate log
        *_of(Passage, "COUNT(*)"),
        # quarantine and daily reports
        *_quarantine_fingerprint_parts(),
        # people: their records and health declarations
        *_people_fingerprint_parts(),
        # check-ins (alerts are counted with the quarantine's) and the API's kept answers
        *_checkin_fingerprint_parts(),
        # export jobs (fugong.exports)
        *_export_fingerprint_parts(),
        # protective materials: enterprise stock, stockpiles, allocations (fugong.materials)
        *_materials_fingerprint_parts(),
        # help requests, their records, routing rules and positions (fugong.assistance)
        *_assistance_fingerprint_parts(),
        # subsidy applications and their lines
        *_subsidy_fingerprint_parts(),
    ]
    return "SELECT " + ", ".join(parts)


def fingerprint() -> tuple[Any, ...]:
    """Enough of the database to see that a write happened: row counts, counts by status and the
    latest change of every table the matrix's endpoints write (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        return tuple(cursor.fetchone())


def send(client: Client, method: str, url: str, payload: dict[str, Any] | None = None) -> Any:
    payload = payload or {}
    return getattr(client, method.lower())(url, **payload)


def url_of(key: str, row: Row, obj: Any = None) -> str:
    name, _, query = key.partition("?")
    url = reverse(name, kwargs=URL_KWARGS[row.target](obj)) if row.target else reverse(name)
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
        return self.method != "GET" and self.row.writes and ((self.role == "anonymous" and not self.row.public) or self.expected >= 400)


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
    if cell.role == "anonymous" and cell.expected == 302 and cell.key != "accounts:login" and not row.public:
        assert response["Location"].startswith(reverse("accounts:login")), "an anonymous visitor is sent to the login page"
    if before is not None and row.writes:
        accepted = (cell.role != "anonymous" or row.public) and cell.expected < 400
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


def refused_write_cells() -> Iterator[Cell]:
    """Every refused write inside the scope, and outside it one object per role (every view looks
    the object up before it reads a body, whichever object it is)."""
    yield from (c for c in inside_cells() if c.is_refused_write)
    yield from (c for c in outside_cells() if c.is_refused_write and c.target == REACH[c.row.target][c.role][1][0])  # type: ignore[index]


@pytest.mark.parametrize("cell", list(refused_write_cells()), ids=str)
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


def expected_application_ids(world: World, username: str) -> set[int]:
    """Applications of the enterprises inside the account's jurisdictions, for a reviewer only
    those routed to its department (a review step of it, in any round), for an enterprise admin
    its own enterprise's; from parent links, memberships and review steps."""
    rows = list(Application.objects.values_list("pk", "enterprise_id", "enterprise__region_id"))
    if JURISDICTION[username] == ALL:
        return {pk for pk, _, _ in rows}
    memberships = Membership.objects.filter(user__username=username)
    own = set(memberships.filter(role=Role.ENTERPRISE).values_list("enterprise_id", flat=True))
    regions = expected_region_ids(world, username)
    visible = {pk for pk, enterprise_id, region_id in rows if region_id in regions or enterprise_id in own}
    departments = set(memberships.filter(role=Role.REVIEWER).values_list("department_id", flat=True))
    if departments:
        visible &= set(ReviewStep.objects.filter(department_id__in=departments).values_list("application_id", flat=True))
    return visible


def expected_queue_ids(world: World, username: str) -> set[int]:
    """Applications under review whose current step (the first pending one of the latest round)
    is the account's to decide: its department's step, or the step of the region it commands."""
    memberships = Membership.objects.filter(user__username=username)
    departments = set(memberships.filter(role=Role.REVIEWER).values_list("department_id", flat=True))
    commanded = set(memberships.filter(role=Role.COMMAND).values_list("region_id", flat=True))
    everything = JURISDICTION[username] == ALL
    current: dict[int, ReviewStep] = {}
    steps = ReviewStep.objects.filter(status=StepStatus.PENDING, application__status__in=APPLICATION_KINDS["pending"])
    for step in steps.select_related("application").order_by("application_id", "order"):
        if step.round == step.application.submission_count:
            current.setdefault(step.application_id, step)
    return {pk for pk, step in current.items()
            if everything or (step.department_id in departments if step.stage == Stage.DEPARTMENT else step.region_id in commanded)}


# Accounts that have an application list: the officials, and an enterprise admin (its own).
APPLICATION_LISTERS = [*OFFICIALS, "ent_admin"]


@pytest.fixture
def with_more_applications(with_other_town: World) -> World:
    """Besides the demo's: applications where it has none of the kind."""
    with_other_town.application("approved", "other_town")  # 源城区 outside 高新区: county_cmd's, not hitech_cmd's
    with_other_town.application("draft", "same_grid")  # a draft on grid 1: grid_officer's, no reviewer's
    with_other_town.application("pending", "same_grid")  # waiting for 经贸办 on grid 1: in jmb_reviewer's queue
    return with_other_town


@pytest.mark.parametrize("username", APPLICATION_LISTERS)
def test_application_list_page_holds_exactly_the_applications_in_scope(with_more_applications: World, username: str) -> None:
    response = with_more_applications.client(username).get(reverse("resumption:list"))
    assert response.status_code == 200
    shown = [a.pk for a in response.context["page"].paginator.object_list]
    assert len(shown) == len(set(shown)), "no application is listed twice"
    assert set(shown) == expected_application_ids(with_more_applications, username)


@pytest.mark.parametrize("username", APPLICATION_LISTERS)
def test_application_api_holds_exactly_the_applications_in_scope(with_more_applications: World, username: str) -> None:
    listed = api_ids(with_more_applications.client(username), reverse("api:application-list"), "uuid")
    assert len(listed) == len(set(listed))
    expected = Application.objects.filter(pk__in=expected_application_ids(with_more_applications, username)).values_list("uuid", flat=True)
    assert set(listed) == {str(uuid) for uuid in expected}


@pytest.mark.parametrize("username", [u for u in OFFICIALS if u not in ("grid_officer", "gongh_grid")])
def test_review_queue_holds_exactly_the_steps_the_account_decides(with_more_applications: World, username: str) -> None:
    response = with_more_applications.client(username).get(reverse("resumption:queue"))
    assert response.status_code == 200
    shown = [a.pk for a in response.context["page"].paginator.object_list]
    assert len(shown) == len(set(shown))
    assert set(shown) == expected_queue_ids(with_more_applications, username)


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


@pytest.mark.parametrize(("place", "routed"), [("same_grid", True), ("unrouted", False)])
def test_reviewer_completes_only_the_acceptance_of_an_application_routed_to_it(world: World, place: str, routed: bool) -> None:
    # Given an on-site acceptance opened on an application waiting for it, routed to 高新区经贸办 or not
    application = world.application("awaiting", place)
    inspection = inspection_start(enterprise=application.enterprise, kind=TemplateKind.ACCEPTANCE, application=application,
                                  acting_user=world.user("admin"))
    reviewer = world.user("jmb_reviewer")
    client = world.client("reviewer")
    # When 经贸办's reviewer opens it and completes it with every item passed
    page = client.get(reverse("inspections:detail", args=[inspection.uuid]))
    done = client.post(reverse("inspections:complete", args=[inspection.uuid]), world.inspection_form(inspection, complete=True)["data"])
    # Then only the acceptance of an application routed to it opens and approves it; the other is
    # not found, and the service refuses it too
    status = Application.objects.filter(pk=application.pk).values_list("status", flat=True).get()
    if routed:
        assert (page.status_code, done.status_code, status) == (200, 302, Status.APPROVED)
    else:
        assert (page.status_code, done.status_code, status) == (404, 404, Status.INSPECTION)
        with pytest.raises(PermissionDenied):
            inspection_record(inspection=inspection, results={}, acting_user=reviewer)
        assert inspection.pk not in set(Inspection.objects.for_user(reviewer).values_list("pk", flat=True))


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
    ("GET", "api:application-list", None),
    ("GET", "api:application-detail", "own"),
    ("POST", "api:application-submit", "own"),
]


def _api_url(world: World, name: str, target: str | None) -> str:
    if target is None:
        return reverse(name)
    if name == "api:region-detail":
        return reverse(name, kwargs={"code": REGION_TARGETS[target]})
    if name.startswith("api:application-"):
        return reverse(name, kwargs={"uuid": world.application("draft" if name.endswith("submit") else "application", target).uuid})
    return reverse(name, kwargs={"pk": world.enterprise(target).pk})


def _api_payload(world: World, method: str, target: str | None) -> dict[str, Any] | None:
    if method == "PATCH":
        return world.headcount_patch(world.enterprise(target))  # type: ignore[arg-type]
    if method == "POST" and target is None:
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
