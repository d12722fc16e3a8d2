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
from fugong.workforce.choices import (
    ClassificationCategory,
    DeclarationChannel,
    HouseholdHealth,
    PersonOrigin,
    Post,
    ReevaluationTrigger,
    RevocationReason,
    RiskLevel,
    RunStatus,
    Sex,
    Transport,
)
from fugong.workforce.querysets import (
    ClassificationChangeQuerySet,
    PassQuerySet,
    PersonQuerySet,
    ReevaluationRunQuerySet,
    RiskAreaQuerySet,
)

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
    # What the subsidy schemes (fugong.subsidies) read besides the return date and origin: when a new
    # hire joined (the retention bonus after N months) and who brought them (the referral bonus).
    hired_on = models.DateField("入职日期", null=True, blank=True, help_text="新招用员工的入职日期（稳岗补贴、介绍新员工奖励按此计算）")
    referred_by = models.ForeignKey("self", verbose_name="介绍人", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="referrals", help_text="介绍该员工入职的本企业员工")
    # What the latest health declaration said (the declaration rows keep each one as it was sent).
    travel_history = models.JSONField("14天行程", default=list, blank=True,
                                      help_text='[{"region": 区划代码, "name": 地名, "from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}]')
    contact_with_case = models.BooleanField("接触史", default=False)
    household_health = models.CharField("家庭成员健康", max_length=16, choices=HouseholdHealth.choices, blank=True)
    declared_at = models.DateTimeField("最近申报时间", null=True, blank=True)
    # The current classification (policy.classification.classify), kept with its explanation.
    category = models.CharField("分类", max_length=24, choices=ClassificationCategory.choices, blank=True, db_index=True)
    category_rule = models.CharField("适用规则", max_length=255, blank=True)
    category_reason = models.TextField("分类理由", blank=True)
    eligible_on = models.DateField("可发证/上岗日期", null=True, blank=True)
    checks_until = models.DateField("监测截止日期", null=True, blank=True)
    classified_at = models.DateTimeField("分类时间", null=True, blank=True)

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

    objects = PassQuerySet.as_manager()

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


class HealthDeclaration(models.Model):
    """A health declaration (健康申报) as the person sent it, with the legal basis they were
    shown: 14-day travel (places from the region tree), contacts, symptoms, household health."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="declarations")
    declared_at = models.DateTimeField("申报时间")
    channel = models.CharField("申报方式", max_length=16, choices=DeclarationChannel.choices)
    travel_history = models.JSONField("14天行程", default=list, blank=True)
    contact_with_case = models.BooleanField("接触过确诊/疑似病例或重点疫区人员", default=False)
    contact_detail = models.CharField("接触情况说明", max_length=255, blank=True)
    temperature = models.DecimalField("体温(℃)", max_digits=3, decimal_places=1, null=True, blank=True)
    fever = models.BooleanField("发热", default=False)
    cough = models.BooleanField("咳嗽", default=False)
    other_symptoms = models.CharField("其他症状", max_length=200, blank=True)
    household_health = models.CharField("家庭成员健康", max_length=16, choices=HouseholdHealth.choices)
    household_note = models.CharField("家庭成员情况说明", max_length=255, blank=True)
    legal_basis = models.TextField("告知的法律依据")
    consent = models.BooleanField("本人承诺属实并同意", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报账号", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        verbose_name = "健康申报"
        verbose_name_plural = "健康申报"
        ordering = ["-declared_at"]

    def __str__(self) -> str:
        return f"健康申报 {self.declared_at:%Y-%m-%d}"


class RiskArea(TimeStampedModel):
    """A key epidemic area (重点疫区) as data: a region of the tree, its level and when it was one.
    Imported from the lists the province publishes; a change re-evaluates everyone affected."""

    region = models.ForeignKey("regions.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="risk_areas")
    level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices, default=RiskLevel.HIGH)
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期", null=True, blank=True, help_text="空表示至今")
    source = models.CharField("依据", max_length=255, blank=True)

    objects = RiskAreaQuerySet.as_manager()

    class Meta:
        verbose_name = "风险地区"
        verbose_name_plural = "风险地区"
        ordering = ["-valid_from", "region"]

    def __str__(self) -> str:
        return f"{self.region} · {self.get_level_display()}"


class ReevaluationRun(TimeStampedModel):
    """One background re-evaluation of classifications after the risk-area list or the policy
    changed: how many were looked at and how many changed (the changes are its rows)."""

    trigger = models.CharField("原因", max_length=16, choices=ReevaluationTrigger.choices)
    region = models.ForeignKey("regions.Region", verbose_name="范围", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField("状态", max_length=8, choices=RunStatus.choices, default=RunStatus.PENDING)
    task_id = models.CharField("任务号", max_length=64, blank=True)
    total = models.PositiveIntegerField("人数", default=0)
    done = models.PositiveIntegerField("已评估", default=0)
    changed = models.PositiveIntegerField("变化人数", default=0)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    error = models.TextField("错误", blank=True)

    objects = ReevaluationRunQuerySet.as_manager()

    class Meta:
        verbose_name = "重新评估"
        verbose_name_plural = "重新评估"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class ClassificationChange(models.Model):
    """A person's classification changed (by a re-evaluation, a declaration or an edit)."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="classification_changes")
    run = models.ForeignKey(ReevaluationRun, verbose_name="重新评估", on_delete=models.CASCADE, null=True, blank=True, related_name="changes")
    changed_at = models.DateTimeField("时间")
    old_category = models.CharField("原分类", max_length=24, choices=ClassificationCategory.choices, blank=True)
    new_category = models.CharField("新分类", max_length=24, choices=ClassificationCategory.choices)
    old_eligible_on = models.DateField("原可发证日期", null=True, blank=True)
    new_eligible_on = models.DateField("新可发证日期", null=True, blank=True)
    rule = models.CharField("适用规则", max_length=255)
    reason = models.TextField("理由")

    objects = ClassificationChangeQuerySet.as_manager()

    class Meta:
        verbose_name = "分类变化"
        verbose_name_plural = "分类变化"
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.old_category or '—'} → {self.new_category}"
