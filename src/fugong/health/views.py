"""Check-in and alert pages.

- The employee's phone page, reached by a personal link (``/health/p/<token>/checkin``, no
  password: the signed token is the only key and names one person) or signed in
  (``/health/me/checkin``): today's slots, the form, the answer, the history.
- The enterprise's table: its staff on site with a temperature box each, saved at once through
  the same batch service as the API.
- The check-in ledger with today's figures, the list of who has not checked in yet, the alert
  ledger, an alert's page and its closing.

Every object is looked up in ``for_user`` (out of scope is a 404); every write is a service call;
a refused form renders the page again with what was typed and says in Chinese what to fix.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fugong.accounts.scope import scope_of
from fugong.core.masking import mask_name
from fugong.core.views import ScopedListView
from fugong.enterprises.models import Enterprise
from fugong.health.choices import AlertKind, AlertStatus, CheckInSource
from fugong.health.exporters import export_alerts, export_checkins, export_missing
from fugong.health.filters import AlertFilter, CheckInFilter, MissingFilter, slot_label
from fugong.health.forms import AlertCloseForm, CheckInForm, apply_errors
from fugong.health.models import Alert, CheckIn
from fugong.health.selectors import checked_in_q, expected_to_check_in, focus_policy, person_day, recent_days, today_counts
from fugong.health.services import alert_close, cached_policy, checkin_batch, checkin_record, current_slot
from fugong.policy.parameters import BY_KEY
from fugong.workforce.links import person_id_from_token
from fugong.workforce.models import Person

LINK_INVALID = "链接无效或已过期，请联系企业防疫专员重新获取。"
MAX_TOKEN_CHARS = 300  # a signed link is far shorter: refuse anything longer before reading it
NO_OWN_RECORD = "未找到与您账号关联的人员档案，请联系企业防疫专员登记或通过企业发给您的链接打卡。"
FEVER_ADVICE = "体温异常：请立即停止工作，联系企业防疫专员"
BULK_PAGE_SIZE = 50


def reverse_if_exists(name: str, *args: Any) -> str:
    """The URL of a page another app may or may not have yet; empty when it has not."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# -- the person's own page (phone) ----------------------------------------------------------------

def _person_from_token(token: str) -> Person | None:
    """The person a personal link names, or None when the token is forged, altered or expired.

    The link's lifetime is the policy of the person's county, which is known only once the token
    is read: read it within the longest lifetime the policy allows, then again within the county's."""
    longest = timedelta(days=int(BY_KEY["personal_link_days"].maximum))
    person_id = person_id_from_token(token, max_age=longest) if len(token) <= MAX_TOKEN_CHARS else None
    if person_id is None:
        return None
    person = Person.objects.select_related("enterprise").filter(pk=person_id).first()
    if person is None:
        return None
    days = int(cached_policy(person.enterprise.region_id).personal_link_days)
    return person if person_id_from_token(token, max_age=timedelta(days=days)) is not None else None


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "health/checkin_invalid.html", {"message": message}, status=404)


@require_http_methods(["GET", "POST"])
def link_checkin(request: HttpRequest, token: str) -> HttpResponse:
    """The check-in page a personal link opens, without a password."""
    person = _person_from_token(token)
    response = _not_found(request, LINK_INVALID) if person is None else _person_page(request, person, acting_user=None, token=token)
    # The token is the key: never cached, indexed or sent to another site as a referrer
    # ("same-origin", not "no-referrer", which would make the form's POST fail CSRF with Origin: null).
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def my_checkin(request: HttpRequest) -> HttpResponse:
    """The same page for the signed-in employee (their own record: ``Person.user``)."""
    person = Person.objects.for_user(request.user).filter(user_id=request.user.pk).select_related("enterprise").first()
    if person is None:
        return _not_found(request, NO_OWN_RECORD)
    return _person_page(request, person, acting_user=request.user)


