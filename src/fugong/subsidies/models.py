"""Subsidy schemes (补贴政策) as data, and the enterprises' applications for them (SPEC.md, "Help
for enterprises": Heyuan's returning-worker, referral, retention and travel subsidies; Xiuzhou's
rent waivers for park tenants).

A :class:`SubsidyScheme` belongs to a region (it applies to every enterprise below it) and runs
over a period; its :class:`SubsidyRule` rows say, each with a kind and its amounts and conditions
as data (``params``), what an enterprise's roster earns. The amounts are computed per enterprise
from its roster (:mod:`fugong.subsidies.calculation`); an application keeps a snapshot of the
computed lines (:class:`SubsidyLine`) as they stood when the enterprise applied, so a later change
of the roster or of the rules never changes what was declared, approved and paid.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from fugong.core.models import TimeStampedModel
from fugong.subsidies.choices import OPEN_STATUSES, ApplicationStatus, RuleKind
from fugong.subsidies.querysets import ApplicationQuerySet, LineQuerySet, SchemeQuerySet


@pghistory.track()
class SubsidyScheme(TimeStampedModel):
    """A subsidy policy of a region over a period (e.g. 河源市's 返岗补助 of the spring, or a park's
    rent waiver). It applies to the enterprises of its region's subtree; ``park_tenants_only``
    narrows it to park and office-tower tenants (``Enterprise.in_park``). Inactive schemes are
    kept for their applications but take no new ones."""

    region = models.ForeignKey("regions.Region", verbose_name="适用辖区", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("政策名称", max_length=200)
    period_start = models.DateField("政策期开始")
    period_end = models.DateField("政策期结束")
    active = models.BooleanField("受理中", default=True)
    park_tenants_only = models.BooleanField("仅限园区/写字楼入驻企业", default=False)
    legal_basis = models.TextField("政策依据", help_text="文件名称、文号和条款原文")
    note = models.TextField("说明", blank=True)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = "补贴政策"
        verbose_name_plural = "补贴政策"
        ordering = ["-active", "-period_start", "name"]
        constraints = [models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="subsidy_scheme_period_order")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("subsidies:scheme", args=[self.pk])

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "政策期结束日期不能早于开始日期。"})

    @property
    def needs_rent(self) -> bool:
        """Whether the enterprise enters its monthly rent on its application (a rent rule)."""
        return any(rule.kind == RuleKind.RENT_WAIVER for rule in self.rules.all())


@pghistory.track()
class SubsidyRule(TimeStampedModel):
    """One rule of a scheme: a kind (how the roster is read) and its amounts and conditions as
    data. ``params`` by kind (amounts in yuan as strings, dates ISO, checked by
    :func:`fugong.subsidies.calculation.clean_params`):

    - ``return_by_date``: ``{"bands": [{"until": "2020-02-20", "amount": "300"}, {"until": "2020-03-31", "amount": "200"}],
      "exclude_origins": ["local_not_away"], "exclude_key_area": true}``
    - ``referral``: ``{"amount": "300"}`` per new worker referred (hired within the period)
    - ``retention``: ``{"amount": "300", "months": 3}`` to a new hire once N months in the job
    - ``travel``: ``{"amounts": {"same_city_other_district": "100", "other_city_same_province": "200", "other_province": "300"},
      "new_hires_only": false, "exclude_key_area": true}``
    - ``rent_waiver``: ``{"months": [{"month": "2020-02", "fraction": "1"}, {"month": "2020-03", "fraction": "0.5"}]}``
    """

    scheme = models.ForeignKey(SubsidyScheme, verbose_name="补贴政策", on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField("规则类型", max_length=24, choices=RuleKind.choices)
    name = models.CharField("规则名称", max_length=100)
    order = models.PositiveSmallIntegerField("排序", default=0)
    params = models.JSONField("金额与条件", default=dict)
    description = models.CharField("规则说明", max_length=255, blank=True)

    class Meta:
        verbose_name = "补贴规则"
        verbose_name_plural = "补贴规则"
        ordering = ["scheme", "order", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from fugong.subsidies.calculation import clean_params

        self.params = clean_params(self.kind, self.params)


@pghistory.track()
class SubsidyApplication(TimeStampedModel):
    """An enterprise's application for a scheme and period: the computed lines as they stood when
    it applied (``lines``), what it entered (monthly rent), its signed declaration, and the
    officer's decision. One open (pending or approved) application per enterprise, scheme and
    period; after a rejection the enterprise may correct its roster and apply again.

    A personal record (its lines name people): the primary key is a UUID.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(SubsidyScheme, verbose_name="补贴政策", on_delete=models.PROTECT, related_name="applications")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT, related_name="subsidy_applications")
    period_start = models.DateField("政策期开始")
    period_end = models.DateField("政策期结束")
    status = models.CharField("状态", max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING, db_index=True)
    computed_on = models.DateField("核算日期")
    monthly_rent = models.DecimalField("月租金(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    total_amount = models.DecimalField("申请金额(元)", max_digits=12, decimal_places=2, default=Decimal("0"))
    people_count = models.PositiveIntegerField("人数", default=0)
    line_count = models.PositiveIntegerField("明细条数", default=0)
    exclusions = models.JSONField("未计入说明", default=list, blank=True)
    declaration = models.TextField("承诺内容")
    declared_by_name = models.CharField("承诺人", max_length=100)
    submitted_at = models.DateTimeField("申请时间")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decision_note = models.TextField("审核意见", blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "补贴申请"
        verbose_name_plural = "补贴申请"
        ordering = ["-submitted_at"]
        constraints = [
            # The last guard behind the service's check: never two open applications of one scheme and period.
            models.UniqueConstraint(fields=["scheme", "enterprise", "period_start", "period_end"], condition=Q(status__in=OPEN_STATUSES),
                                    name="subsidy_one_open_application"),
        ]
        indexes = [models.Index(fields=["scheme", "status"], name="subsidy_app_scheme_status")]

    def __str__(self) -> str:
        return f"{self.scheme} · {self.enterprise}"

    def get_absolute_url(self) -> str:
        return reverse("subsidies:detail", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status == ApplicationStatus.PENDING


class SubsidyLine(models.Model):
    """One computed line of an application: a person (or, for a rent waiver, the enterprise) and
    a rule, the amount and why ("2月20日前返岗"). The rule's name, the person's name and masked ID
    are copied: the line stays as it was declared when the roster or the rule changes later."""

    application = models.ForeignKey(SubsidyApplication, verbose_name="补贴申请", on_delete=models.CASCADE, related_name="lines")
    rule = models.ForeignKey(SubsidyRule, verbose_name="规则", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rule_kind = models.CharField("规则类型", max_length=24, choices=RuleKind.choices)
    rule_name = models.CharField("规则", max_length=100)
    person = models.ForeignKey("workforce.Person", verbose_name="人员", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    person_name = models.CharField("姓名", max_length=50, blank=True)
    id_masked = models.CharField("身份证号", max_length=18, blank=True)
    amount = models.DecimalField("金额(元)", max_digits=12, decimal_places=2)
    reason = models.CharField("依据", max_length=255)
    order = models.PositiveIntegerField("序号", default=0)

    objects = LineQuerySet.as_manager()

    class Meta:
        verbose_name = "补贴明细"
        verbose_name_plural = "补贴明细"
        ordering = ["application", "order"]

    def __str__(self) -> str:
        return f"{self.rule_name} {self.amount}"
