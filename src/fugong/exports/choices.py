from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("导出中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    EXPIRED = "expired", _("已过期")