def _person_page(request: HttpRequest, person: Person, *, acting_user: Any, token: str = "") -> HttpResponse:
    policy = cached_policy(person.enterprise.region_id)
    form = CheckInForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = checkin_record(person=person, temperature=form.cleaned_data["temperature"], cough=form.cleaned_data["cough"],
                                    symptoms=form.cleaned_data["symptoms"], source=CheckInSource.SELF, policy=policy,
                                    acting_user=acting_user, request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            form = CheckInForm()
    day = person_day(person, policy)
    fever = result is not None and result.alert is not None and result.alert.kind == AlertKind.FEVER
    return render(request, "health/checkin_person.html", {
        "person": person, "masked_name": mask_name(person.name), "form": form, "day": day, "result": result, "fever": fever,
        "fever_advice": FEVER_ADVICE, "threshold": policy.fever_threshold_celsius, "token": token,
        "home_url": reverse_if_exists("workforce:link-home", token) if token else "",
        "monitoring_days": policy.other_district_monitoring_days,
    })


# -- the check-in ledger and who has not checked in -----------------------------------------------

def _chosen_enterprise(request: HttpRequest) -> Enterprise | None:
    raw = request.GET.get("enterprise", "")
    if not raw.isdigit():
        return None
    return Enterprise.objects.for_user(request.user).filter(pk=int(raw)).only("pk", "name", "region_id").first()


class CheckInListView(ScopedListView):
    model = CheckIn
    filterset_class = CheckInFilter
    permission_required = "health.list_checkins"
    export_permission = "health.export_checkins"
    export_name = "打卡台账"
    template_name = "health/checkin_list.html"
    table_template = "health/checkin_list_table.html"

    def base_queryset(self) -> QuerySet[CheckIn]:
        # The fever is the alert the check-in raised (judged when recorded, by its county's
        # threshold); a re-measure in the same slot may since have replaced the temperature.
        fevers = Alert.objects.filter(checkin=OuterRef("pk"), kind=AlertKind.FEVER).order_by("-raised_at")
        return (super().base_queryset().select_related("person", "enterprise")
                .annotate(fever=Exists(fevers), fever_temperature=Subquery(fevers.values("temperature")[:1]))
                .order_by("-date", "-slot", "-recorded_at", "-pk"))

    def export(self, queryset: QuerySet[CheckIn]) -> bytes:
        per_day = int(cached_policy(None).checkins_per_day)
        return export_checkins(queryset, label=lambda checkin: slot_label(checkin.slot, per_day))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        per_day = int(cached_policy(None).checkins_per_day)
        page = context["page"]
        page.object_list = list(page.object_list)
        for checkin in page.object_list:
            checkin.slot_name = slot_label(checkin.slot, per_day)
            # A fever, then a normal re-measure in the same slot (the alert keeps the fever).
            checkin.remeasured = (checkin.fever and checkin.fever_temperature is not None
                                  and Decimal(str(checkin.fever_temperature)) != checkin.temperature)
        if not self.request.headers.get("HX-Request"):
            context["counts"] = today_counts(self.request.user, enterprise=_chosen_enterprise(self.request))
        context["can_bulk"] = self.request.user.has_perm("health.bulk_checkins")
        return context


checkin_list = CheckInListView.as_view()


class MissingListView(ScopedListView):
    """The staff on site who have no check-in for the current slot of today."""

    model = Person
    filterset_class = MissingFilter
    permission_required = "health.list_checkins"
    export_permission = "health.export_checkins"
    export_name = "未打卡人员"
    template_name = "health/checkin_missing.html"
    table_template = "health/checkin_missing_table.html"
    paginate_by = 50

    def _now(self) -> tuple[date, int, Any]:
        if not hasattr(self, "_when"):
            policy = focus_policy(self.request.user, _chosen_enterprise(self.request))
            day, slot = current_slot(policy)
            self._when = (day, slot, policy)
        return self._when

    def base_queryset(self) -> QuerySet[Person]:
        day, slot, _policy = self._now()
        persons = expected_to_check_in(Person.objects.for_user(self.request.user), day)
        return persons.exclude(checked_in_q(day, slot)).select_related("enterprise").order_by("enterprise__name", "name", "pk")

    def export(self, queryset: QuerySet[Person]) -> bytes:
        day, slot, policy = self._now()
        return export_missing(queryset, day=day, slot_name=slot_label(slot, int(policy.checkins_per_day)))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        day, slot, policy = self._now()
        context.update(day=day, slot_name=slot_label(slot, int(policy.checkins_per_day)),
                       can_bulk=self.request.user.has_perm("health.bulk_checkins"))
        return context


missing_list = MissingListView.as_view()


# -- the enterprise's table -------------------------------------------------------------------------

def _bulk_url(enterprise: Enterprise, day: date, slot: int, query: str = "", page: str = "") -> str:
    params = {"enterprise": enterprise.pk, "day": day.isoformat(), "slot": slot}
    if query:
        params["q"] = query
    if page:
        params["page"] = page
    return f"{reverse('health:bulk')}?{urlencode(params)}"


@login_required
@permission_required("health.bulk_checkins", raise_exception=True)
@require_http_methods(["GET", "POST"])
def bulk_checkin(request: HttpRequest) -> HttpResponse:
    """The enterprise's staff on site, a temperature box each, for one slot of one day."""
    data = request.POST if request.method == "POST" else request.GET
    enterprises = Enterprise.objects.for_user(request.user)
    raw = data.get("enterprise", "")
    if raw:
        enterprise = get_object_or_404(enterprises.select_related("region"), pk=int(raw) if raw.isdigit() else 0)
    else:
        scope = scope_of(request.user)
        own = list(enterprises.filter(pk__in=scope.enterprise_ids)[:2]) if not scope.is_official else []
        if len(own) != 1:
            return _bulk_chooser(request, enterprises)
        enterprise = own[0]
    if not request.user.has_perm("health.bulk_checkin_enterprise", enterprise):
        raise PermissionDenied("您无权为该企业登记体温。")
    policy = cached_policy(enterprise.region_id)
    today, now_slot = current_slot(policy)
    days = recent_days(policy, today)
    day = next((d for d in days if d.isoformat() == data.get("day")), today)
    last_slot = now_slot if day == today else int(policy.checkins_per_day)
    slot = int(data["slot"]) if data.get("slot", "").isdigit() and 1 <= int(data["slot"]) <= last_slot else (now_slot if day == today else 1)
    query = data.get("q", "").strip()[:50]
    persons = expected_to_check_in(Person.objects.for_user(request.user).filter(enterprise=enterprise), day).order_by("name", "pk")
    if query:
        persons = persons.filter(name__icontains=query)
    page = Paginator(persons.only("pk", "name", "id_masked", "post"), BULK_PAGE_SIZE).get_page(data.get("page"))
    typed: dict[str, tuple[str, bool]] = {}
    errors: dict[str, str] = {}
    imported = None
    if request.method == "POST" and "upload" in request.FILES:
        imported = _import_sheet(request, enterprise, day, slot)
    elif request.method == "POST":
        items: list[dict[str, Any]] = []
        for key in request.POST:
            if key.startswith("t-"):
                person, value = key[2:], request.POST.get(key, "").strip()
                cough = request.POST.get(f"c-{person}") == "on"
                typed[person] = (value, cough)
                if value:
                    items.append({"person": person, "temperature": value.replace(",", "."), "cough": cough, "date": day, "slot": slot})
        if not items:
            messages.error(request, "请至少填写一人的体温后再提交。")
        else:
            results = checkin_batch(items=items, acting_user=request.user, source=CheckInSource.ENTERPRISE, request=request)
            errors = {items[r.index]["person"]: r.error or "" for r in results if not r.ok}
            saved = [r for r in results if r.ok]
            alerts = sum(1 for r in saved if r.alert)
            said = f"已保存 {len(saved)} 人的体温" + (f"，其中 {alerts} 人异常，已生成预警" if alerts else "")
            if not errors:
                messages.success(request, said + "。")
                return HttpResponseRedirect(_bulk_url(enterprise, day, slot, query, data.get("page", "")))
            messages.error(request, f"{said}；{len(errors)} 人未保存，请按提示改正后再提交。" if saved else "未保存，请按提示改正后再提交。")
            typed = {person: value for person, value in typed.items() if person in errors}
    existing = {c.person_id: c for c in CheckIn.objects.filter(date=day, slot=slot, person_id__in=[p.pk for p in page.object_list])}
    threshold = policy.fever_threshold_celsius
    rows = []
    for person in page.object_list:
        key = str(person.pk)
        checkin = existing.get(person.pk)
        value, cough = typed.get(key, ("", checkin.cough if checkin else False))
        rows.append({"person": person, "key": key, "checkin": checkin, "fever": checkin is not None and checkin.temperature >= threshold,
                     "value": value, "cough": cough, "error": errors.get(key, "")})
    query_params = {"enterprise": enterprise.pk, "day": day.isoformat(), "slot": slot, **({"q": query} if query else {})}
    return render(request, "health/checkin_bulk.html", {
        "enterprise": enterprise, "day": day, "days": days, "today": today, "slot": slot,
        "slots": [(n, slot_label(n, int(policy.checkins_per_day))) for n in range(1, last_slot + 1)],
        "slot_name": slot_label(slot, int(policy.checkins_per_day)), "query": query, "page": page, "rows": rows,
        "querystring": urlencode(query_params), "threshold": threshold, "done": len(existing),
        "choose": enterprises.count() > 1, "imported": imported,
    }, status=200)


def _import_sheet(request: HttpRequest, enterprise: Enterprise, day: date, slot: int) -> Any:
    """A spreadsheet of temperatures for the chosen slot (health.importers): the counts and the
    refused rows, shown on the page (and downloadable)."""
    from fugong.core.uploads import display_name
    from fugong.health.importers import TemperatureImport, import_temperatures

    upload: Any = request.FILES["upload"]
    filename = display_name(upload.name or "")
    max_mb = int(cached_policy(enterprise.region_id).upload_max_mb)
    if filename.rsplit(".", 1)[-1].lower() not in SHEETS:
        return TemperatureImport(error=f"“{filename}”不是表格文件，只接受 .xlsx、.xls 或 .csv。")
    if not upload.size or upload.size > max_mb * 1024 * 1024:
        return TemperatureImport(error=f"“{filename}”是空文件或超过 {max_mb} MB，请检查后再导入。")
    # The content is checked by reading it (health.importers: a damaged file is refused with a reason).
    result = import_temperatures(enterprise=enterprise, content=upload.read(), filename=filename, day=day, slot=slot,
                                 acting_user=request.user, request=request)
    if result.refused:
        request.session[REPORT_KEY] = {"enterprise": enterprise.pk, "rows": [[r.number, r.name, r.reason] for r in result.refused]}
    if not result.error:
        said = f"已导入 {result.saved} 人的体温" + (f"，其中 {result.alerts} 人异常，已生成预警" if result.alerts else "")
        (messages.success if not result.refused else messages.warning)(
            request, said + (f"；{len(result.refused)} 行未保存，原因见下表。" if result.refused else "。"))
    return result


SHEETS = frozenset({"xlsx", "xls", "csv"})
REPORT_KEY = "health.bulk_import_refused"


@login_required
@permission_required("health.bulk_checkins", raise_exception=True)
@require_safe
def bulk_template(request: HttpRequest) -> HttpResponse:
    """The sheet an enterprise fills in: 姓名, 身份证号, 体温, 咳嗽, 其他症状."""
    from fugong.core.views import xlsx_response
    from fugong.health.importers import template

    return xlsx_response(template(), "体温登记表模板.xlsx")


@login_required
@permission_required("health.bulk_checkins", raise_exception=True)
@require_safe
def bulk_import_errors(request: HttpRequest) -> HttpResponse:
    """The rows the user's last import refused, with the reasons, as Excel (kept in their session)."""
    from fugong.core.views import xlsx_response
    from fugong.health.importers import RefusedRow, TemperatureImport, error_report

    kept = request.session.get(REPORT_KEY)
    if not kept:
        return HttpResponseRedirect(reverse("health:bulk"))
    # The enterprise must still be the user's to see (a session outlives a withdrawn membership).
    get_object_or_404(Enterprise.objects.for_user(request.user), pk=kept["enterprise"])
    refused = [RefusedRow(int(number), str(name), str(reason)) for number, name, reason in kept["rows"]]
    return xlsx_response(error_report(TemperatureImport(refused=refused)), "体温导入-未保存的行.xlsx")


def _bulk_chooser(request: HttpRequest, enterprises: QuerySet[Enterprise]) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:50]
    found = enterprises.order_by("name")
    if query:
        found = found.filter(name__icontains=query)
    page = Paginator(found.only("pk", "name"), BULK_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "health/checkin_bulk_choose.html", {"page": page, "query": query,
                                                                "querystring": urlencode({"q": query} if query else {})})


