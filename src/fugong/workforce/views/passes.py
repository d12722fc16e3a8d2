"""Pass pages (出入证): the 待发证 list the officers approve from (one by one or in bulk), the pass
list, a pass with its QR code (printable), revocation, and the employee's own pass on the phone —
signed in at /people/me/pass or through the personal link at /p/<token>/pass.

Every object is looked up in ``for_user`` (outside the scope: 404), every write is a service
call, and a refusal (a person not yet eligible, a pass already held) comes back as a Chinese
message with the reason and the eligible date, never a 500."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from fugong.core.excel import write_xlsx
from fugong.core.masking import mask_name
from fugong.core.qr import qr_svg
from fugong.core.views import ScopedListView
from fugong.enterprises.choices import Status as EnterpriseStatus
from fugong.enterprises.models import Enterprise
from fugong.workforce.choices import ClassificationCategory, RevocationReason
from fugong.workforce.classify import category_label
from fugong.workforce.models import Pass, Person
from fugong.workforce.services import pass_issue, pass_refusal, pass_revoke, passes_issue_bulk
from fugong.workforce.views.declaration import my_person, personal_page

BULK_LIMIT = 5_000  # one approval; a whole town's pending list fits, a mistaken "all" of a county does not

# -- the state of a pass --------------------------------------------------------------------------

VALID, REVOKED, EXPIRED, NOT_YET = "valid", "revoked", "expired", "not_yet"
STATE_LABELS = {VALID: "有效", REVOKED: "已吊销", EXPIRED: "已过期", NOT_YET: "尚未生效"}
STATE_COLOURS = {VALID: "success", REVOKED: "danger", EXPIRED: "secondary", NOT_YET: "warning"}


def pass_state(item: Pass, today: date) -> str:
    if item.revoked_at is not None:
        return REVOKED
    if item.valid_to < today:
        return EXPIRED
    if item.valid_from > today:
        return NOT_YET
    return VALID


def _decorate(item: Pass, today: date) -> Pass:
    """What the templates show of a pass: its state and the masked name of its holder."""
    state = pass_state(item, today)
    item.state, item.state_label, item.state_colour = state, STATE_LABELS[state], STATE_COLOURS[state]  # type: ignore[attr-defined]
    item.masked_name = mask_name(item.person.name)  # type: ignore[attr-defined]
    return item


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Back where the form came from (a person's page, the pending list), only on this site."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


# -- 待发证: persons whose classification allows a pass today and who hold none ----------------------


def pending_people(user: Any, today: date) -> QuerySet[Person]:
    """Persons in the user's scope who may get a pass today: classified, eligible on or before
    today (refused categories have no eligible date), no pass still open, enterprise not stopped."""
    holding = Pass.objects.filter(person=OuterRef("pk")).open_on(today)
    return (Person.objects.for_user(user).exclude(category="").filter(eligible_on__lte=today)
            .exclude(enterprise__status=EnterpriseStatus.SUSPENDED).exclude(Exists(holding))
            .select_related("enterprise__region"))


def _enterprises(request: Any) -> QuerySet[Enterprise]:
    return Enterprise.objects.for_user(getattr(request, "user", None)).order_by("name")


class PendingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    enterprise = django_filters.ModelChoiceFilter(queryset=_enterprises, label="企业")
    category = django_filters.ChoiceFilter(choices=ClassificationCategory.choices, label="分类")

    class Meta:
        model = Person
        fields = ["q", "enterprise", "category"]

    def search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(phone__contains=value)) if value else queryset


class PendingPassListView(ScopedListView):
    """待发证: the officers' list to approve passes from; select some or all and approve."""

    model = Person
    filterset_class = PendingFilter
    permission_required = "workforce.approve_passes"
    template_name = "workforce/pass_pending.html"
    table_template = "workforce/pass_pending_table.html"
    paginate_by = 50

    def base_queryset(self) -> QuerySet[Person]:
        return pending_people(self.request.user, timezone.localdate()).order_by("enterprise__name", "name")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for person in context["page"]:
            person.category_text = category_label(person.category)
        context["bulk_limit"] = BULK_LIMIT
        return context


pass_pending = PendingPassListView.as_view()


