"""One file per person (一人一档): the worker's personal record (SPEC.md, "Workers").

The resident ID number is never stored in clear: ``id_number_encrypted`` holds an AES-GCM token
(:mod:`fugong.core.crypto`, key id inside, for rotation), ``id_number_index`` a keyed hash for
exact look-ups (duplicates in a roster, the same person at another enterprise), and ``id_masked``
the form every list shows. Reading the number in clear goes through
:func:`fugong.workforce.services.id_number_reveal`, which checks the permission and audits.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from fugong.accounts.models import mobile_validator
from fugong.core import crypto
from fugong.core.models import TimeStampedModel
from fugong.workforce.choices import PersonOrigin, Post, RevocationReason, Sex, Transport
from fugong.workforce.querysets import PersonQuerySet

ID_NUMBER_CONTEXT = "person.id_number"


class Person(TimeStampedModel):
    """A worker of an enterprise: identity, contact, where they spent the holiday, how and when
    they return, post and lodging.

    The primary key is a UUID because the record's address appears in URLs and links sent to the
    person; a counter would tell how many people are registered and invite guessing. Birth date
    and sex are derived from the ID number by the services, never typed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE, related_name="people")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登录账号", on_delete=models.SET_NULL, null=True, blank=True, related_name="person_records"
    )
    name = models.CharField("姓名", max_length=50)
    id_number_encrypted = models.TextField("身份证号（密文）", editable=False)
    id_number_index = models.CharField("身份证号检索码", max_length=64, db_index=True, editable=False)
    id_masked = models.CharField("身份证号", max_length=18, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, editable=False)
    phone = models.CharField("手机号", max_length=11, validators=[mobile_validator])
    home_address = models.CharField("现住址", max_length=255, blank=True)
    household_region = models.CharField("户籍地", max_length=100, blank=True)
    holiday_location = models.CharField("假期所在地", max_length=100, blank=True)
    return_date = models.DateField("返岗日期", null=True, blank=True)
    transport = models.CharField("交通方式", max_length=16, choices=Transport.choices, blank=True)
    post = models.CharField("岗位", max_length=16, choices=Post.choices, default=Post.OTHER)
    dormitory_room = models.CharField("宿舍", max_length=50, blank=True)
    shuttle_bus = models.BooleanField("乘坐班车", default=False)
    origin = models.CharField("来源地", max_length=32, choices=PersonOrigin.choices, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "人员档案"
        verbose_name_plural = "人员档案"
        ordering = ["enterprise", "name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "id_number_index"], name="person_unique_id_number_per_enterprise"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）"

    def reveal_id_number(self) -> str:
        """The ID number in clear. Callers acting for a user go through
        :func:`fugong.workforce.services.id_number_reveal`, which checks and audits."""
        return crypto.decrypt(self.id_number_encrypted, context=ID_NUMBER_CONTEXT)


class Pass(models.Model):
    """A pass (出入证) of a person at an enterprise. The QR code holds a signed token
    (:mod:`fugong.workforce.passes`) made from these fields; revoking sets ``revoked_at``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="passes")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE, related_name="passes")
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签发人", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("签发时间", auto_now_add=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True, db_index=True)
    revoked_reason = models.CharField("吊销原因", max_length=16, choices=RevocationReason.choices, blank=True)

    class Meta:
        verbose_name = "出入证"
        verbose_name_plural = "出入证"
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"出入证 {self.pk}"

    @property
    def token(self) -> str:
        from fugong.workforce.passes import sign_pass

        return sign_pass(pass_id=self.pk, person_id=self.person_id, enterprise_id=self.enterprise_id,
                         valid_from=self.valid_from, valid_to=self.valid_to)
