"""Browsing the jurisdiction tree (creating grids and departments is done in the admin)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from fugong.accounts.scope import scope_of
from fugong.regions.choices import Level
from fugong.regions.models import Department, Region


@login_required
@permission_required("regions.browse_regions", raise_exception=True)
@require_safe
def region_list(request: HttpRequest) -> HttpResponse:
    """The user's jurisdictions and one level below each; an admin starts from the counties in use."""
    scope = scope_of(request.user)
    visible = Region.objects.for_user(request.user)
    # An admin starts from the counties in use; everyone else from their own jurisdictions.
    roots = visible.filter(level=Level.COUNTY, children__isnull=False).distinct() if scope.is_admin else visible.filter(path__in=scope.region_paths)
    return render(request, "regions/list.html", {"roots": roots.order_by("path")})


@login_required
@permission_required("regions.browse_regions", raise_exception=True)
@require_safe
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region.objects.for_user(request.user), code=code)
    children = region.children.annotate(enterprise_count=Count("enterprises")).order_by("code")
    departments = Department.objects.filter(region=region).order_by("name")
    return render(request, "regions/detail.html", {
        "region": region, "children": children, "departments": departments, "ancestors": region.ancestors(),
    })
