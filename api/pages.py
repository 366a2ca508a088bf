"""The admins' API keys page (/manage/keys/): every key, a new service account key shown once, revoking."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.api_keys import issue_service_key, list_api_keys, revoke_api_key
from accounts.errors import AccountError
from accounts.models import ApiKey
from accounts.permissions import role_required
from accounts.roles import Role
from api.forms import ServiceKeyForm


@never_cache  # the answer to a POST shows a key once: no cache may keep it
@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def keys(request: HttpRequest) -> HttpResponse:
    form = ServiceKeyForm(request.POST if request.method == "POST" else None)
    issued = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        days = data["expires_days"]
        try:
            issued = issue_service_key(
                acting_user=request.user,
                service=data["service"],
                key_name=data["key_name"],
                team=data["team"],
                workload=data["workload"],
                clearance=data["clearance"],
                groups=list(data["groups"]),
                endpoints=data["endpoints"],
                expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
            )
        except AccountError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            form = ServiceKeyForm()
    status = 422 if form.is_bound and form.errors else 200
    context = {"form": form, "keys": list_api_keys(), "issued": issued}
    return render(request, "api/keys.html", context, status=status)


@require_POST
@role_required(Role.ADMIN)
def key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    try:
        revoke_api_key(key_id=key_id)
    except ApiKey.DoesNotExist:
        raise Http404("No such API key") from None
    return redirect("keys")
