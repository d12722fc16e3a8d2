"""The person list (一人一档) and a person's file: create, edit, the audited reveal of the ID
number, the personal link's QR code, and the sheet and print page of personal links.

Every page starts from ``Person.objects.for_user``: a record out of scope is a 404. Reviewers and
gate guards have no list (403); an employee is sent to their own file (``/people/me/``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fugong.accounts.choices import Role
from fugong.accounts.scope import scope_of
from fugong.core.qr import qr_data_uri, qr_svg
from fugong.core.views import ScopedListView, xlsx_response
from fugong.enterprises.models import Enterprise
from fugong.policy.services import current
from fugong.workforce.exporters import export_links, export_people
from fugong.workforce.filters import PersonFilter, valid_pass_exists
from fugong.workforce.forms import PersonForm
from fugong.workforce.links import make_token
from fugong.workforce.models import Pass, Person
from fugong.workforce.services import id_number_reveal, person_create, person_update

PASSES_BLOCK = "workforce/_person_passes.html"  # A2's block of a person's passes, with its actions
PRINT_PAGE_SIZE = 60  # QR cards per printed page of links
LINKS_MAX = 20_000  # a sheet of links for a whole enterprise group; beyond it, filter


def scoped_people(request: HttpRequest) -> QuerySet[Person]:
    return Person.objects.for_user(request.user).select_related("enterprise__region")


def person_or_404(request: HttpRequest, pk: UUID) -> Person:
    """The person if the user may see the record; 404 otherwise (scoped by construction)."""
    return get_object_or_404(scoped_people(request), pk=pk)


def may_see_contact(user: Any) -> bool:
    """Names and phone numbers in exports: the officers and the enterprise admin, who see them on the page."""
    return bool(user.has_perm("workforce.list_people"))


def personal_link(request: HttpRequest, person: Person) -> str:
    """The absolute address of the person's personal link (a fresh token each time)."""
    return request.build_absolute_uri(reverse("workforce:link-home", kwargs={"token": make_token(person)}))


def link_valid_until(person: Person | None = None) -> Any:
    region = person.enterprise.region if person is not None else None
    return timezone.localdate() + timedelta(days=int(current(region).personal_link_days))


class PersonListView(ScopedListView):
    model = Person
    filterset_class = PersonFilter
    permission_required = "workforce.list_people"
    export_permission = "workforce.export_people"
    export_name = "人员台账"
    template_name = "workforce/person_list.html"
    table_template = "workforce/person_table.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # An employee has one record, their own: the file page instead of a list of one.
        if request.user.is_authenticated and not request.user.has_perm("workforce.list_people") and Role.EMPLOYEE in scope_of(request.user).roles:
            return redirect("workforce:me")
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self) -> QuerySet[Person]:
        return (super().base_queryset().select_related("enterprise").annotate(holds_pass=valid_pass_exists(timezone.localdate()))
                .order_by("enterprise__name", "name", "pk"))

    def export(self, queryset: QuerySet[Person]) -> bytes:
        return export_people(queryset, contact=may_see_contact(self.request.user))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        scope = scope_of(self.request.user)
        context["show_enterprise"] = scope.is_official or len(scope.enterprise_ids) > 1
        return context


def _passes_block() -> str:
    """A2's passes block when it is installed, else "" (the page lists the passes itself)."""
    try:
        get_template(PASSES_BLOCK)
    except TemplateDoesNotExist:
        return ""
    return PASSES_BLOCK


def _detail_context(request: HttpRequest, person: Person) -> dict[str, Any]:
    from fugong.health.models import Alert, CheckIn
    from fugong.workforce.classify import INCOMPLETE_LABEL

    user = request.user
    today = timezone.localdate()
    may_link = user.has_perm("workforce.send_link", person)
    return {
        "person": person,
        "today": today,
        "incomplete_label": INCOMPLETE_LABEL,
        "declaration": person.declarations.order_by("-declared_at").first(),
        "passes": list(Pass.objects.filter(person=person).order_by("-issued_at")[:20]),
        "passes_block": _passes_block(),
        "checkins": list(CheckIn.objects.for_user(user).filter(person=person, date__gte=today - timedelta(days=13)).order_by("-date", "-slot")),
        "alerts": list(Alert.objects.for_user(user).filter(person=person).order_by("-raised_at")[:20]),
        "can_change": user.has_perm("workforce.change_person", person),
        "can_reveal": user.has_perm("workforce.reveal_id_number", person),
        "can_declare": user.has_perm("workforce.declare_for_person", person),
        "link": personal_link(request, person) if may_link else "",
        "link_valid_until": link_valid_until(person) if may_link else None,
    }