@login_required
@permission_required("workforce.approve_passes", raise_exception=True)
@require_POST
def pass_issue_bulk_view(request: HttpRequest) -> HttpResponse:
    """Approve the ticked persons, or with ``all=1`` every person the list's filters match."""
    today = timezone.localdate()
    if request.POST.get("all") == "1":
        filterset = PendingFilter(request.POST, queryset=pending_people(request.user, today), request=request)
        people = list(filterset.qs[: BULK_LIMIT + 1]) if filterset.is_valid() else []
    else:
        wanted = request.POST.getlist("person")[: BULK_LIMIT + 1]
        ids = []
        for value in wanted:
            try:
                ids.append(Person._meta.pk.to_python(value))  # type: ignore[union-attr]
            except ValidationError:
                continue
        people = list(Person.objects.for_user(request.user).filter(pk__in=ids).select_related("enterprise__region"))
    if not people:
        messages.warning(request, "请先勾选要发证的人员。")
        return redirect("workforce:pass-pending")
    if len(people) > BULK_LIMIT:
        messages.error(request, f"一次最多为 {BULK_LIMIT} 人发证，请先按企业筛选后分批发证。")
        return redirect("workforce:pass-pending")
    try:
        result = passes_issue_bulk(persons=people, acting_user=request.user, request=request, today=today)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("workforce:pass-pending")
    if result.issued:
        messages.success(request, f"已为 {len(result.issued)} 人发放出入证。")
    if result.refused:
        shown = "；".join(f"{person.name}：{reason}" for person, reason in result.refused[:5])
        more = f"（另有 {len(result.refused) - 5} 人）" if len(result.refused) > 5 else ""
        messages.warning(request, f"{len(result.refused)} 人未发证：{shown}{more}")
    return redirect("workforce:pass-pending")


@login_required
@permission_required("workforce.approve_passes", raise_exception=True)
@require_POST
def pass_issue_view(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Approve one person's pass (from the pending list or the person's page)."""
    person = get_object_or_404(Person.objects.for_user(request.user).select_related("enterprise__region"), pk=uuid)
    if not request.user.has_perm("workforce.issue_pass", person.enterprise):
        raise PermissionDenied
    try:
        issued = pass_issue(person=person, acting_user=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, f"{person.name}：{'；'.join(exc.messages)}")
    else:
        messages.success(request, f"已为 {person.name} 发放出入证，有效期至 {issued.valid_to:%Y-%m-%d}。")
    return _back(request, reverse("workforce:pass-pending"))


# -- the pass list ---------------------------------------------------------------------------------


class PassFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    state = django_filters.ChoiceFilter(choices=list(STATE_LABELS.items()), method="filter_state", label="状态")
    enterprise = django_filters.ModelChoiceFilter(queryset=_enterprises, label="企业")
    reason = django_filters.ChoiceFilter(choices=RevocationReason.choices, field_name="revoked_reason", label="吊销原因")

    class Meta:
        model = Pass
        fields = ["q", "state", "enterprise", "reason"]

    def search(self, queryset: QuerySet[Pass], name: str, value: str) -> QuerySet[Pass]:
        value = value.strip()
        return queryset.filter(Q(person__name__icontains=value) | Q(person__phone__contains=value)) if value else queryset

    def filter_state(self, queryset: QuerySet[Pass], name: str, value: str) -> QuerySet[Pass]:
        today = timezone.localdate()
        alive = queryset.filter(revoked_at__isnull=True)
        return {
            VALID: alive.filter(valid_from__lte=today, valid_to__gte=today),
            REVOKED: queryset.filter(revoked_at__isnull=False),
            EXPIRED: alive.filter(valid_to__lt=today),
            NOT_YET: alive.filter(valid_from__gt=today),
        }.get(value, queryset)


class PassListView(ScopedListView):
    """Passes in the user's scope (the enterprise admin: its own staff's)."""

    model = Pass
    filterset_class = PassFilter
    permission_required = "workforce.list_passes"
    export_permission = "workforce.export_passes"
    export_name = "出入证台账"
    template_name = "workforce/pass_list.html"
    table_template = "workforce/pass_table.html"

    def base_queryset(self) -> QuerySet[Pass]:
        return super().base_queryset().select_related("person", "enterprise", "issued_by").order_by("-issued_at")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for item in context["page"]:
            _decorate(item, today)
        return context

    def export(self, queryset: QuerySet[Pass]) -> bytes:
        today = timezone.localdate()
        rows = ([p.enterprise.name, p.person.name, p.person.id_masked, STATE_LABELS[pass_state(p, today)], p.valid_from, p.valid_to,
                 timezone.localtime(p.issued_at).replace(tzinfo=None), p.issued_by.display_name or p.issued_by.get_username(),
                 timezone.localtime(p.revoked_at).replace(tzinfo=None) if p.revoked_at else None, p.get_revoked_reason_display(),
                 str(p.pk)] for p in queryset.iterator(chunk_size=2000))
        return write_xlsx(["企业", "姓名", "身份证号", "状态", "生效日期", "失效日期", "签发时间", "签发人", "吊销时间", "吊销原因", "证号"], rows,
                          title="出入证")


pass_list = PassListView.as_view()


# -- one pass ---------------------------------------------------------------------------------------


class RevokeForm(forms.Form):
    reason = forms.ChoiceField(label="吊销原因", choices=[("", "请选择"), *RevocationReason.choices],
                               error_messages={"required": "请选择吊销原因。", "invalid_choice": "请选择吊销原因。"})


def _scoped_pass(request: HttpRequest, uuid: Any) -> Pass:
    return get_object_or_404(Pass.objects.for_user(request.user).select_related("person", "enterprise", "issued_by"), pk=uuid)


@login_required
@require_safe
def pass_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    """A pass as a printable card: QR code, enterprise, masked name, validity, state."""
    item = _decorate(_scoped_pass(request, uuid), timezone.localdate())
    can_revoke = item.revoked_at is None and request.user.has_perm("workforce.revoke_pass", item.enterprise)
    return render(request, "workforce/pass_detail.html", {
        "pass": item, "qr_url": reverse("workforce:pass-qr", args=[item.pk]), "can_revoke": can_revoke, "form": RevokeForm(),
    })


@login_required
@require_safe
def pass_qr(request: HttpRequest, uuid: Any) -> HttpResponse:
    return qr_response(_scoped_pass(request, uuid).token)


def qr_response(text: str) -> HttpResponse:
    """The QR code of ``text`` as an SVG image (served from our origin: the CSP allows it)."""
    response = HttpResponse(qr_svg(text, title="出入证二维码"), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"  # a pass may be revoked: never show a stale one from a cache
    return response


@login_required
@require_POST
def pass_revoke_view(request: HttpRequest, uuid: Any) -> HttpResponse:
    item = _scoped_pass(request, uuid)
    if not request.user.has_perm("workforce.revoke_pass", item.enterprise):
        raise PermissionDenied
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return _back(request, reverse("workforce:pass-detail", args=[item.pk]))
    try:
        pass_revoke(pass_=item, reason=form.cleaned_data["reason"], acting_user=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "出入证已吊销，门岗扫码将显示“已吊销”。")
    return _back(request, reverse("workforce:pass-detail", args=[item.pk]))


# -- the employee's own pass (phone) ----------------------------------------------------------------


def current_pass(person: Person, today: date) -> Pass | None:
    """The pass the person shows today: a valid one, else one that starts later."""
    open_passes = Pass.objects.filter(person=person).open_on(today).select_related("enterprise", "person")
    return open_passes.filter(valid_from__lte=today).order_by("-valid_to").first() or open_passes.order_by("valid_from").first()


def _own_pass_page(request: HttpRequest, person: Person, *, qr_url: str | None, link: bool) -> HttpResponse:
    today = timezone.localdate()
    item = current_pass(person, today)
    return render(request, "workforce/pass_mine.html", {
        "person": person, "masked_name": mask_name(person.name), "pass": _decorate(item, today) if item else None,
        "qr_url": qr_url if item else None, "category": category_label(person.category), "link": link,
    })


@login_required
@require_safe
def my_pass(request: HttpRequest) -> HttpResponse:
    """The signed-in employee's own pass (404 for an account without a record of its own)."""
    person = my_person(request)
    item = current_pass(person, timezone.localdate())
    return _own_pass_page(request, person, qr_url=reverse("workforce:pass-qr", args=[item.pk]) if item else None, link=False)


