"""The admins' users-and-groups pages, the sign-in page and its locked-out page. Each view parses, calls one
selector or service, renders."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.errors import AccountError
from accounts.forms import NewUserForm, UserForm
from accounts.permissions import role_required
from accounts.roles import Role
from accounts.selectors import get_user, list_users
from accounts.services import create_user, reset_password, update_user
from accounts.throttle import sign_in_unlocks_at, username_key


@require_GET
@role_required(Role.ADMIN)
def users(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").replace("\x00", "").strip()[:150]  # PostgreSQL text holds no NUL
    return render(request, "accounts/users.html", {"users": list_users(query=query), "query": query})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_user(user_id=user_id)
    if user is None:
        raise Http404("No such user")
    form = UserForm.for_user(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_user(
                acting_user=request.user,
                user=user,
                role=Role(data["role"]),
                clearance=data["clearance"],
                groups=list(data["groups"]),
                new_group_names=data["new_groups"],
                team=data["team"],
                is_active=data["is_active"],
            )
        except AccountError as exc:
            form.add_error(exc.field, exc.message)
        else:
            return redirect("users")
    status = 422 if form.is_bound else 200
    return render(request, "accounts/user_form.html", {"form": form, "subject": user}, status=status)


@never_cache  # the page that shows a one-time password must not be kept by any cache
@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def user_new(request: HttpRequest) -> HttpResponse:
    form = NewUserForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, one_time_password = create_user(
                acting_user=request.user,
                username=data["username"],
                role=Role(data["role"]),
                clearance=data["clearance"],
                groups=list(data["groups"]),
                new_group_names=data["new_groups"],
                team=data["team"],
                password=data["password"] or None,
            )
        except AccountError as exc:
            form.add_error(exc.field, exc.message)
        else:
            context = {"subject": user, "one_time_password": one_time_password}
            return render(request, "accounts/user_created.html", context)
    status = 422 if form.is_bound else 200
    return render(request, "accounts/user_form.html", {"form": form, "subject": None}, status=status)


@never_cache  # the page shows a one-time password
@require_POST
@role_required(Role.ADMIN)
def user_password_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_user(user_id=user_id)
    if user is None:
        raise Http404("No such user")
    try:
        one_time_password = reset_password(acting_user=request.user, user=user)
    except AccountError as exc:
        context = {"form": UserForm.for_user(user), "subject": user, "reset_error": exc.message}
        return render(request, "accounts/user_form.html", context, status=422)
    return render(request, "accounts/password_reset.html", {"subject": user, "one_time_password": one_time_password})


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """django-axes' answer (AXES_LOCKOUT_CALLABLE) to a sign-in while its account or address is locked:
    429, with when to try again on the page and in Retry-After. The page is the same whether or not
    the account exists."""
    address = getattr(request, "axes_ip_address", None)  # set by axes before it calls this
    unlocks_at = sign_in_unlocks_at(username=username_key(request, credentials), address=address)
    response = render(request, "registration/locked_out.html", {"unlocks_at": unlocks_at}, status=429)
    response["Retry-After"] = str(max(1, math.ceil((unlocks_at - timezone.now()).total_seconds())))
    return response


class SignInView(auth_views.LoginView):
    """Django's sign-in page, offering the company sign-in (OIDC_ISSUER) beside the password form, or instead
    of it when LOCAL_PASSWORDS is off: then a password sent anyway is refused, whatever it is."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            **kwargs,
            local_passwords=settings.LOCAL_PASSWORDS,
            oidc_enabled=bool(settings.OIDC_ISSUER),
            oidc_provider_name=settings.OIDC_PROVIDER_NAME,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.LOCAL_PASSWORDS:
            refused = "Sign-in with a password is switched off here: use the company sign-in."
            return self.render_to_response(self.get_context_data(sign_in_error=refused), status=403)
        return super().post(request, *args, **kwargs)
