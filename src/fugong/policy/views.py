"""The policy page: the parameters in force, their history, and publishing a new version."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from fugong.accounts.scope import scope_of
from fugong.policy.forms import PolicyForm
from fugong.policy.services import current, history, policy_publish
from fugong.regions.choices import Level
from fugong.regions.models import Region


def counties_for(user: object) -> QuerySet[Region]:
    """Counties whose policy the user may read: those in their jurisdictions and the county
    above a town they command (its policy is the one that applies to them)."""
    scope = scope_of(user)
    if scope.is_admin:
        return Region.objects.filter(level=Level.COUNTY)
    codes = {code for path in scope.command_paths for code in path.strip("/").split("/")}
    return Region.objects.filter(level=Level.COUNTY).filter(Q(code__in=codes) | Q(pk__in=Region.objects.for_user(user).filter(level=Level.COUNTY)))


@login_required
@permission_required("policy.view_policy", raise_exception=True)
@require_http_methods(["GET", "POST"])
def policy_index(request: HttpRequest) -> HttpResponse:
    """``?county=<code>`` shows and edits one county's overrides; without it, the base policy."""
    counties = counties_for(request.user)
    code = request.GET.get("county")
    county = get_object_or_404(counties, code=code) if code else None
    if county is None and not scope_of(request.user).is_admin:
        county = counties.filter(children__isnull=False).order_by("path").first()
    may_publish = (
        request.user.has_perm("policy.publish_county_policy", county) if county
        else request.user.has_perm("policy.publish_base_policy")
    )
    policy = current(county)
    form = PolicyForm(request.POST or None, policy=policy)
    if request.method == "POST":
        if not may_publish:
            raise PermissionDenied
        if form.is_valid():
            try:
                version = policy_publish(region=county, values=form.values(), effective_from=form.cleaned_data["effective_from"],
                                         note=form.cleaned_data["note"], acting_user=request.user, request=request)
            except ValueError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已发布：{version}")
                return redirect(request.get_full_path())
    groups: dict[str, list[object]] = {}
    for name in form.fields:
        if name.startswith("p_"):
            groups.setdefault(form.fields[name].group, []).append(form[name])  # type: ignore[attr-defined]
    return render(request, "policy/index.html", {
        "form": form, "groups": groups, "county": county, "counties": counties.filter(children__isnull=False).distinct(),
        "history": history(county), "may_publish": may_publish,
    })
