"""The demo's applications (fugong.resumption.demo), as the session seeded them: every state is
there, each was played through the services, and each demo role finds something to do."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fugong.accounts.models import User
from fugong.audit.models import AuditEntry
from fugong.core.demo import seed_demo
from fugong.inspections.choices import InspectionStatus, RectificationStatus, TemplateKind
from fugong.inspections.models import Inspection, RectificationItem
from fugong.inspections.services import applicable_items
from fugong.resumption import services
from fugong.resumption.choices import UNDER_REVIEW, Stage, Status, StepStatus
from fugong.resumption.models import Application, RoutingRule

pytestmark = pytest.mark.django_db


def queue_of(username: str) -> list[Application]:
    """What waits on the user: the applications whose open step they may decide."""
    user = User.objects.get(username=username)
    waiting = []
    for application in Application.objects.filter(status__in=UNDER_REVIEW).select_related("enterprise"):
        step = services.pending_step(application)
        if step is not None and services.can_decide(user, step):
            waiting.append(application)
    return waiting


def test_every_status_is_in_the_demo() -> None:
    present = set(Application.objects.values_list("status", flat=True))

    assert present == set(Status.values)


def test_the_demo_enterprise_admin_has_a_draft_short_of_masks() -> None:
    # Given ent_admin's enterprise
    ent_admin = User.objects.get(username="ent_admin")
    [application] = Application.objects.filter(enterprise__memberships__user=ent_admin)

    # Then its application is a draft that the masks check stops, and nothing else does
    assert application.status == Status.DRAFT
    checks = {c.code: c for c in services.checks_for(application)}
    assert (checks["masks"].ok, checks["masks"].blocking) == (False, True)
    assert "口罩储备不足" in checks["masks"].message and "缺" in checks["masks"].message
    assert [c.code for c in checks.values() if not c.ok and c.blocking] == ["masks"]


@pytest.mark.parametrize("username", ["jmb_reviewer", "hitech_cmd", "county_cmd", "heshan_cmd"])
def test_reviewers_and_commands_find_applications_waiting_for_them(username: str) -> None:
    assert queue_of(username)


def test_heshans_county_queue_holds_essential_supply_cases() -> None:
    waiting = queue_of("heshan_cmd")

    assert waiting
    assert all(a.status == Status.COUNTY_REVIEW and a.enterprise.is_essential and a.needs_county for a in waiting)


def test_every_approved_application_passed_an_acceptance_with_every_item_recorded_and_has_a_notice() -> None:
    approved = Application.objects.filter(status__in=[Status.APPROVED, Status.SUSPENDED]).select_related("notice", "enterprise")

    assert approved.exists()
    for application in approved:
        assert application.notice.number
        passed = Inspection.objects.get(application=application, status=InspectionStatus.PASSED, template__kind=TemplateKind.ACCEPTANCE)
        items = {item.pk for item in applicable_items(passed.template, application.enterprise)}
        assert set(passed.results.values_list("item_id", flat=True)) == items
        assert passed.signed_name and passed.opinion
        assert passed.completed_at <= application.notice.issued_at + timedelta(seconds=1)


def test_the_demo_has_failed_acceptances_with_open_rectification_items() -> None:
    waiting = Application.objects.filter(status=Status.INSPECTION, inspections__status=InspectionStatus.FAILED)

    assert waiting.exists()
    assert RectificationItem.objects.filter(inspection__application__in=waiting, status=RectificationStatus.OPEN).exists()
    # and some approvals came only after the rectification was verified and the site inspected again
    assert RectificationItem.objects.filter(status=RectificationStatus.VERIFIED, inspection__application__status=Status.APPROVED).exists()


def test_returned_rejected_and_suspended_applications_carry_their_reasons() -> None:
    for application in Application.objects.filter(status__in=[Status.RETURNED, Status.REJECTED]):
        step = application.steps.filter(status__in=[StepStatus.RETURNED, StepStatus.REJECTED]).get()
        assert step.comment and step.decided_by_id
    for application in Application.objects.filter(status=Status.SUSPENDED):
        suspension = application.suspensions.get(lifted_at__isnull=True)
        assert "停工" in suspension.reason


def test_the_story_was_told_through_the_services_in_date_order() -> None:
    # Every filed application has its snapshot and its audit entry; its steps follow the routing rules.
    for application in Application.objects.exclude(status=Status.DRAFT):
        assert application.submissions.count() == application.submission_count >= 1
        assert AuditEntry.objects.filter(object_type="resumption.application", object_id=str(application.pk),
                                         action="application.submit").count() == application.submission_count
        # the latest submission was at least 48 hours before the planned start, as the checks demand
        assert application.planned_start - application.submitted_at >= timedelta(hours=48)
    demo_past = AuditEntry.objects.filter(at__year=2020).order_by("seq").values_list("at", flat=True)
    assert list(demo_past) == sorted(demo_past)


def test_hitech_reviews_by_the_street_variant_and_the_park_and_community_departments_exist() -> None:
    assert RoutingRule.objects.filter(region__name="高新区", variant="街道版").exists()
    steps = services.pending_step(queue_of("jmb_reviewer")[0])
    assert steps is not None and steps.stage == Stage.DEPARTMENT and steps.department.name == "经贸办"


def test_seeding_again_adds_no_application(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    before = Application.objects.count()

    seed_demo()

    assert Application.objects.count() == before
