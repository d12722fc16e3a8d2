"""Login, logout and the home page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from fugong.accounts.forms import LoginForm
from fugong.accounts.models import Membership
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