# -- alerts ----------------------------------------------------------------------------------------

class AlertListView(ScopedListView):
    model = Alert
    filterset_class = AlertFilter
    permission_required = "health.list_alerts"
    export_permission = "health.export_alerts"
    export_name = "预警台账"
    template_name = "health/alert_list.html"
    table_template = "health/alert_list_table.html"

    def base_queryset(self) -> QuerySet[Alert]:
        open_first = Case(When(status=AlertStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
        return (super().base_queryset().select_related("person", "enterprise", "closed_by")
                .annotate(open_first=open_first).order_by("open_first", "-raised_at", "-pk"))

    def export(self, queryset: QuerySet[Alert]) -> bytes:
        return export_alerts(queryset)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if not self.request.headers.get("HX-Request"):
            context["open_count"] = Alert.objects.for_user(self.request.user).filter(status=AlertStatus.OPEN).count()
        return context


alert_list = AlertListView.as_view()


def _scoped_alert(request: HttpRequest, uuid: Any) -> Alert:
    return get_object_or_404(
        Alert.objects.for_user(request.user).select_related("person", "enterprise__region", "checkin", "closed_by", "created_by"), uuid=uuid
    )


def _quarantine_link(alert: Alert) -> str:
    """安排隔离 from an open fever alert, when the quarantine pages are there."""
    if alert.status != AlertStatus.OPEN or alert.kind != AlertKind.FEVER or alert.person_id is None:
        return ""
    return reverse_if_exists("quarantine:place-from-alert", alert.uuid) or reverse_if_exists("quarantine:place", alert.person_id)


def _render_alert(request: HttpRequest, alert: Alert, form: AlertCloseForm | None = None, status: int = 200) -> HttpResponse:
    may_close = alert.status == AlertStatus.OPEN and request.user.has_perm("health.close_alert", alert)
    checkin = alert.checkin
    return render(request, "health/alert_detail.html", {
        "alert": alert, "person": alert.person, "checkin": checkin, "may_close": may_close,
        "slot_name": slot_label(checkin.slot, int(cached_policy(alert.enterprise.region_id).checkins_per_day)) if checkin else "",
        "form": form or AlertCloseForm(), "quarantine_url": _quarantine_link(alert) if may_close else "",
        "person_url": reverse_if_exists("workforce:detail", alert.person_id) if alert.person_id else "",
    }, status=status)


@login_required
@permission_required("health.list_alerts", raise_exception=True)
@require_safe
def alert_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    return _render_alert(request, _scoped_alert(request, uuid))


@login_required
@permission_required("health.list_alerts", raise_exception=True)
@require_POST
def alert_close_view(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Close an alert with its outcome and a note (health.alert_close: checked and audited)."""
    alert = _scoped_alert(request, uuid)
    if not request.user.has_perm("health.close_alert", alert):
        raise PermissionDenied("您无权处置该预警。")
    if alert.status != AlertStatus.OPEN:
        messages.info(request, "该预警已处置，未作更改。")
        return HttpResponseRedirect(alert.get_absolute_url())
    form = AlertCloseForm(request.POST)
    if form.is_valid():
        try:
            alert_close(alert=alert, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"], acting_user=request.user,
                        request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "预警已处置。")
            return HttpResponseRedirect(alert.get_absolute_url())
    return _render_alert(request, alert, form)
