"""The employee's phone pages: the personal link (``/p/<token>/``, no password), the same pages for
the employee signed in to their account (``/people/me/``), and the health declaration — sent by the
person or filled in by the enterprise for them (``/people/<id>/declare/``).

A personal link acts for its one person only. A forged, altered or expired token (older than the
policy's ``personal_link_days`` of the person's county) gets a friendly page with status 404; the
person is looked up again on every visit, so a record that was removed is out of reach at once.
The region tree's public divisions feed the travel selects (``divisions``), for link users too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from fugong.core.masking import mask_name
from fugong.policy.parameters import BY_KEY
from fugong.policy.services import current
from fugong.regions.choices import Level
from fugong.regions.models import Region
from fugong.workforce.choices import DeclarationChannel
from fugong.workforce.declarations import LEGAL_BASIS, declaration_submit, travel_window
from fugong.workforce.forms import DeclarationForm, TravelFormSet, province_choices
from fugong.workforce.links import person_id_from_token
from fugong.workforce.models import Person
from fugong.workforce.views.people import person_or_404

INVALID_LINK = "链接无效或已过期，请联系企业防疫专员重新获取"
# The longest any county's policy may keep a link valid: tokens older than that are refused
# before the database is asked for the person.
LONGEST_LINK = timedelta(days=int(BY_KEY["personal_link_days"].maximum))
MAX_TOKEN_CHARS = 300


def person_from_token(token: str) -> Person | None:
    """The person a personal link names, or None when the token is forged, altered, malformed,
    older than the policy's ``personal_link_days`` of the person's county, or names no record."""
    person_id = person_id_from_token(token, max_age=LONGEST_LINK) if len(token) <= MAX_TOKEN_CHARS else None
    if person_id is None:
        return None
    person = Person.objects.select_related("enterprise__region").filter(pk=person_id).first()
    if person is None:
        return None
    days = int(current(person.enterprise.region).personal_link_days)
    return person if person_id_from_token(token, max_age=timedelta(days=days)) is not None else None


def personal_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page a personal link opens: the token must name a person (else the friendly 404 page),
    and the answer is never cached, indexed or sent to another site as a referrer (the token is the key)."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        person = person_from_token(token)
        if person is None:
            response = render(request, "workforce/link_invalid.html", {"message": INVALID_LINK}, status=404)
        else:
            response = view(request, person, token, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        # The token must not reach other sites through the Referer; "no-referrer" would also make the
        # browser send "Origin: null" with the declaration form, which CSRF protection refuses.
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def my_person(request: HttpRequest) -> Person:
    """The signed-in employee's own record (at an enterprise they still belong to)."""
    person = (Person.objects.for_user(request.user).filter(user_id=request.user.pk).select_related("enterprise__region")
              .order_by("-created_at").first())
    if person is None:
        raise Http404("您的账号没有关联人员档案，请联系企业防疫专员。")
    return person


def _home(request: HttpRequest, person: Person, *, token: str = "") -> HttpResponse:
    from fugong.workforce.classify import INCOMPLETE_LABEL

    return render(request, "workforce/link_home.html", {
        "person": person,
        "masked_name": mask_name(person.name),
        "token": token,
        "declaration": person.declarations.order_by("-declared_at").only("declared_at").first(),
        "incomplete_label": INCOMPLETE_LABEL,
        "today": timezone.localdate(),
    })


@personal_page
@require_safe
def link_home(request: HttpRequest, person: Person, token: str) -> HttpResponse:
    return _home(request, person, token=token)


@login_required
@require_safe
def me_home(request: HttpRequest) -> HttpResponse:
    response = _home(request, my_person(request))
    response["Cache-Control"] = "private, no-store"
    return response


def _declare(request: HttpRequest, person: Person, *, channel: str, done: str, back: str, acting_user: Any = None) -> HttpResponse:
    """The declaration form for ``person``: refused answers come back with what was typed."""
    today = timezone.localdate()
    days = int(current(person.enterprise.region).travel_history_days)
    window = travel_window(today, days)
    form_kwargs = {"provinces": province_choices(), "window": window}
    form = DeclarationForm(request.POST or None)
    travel = TravelFormSet(request.POST or None, prefix="travel", form_kwargs=form_kwargs)
    travel_errors: list[str] = []
    if request.method == "POST":
        valid = form.is_valid()
        if travel.is_valid() and valid:
            trips = [entry for row in travel.forms if (entry := row.entry()) is not None]
            try:
                declaration_submit(person=person, data=form.answers(trips), channel=channel, acting_user=acting_user, request=request)
            except ValidationError as exc:
                travel_errors = form.add_service_errors(exc)
            else:
                person.refresh_from_db(fields=["category", "eligible_on", "category_reason"])
                messages.success(request, "健康申报已提交。" + (f"分类结果：{person.get_category_display()}。" if person.category else ""))
                return redirect(done)
        else:
            travel_errors = [str(e) for e in travel.non_form_errors()]
            travel_errors += [f"第 {n} 条行程：{'；'.join(str(e) for errors in row.errors.values() for e in errors)}"
                              for n, row in enumerate(travel.forms, start=1) if row.errors]
    response = render(request, "workforce/declare.html", {
        "person": person, "masked_name": mask_name(person.name), "form": form, "travel": travel, "travel_errors": travel_errors,
        "legal_basis": LEGAL_BASIS, "window": window, "days": days, "back": back,
        "for_enterprise": channel == DeclarationChannel.ENTERPRISE,
    })
    response["Cache-Control"] = "private, no-store"
    return response


@personal_page
@require_http_methods(["GET", "POST"])
def link_declare(request: HttpRequest, person: Person, token: str) -> HttpResponse:
    home = reverse("workforce:link-home", kwargs={"token": token})
    return _declare(request, person, channel=DeclarationChannel.LINK, done=home, back=home)


@login_required
@require_http_methods(["GET", "POST"])
def me_declare(request: HttpRequest) -> HttpResponse:
    home = reverse("workforce:me")
    return _declare(request, my_person(request), channel=DeclarationChannel.ACCOUNT, done=home, back=home, acting_user=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def declare_for(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The enterprise (or an officer over it) fills in the declaration for one of its staff."""
    person = person_or_404(request, pk)
    if not request.user.has_perm("workforce.declare_for_person", person):
        raise PermissionDenied
    detail = reverse("workforce:detail", kwargs={"pk": person.pk})
    return _declare(request, person, channel=DeclarationChannel.ENTERPRISE, done=detail, back=detail, acting_user=request.user)


@require_safe
def divisions(request: HttpRequest) -> JsonResponse:
    """The provinces, or the cities and counties right below ``?parent=<code>``: public division
    names only (never towns, villages or grids), so link users without an account may ask."""
    parent = request.GET.get("parent", "").strip()[:32]
    below = Region.objects.filter(parent__code=parent, level__in=[Level.CITY, Level.COUNTY]) if parent else Region.objects.filter(level=Level.PROVINCE)
    rows = below.order_by("code").values_list("code", "name", "level")
    children = [{"code": code, "name": name, "leaf": level == Level.COUNTY} for code, name, level in rows]
    response = JsonResponse({"parent": parent or None, "children": children})
    response["Cache-Control"] = "public, max-age=86400"
    return response