@login_required
@require_safe
def person_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    person = person_or_404(request, pk)
    response = render(request, "workforce/person_detail.html", _detail_context(request, person))
    response["Cache-Control"] = "private, no-store"  # a personal file: no copy in any cache
    return response


@never_cache
@login_required
@require_POST
def person_reveal_id(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Show the full ID number once, to the platform admin and the command officers over the
    enterprise. The service audits the reveal, and a refused attempt too (then 403)."""
    person = person_or_404(request, pk)
    try:
        number = id_number_reveal(person=person, acting_user=request.user, request=request)
    except PermissionDenied:
        raise PermissionDenied("您无权查看完整身份证号。") from None
    if request.headers.get("HX-Request"):
        return render(request, "workforce/person_id_revealed.html", {"person": person, "revealed": number})
    return render(request, "workforce/person_detail.html", _detail_context(request, person) | {"revealed": number})


def _enterprises_for_registering(request: HttpRequest) -> QuerySet[Enterprise]:
    """The enterprises the user may register people at: in scope, and allowed by the rule."""
    scoped = Enterprise.objects.for_user(request.user).select_related("region").order_by("name")
    allowed = [e.pk for e in scoped if request.user.has_perm("workforce.add_person", e)]
    return Enterprise.objects.filter(pk__in=allowed).order_by("name")


@login_required
@permission_required("workforce.keep_roster", raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_create_view(request: HttpRequest) -> HttpResponse:
    enterprises = _enterprises_for_registering(request)
    initial = {"enterprise": request.GET.get("enterprise")} if request.GET.get("enterprise", "").isdigit() else {}
    form = PersonForm(request.POST or None, enterprises=enterprises, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person = person_create(enterprise=form.cleaned_data["enterprise"], acting_user=request.user, data=form.service_data(),
                                   request=request)
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            form.add_error("enterprise", str(exc))
        else:
            for warning in form.id_warnings:
                messages.warning(request, warning)
            messages.success(request, "已登记人员档案。")
            return redirect("workforce:detail", pk=person.pk)
    return render(request, "workforce/person_form.html", {"form": form, "title": "登记人员"})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit_view(request: HttpRequest, pk: UUID) -> HttpResponse:
    person = person_or_404(request, pk)
    if not request.user.has_perm("workforce.change_person", person):
        raise PermissionDenied
    form = PersonForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            person_update(person=person, acting_user=request.user, data=form.service_data(), request=request)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            for warning in form.id_warnings:
                messages.warning(request, warning)
            messages.success(request, "已保存。")
            return redirect("workforce:detail", pk=person.pk)
    return render(request, "workforce/person_form.html", {"form": form, "title": f"修改人员档案：{person.name}", "person": person})


@never_cache
@login_required
@require_safe
def person_link_qr(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The person's personal link as a QR code (SVG), for the officers and the enterprise admin."""
    person = person_or_404(request, pk)
    if not request.user.has_perm("workforce.send_link", person):
        raise PermissionDenied
    response = HttpResponse(qr_svg(personal_link(request, person), scale=5), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


def _linkable(request: HttpRequest) -> Any:
    """The filtered people (the list's filters) whose links the user may hand out."""
    filterset = PersonFilter(request.GET or None, queryset=scoped_people(request).order_by("enterprise__name", "name", "pk"), request=request)
    queryset = filterset.queryset.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
    return filterset, queryset


@never_cache
@login_required
@permission_required("workforce.send_links", raise_exception=True)
@require_safe
def links_export(request: HttpRequest) -> HttpResponse:
    """A sheet of the personal links of the filtered staff (an enterprise sends them by SMS)."""
    _filterset, queryset = _linkable(request)
    people = [(p, personal_link(request, p)) for p in queryset[:LINKS_MAX] if request.user.has_perm("workforce.send_link", p)]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    content = export_links(people, valid_until=link_valid_until(people[0][0] if people else None), contact=may_see_contact(request.user))
    return xlsx_response(content, f"个人链接-{stamp}.xlsx")


@never_cache
@login_required
@permission_required("workforce.send_links", raise_exception=True)
@require_safe
def links_print(request: HttpRequest) -> HttpResponse:
    """A printable page of QR cards (masked name, enterprise, QR of the personal link) for the filtered staff."""
    from fugong.core.masking import mask_name

    filterset, queryset = _linkable(request)
    page = Paginator(queryset, PRINT_PAGE_SIZE).get_page(request.GET.get("page"))
    cards = []
    for person in page:
        if request.user.has_perm("workforce.send_link", person):
            url = personal_link(request, person)
            cards.append({"person": person, "masked_name": mask_name(person.name),
                          "qr": qr_data_uri(url)})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "workforce/link_print.html", {"filter": filterset, "page": page, "cards": cards, "querystring": query.urlencode(),
                                                         "valid_until": link_valid_until(cards[0]["person"] if cards else None)})
