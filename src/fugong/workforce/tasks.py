"""Background jobs of the workforce app. Without ``REDIS_URL`` Celery runs them eagerly."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from celery import shared_task
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from fugong.accounts.models import User
from fugong.core.uploads import display_name
from fugong.enterprises.models import Enterprise
from fugong.workforce.importers import RosterImporter

REPORT_DIR = "workforce/roster-reports"


@shared_task(bind=True)
def import_roster_task(self: Any, *, enterprise_id: int, storage_name: str, filename: str, acting_user_id: int | None = None) -> dict[str, Any]:
    """Import a roster already saved in the default storage (``storage_name``, uploaded as
    ``filename``) for ``acting_user_id``; the file is deleted afterwards.

    Reports ``PROGRESS`` with ``{"done", "total"}`` while it runs (when a result backend is
    configured) and returns the counts and, when rows were refused, the storage name of the error
    report. The enterprise is looked up through the user's scope, as a view would.
    """
    user = User.objects.filter(pk=acting_user_id, is_active=True).first() if acting_user_id is not None else None
    enterprises = Enterprise.objects.for_user(user) if user is not None else Enterprise.objects.all()
    enterprise = enterprises.get(pk=enterprise_id)

    def progress(done: int, total: int) -> None:
        if self.request.id and not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"done": done, "total": total})

    with default_storage.open(storage_name, "rb") as upload:
        content = upload.read()
    try:
        result = RosterImporter(enterprise=enterprise, acting_user=user, progress=progress).run(content, filename)
    finally:
        default_storage.delete(storage_name)
    if result.imported:
        # Imported rows skip person_create: classify the enterprise's new (never classified) people now.
        from fugong.workforce.classify import classify_queryset

        classify_queryset(enterprise.people.filter(classified_at__isnull=True))
    report = ""
    if result.refused or result.warnings:
        stem = PurePosixPath(display_name(filename)).stem or "花名册"
        report = default_storage.save(f"{REPORT_DIR}/{stem}-错误报告.xlsx", ContentFile(result.error_report()))
    return {"rows": result.rows, "imported": result.imported, "refused": len(result.refused), "warnings": len(result.warnings),
            "error": result.error, "report": report, "seconds": round(result.seconds, 2)}


@shared_task
def reevaluate_task(*, run_id: int) -> dict[str, Any]:
    """Re-classify everyone a :class:`~fugong.workforce.models.ReevaluationRun` affects, in chunks
    with its progress on the run row (:func:`fugong.workforce.classify.reevaluation_execute`)."""
    from fugong.workforce.classify import reevaluation_execute

    run = reevaluation_execute(run_id)
    return {"run": run.pk, "status": run.status, "total": run.total, "done": run.done, "changed": run.changed}