# The personal link's pages share the declaration pages' guard (workforce.views.declaration.personal_page):
# a forged, altered or expired token is the friendly 404 page, and nothing is cached or sent on as a referrer.


@require_safe
@personal_page
def link_pass(request: HttpRequest, person: Person, token: str) -> HttpResponse:
    """The pass page a personal link opens, without a password: that one person's pass only."""
    return _own_pass_page(request, person, qr_url=reverse("workforce:link-pass-qr", args=[token]), link=True)


@require_safe
@personal_page
def link_pass_qr(request: HttpRequest, person: Person, token: str) -> HttpResponse:
    item = current_pass(person, timezone.localdate())
    if item is None:
        raise Http404
    return qr_response(item.token)


def person_pass_block(user: Any, person: Person) -> dict[str, Any]:
    """What ``workforce/_person_passes.html`` shows on a person's page: their passes (newest
    first), whether the user may issue one now (or why not) and revoke them."""
    today = timezone.localdate()
    passes = [_decorate(p, today) for p in Pass.objects.filter(person=person).select_related("person", "issued_by").order_by("-issued_at")]
    may_issue = user.has_perm("workforce.issue_pass", person.enterprise)
    holding = any(p.state in (VALID, NOT_YET) for p in passes)  # type: ignore[attr-defined]
    refusal = pass_refusal(person, today=today, has_open_pass=holding) if may_issue else ""
    return {"person": person, "passes": passes, "may_issue": may_issue and not refusal, "refusal": refusal,
            "may_revoke": user.has_perm("workforce.revoke_pass", person.enterprise), "revoke_form": RevokeForm()}
