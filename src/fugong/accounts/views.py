"""Login, logout and the home page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from fugong.accounts.forms import LoginForm
from fugong.accounts.models import Membership, Notification
from fugong.accounts.navigation import next_steps


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    # Django's FormView treats PUT as POST; the login form is posted, nothing else.
    http_method_names = ["get", "post", "head", "options"]


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    memberships = Membership.objects.active().filter(user_id=request.user.pk).select_related("region", "department__region", "enterprise", "gate")
    return render(request, "home.html", {"steps": next_steps(request.user), "memberships": memberships})


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's own messages: what awaits them and what happened to their applications."""
    messages_qs = Notification.objects.filter(user_id=request.user.pk or 0)
    page = Paginator(messages_qs, 30).get_page(request.GET.get("page"))
    return render(request, "accounts/inbox.html", {"page": page, "querystring": ""})


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(user_id=request.user.pk or 0, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("accounts:inbox")
