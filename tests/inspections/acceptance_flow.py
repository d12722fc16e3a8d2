"""Driving an application to on-site acceptance through the services, as the enterprise and the
reviewers would: started, filled with complete data, documents attached (real PDF magic bytes),
submitted, approved by the routed department and the town command. Shared by the inspection and
notice tests."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from fugong.accounts.choices import Role
from fugong.accounts.models import Membership, User
from fugong.enterprises.models import Enterprise
from fugong.inspections import services as inspections
from fugong.inspections.choices import Result, TemplateKind
from fugong.inspections.models import Inspection
from fugong.resumption import services
from fugong.resumption.choices import UNDER_REVIEW, Decision, Stage, Status
from fugong.resumption.models import Application

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
RESERVES = {"mask": 2000, "thermometer": 5, "disinfectant": 20, "alcohol": 10, "gloves": 200}


def png_bytes(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return buffer.getvalue()


def png(name: str = "现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def own_enterprise() -> Enterprise:
    """ent_admin's enterprise (高新区 · 工业企业第1网格, grid_officer's grid)."""
    return Membership.objects.get(user__username="ent_admin", role=Role.ENTERPRISE).enterprise


def application_in_inspection(*, shuttle_bus_count: int = 0) -> Application:
    """ent_admin's application, approved on paper and waiting for the on-site acceptance."""
    enterprise = own_enterprise()
    ent_admin = User.objects.get(username="ent_admin")
    planned = timezone.now() + timedelta(days=5)
    application = services.application_start(enterprise=enterprise, acting_user=ent_admin)
    data = {
        "planned_start": planned, "production_plan": "两班倒", "risk_assessment": "已评估", "disinfection_measures": "每日两次消毒",
        "commuting_measures": "自驾为主，班车点对点", "leadership_head": "张总", "dormitory_rooms": 10, "dormitory_residents": 20,
        "shuttle_bus_count": shuttle_bus_count, "shuttle_bus_measures": "乘车测温登记，车上备口罩，每趟消毒" if shuttle_bus_count else "",
        "observation_room": True, "observation_single_room": True, "observation_suits": True, "observation_goggles": True,
        "observation_medical_kit": True, "commitment_signed": True,
    }
    services.application_save(application=application, acting_user=ent_admin, data=data, reserves=RESERVES,
                              return_plan=[(planned.date(), "local", 20), (planned.date(), "same_city", 10)])
    for kind in ("prevention_plan", "emergency_plan", "commitment", "bus_list"):
        services.attachment_add(application=application, kind=kind, upload=pdf(f"{kind}.pdf"), acting_user=ent_admin)
    application = services.application_submit(application=application, acting_user=ent_admin)
    admin, town_command = User.objects.get(username="admin"), User.objects.get(username="hitech_cmd")
    while application.status in UNDER_REVIEW:
        step = services.pending_step(application)
        assert step is not None
        actor = town_command if step.stage == Stage.TOWN else admin
        application = services.review_decide(application=application, decision=Decision.APPROVE, comment="同意。", acting_user=actor)
    assert application.status == Status.INSPECTION
    return application


def pass_acceptance(application: Application, *, inspector: str = "grid_officer") -> Inspection:
    """The on-site acceptance, every item passed: the application is approved and its notice issued."""
    user = User.objects.get(username=inspector)
    inspection = inspections.inspection_start(enterprise=application.enterprise, kind=TemplateKind.ACCEPTANCE, application=application,
                                              acting_user=user)
    items = inspections.applicable_items(inspection.template, inspection.enterprise)
    inspections.inspection_record(inspection=inspection, results={item.pk: (Result.PASS, "") for item in items}, acting_user=user)
    return inspections.inspection_complete(inspection=inspection, opinion="符合复工条件。", signed_name="李网格", acting_user=user)


def approved_application(**kwargs: Any) -> Application:
    application = application_in_inspection(**kwargs)
    pass_acceptance(application)
    return Application.objects.select_related("notice", "enterprise").get(pk=application.pk)
