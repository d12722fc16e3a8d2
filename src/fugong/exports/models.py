"""Background ledger exports."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from fugong.core.models import TimeStampedModel
from fugong.exports.choices import JobStatus
from fugong.exports.querysets import ExportJobQuerySet


class ExportJob(TimeStampedModel):
    """One Excel export of a list (台账) run in the background for one user: which list (its URL
    name and arguments), with which filters (the list's query string), how far it got and the file
    it wrote. The rows are the list's own for that user, found again when the job runs
    (:func:`fugong.exports.services.export_run`). Only its owner sees the job; the file is deleted
    after the policy's ``export_keep_hours``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="export_jobs")
    view_name = models.CharField("列表", max_length=100)
    view_kwargs = models.JSONField("列表参数", default=dict, blank=True)
    query = models.TextField("筛选条件", blank=True)
    title = models.CharField("台账", max_length=100)
    status = models.CharField("状态", max_length=8, choices=JobStatus.choices, default=JobStatus.PENDING)
    task_id = models.CharField("任务号", max_length=64, blank=True)
    total = models.PositiveIntegerField("总行数", default=0)
    done = models.PositiveIntegerField("已写行数", default=0)
    file = models.FileField("文件", upload_to="exports/%Y/%m/%d/", max_length=200, blank=True)
    filename = models.CharField("文件名", max_length=200, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    error = models.TextField("错误", blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["status", "finished_at"])]

    def __str__(self) -> str:
        return f"{self.title} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def active(self) -> bool:
        return self.status in (JobStatus.PENDING, JobStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status in (JobStatus.DONE, JobStatus.EXPIRED):
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0

    @property
    def downloadable(self) -> bool:
        return self.status == JobStatus.DONE and bool(self.file)
