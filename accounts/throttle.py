"""How django-axes counts failed sign-ins (settings.AXES_*): by account, whatever the case it is typed
in, and by the client's address; and when a lock ends. The counts are axes' AccessAttempt rows in
PostgreSQL, so every gunicorn worker sees the same ones."""

from __future__ import annotations

import ipaddress
import unicodedata
from datetime import datetime
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone


def username_key(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account a sign-in names, as counted: normalised as the login form does (NFKC, stripped) and
    case-folded, so that 'ERIN' and 'Erin' count against erin."""
    name = credentials.get("username") if credentials else request.POST.get("username")
    if not name:
        return None
    return unicodedata.normalize("NFKC", str(name)).strip().casefold()


def client_address(request: HttpRequest) -> str | None:
    """The address a sign-in comes from: REMOTE_ADDR; behind SIGN_IN_TRUSTED_PROXIES proxies, the address
    the outermost of them saw, which it appended to X-Forwarded-For (what is left of it the client wrote)."""
    hops = settings.SIGN_IN_TRUSTED_PROXIES
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if hops and len(forwarded) >= hops:
        candidate = forwarded[-hops]
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass  # not an address: our proxies write none such, so count the proxy's own
    return request.META.get("REMOTE_ADDR")


def sign_in_unlocks_at(*, username: str | None, address: str | None) -> datetime:
    """When sign-in for this account and from this address is allowed again, at the latest: a cool-off
    after the last counted failure of each key (account, address) that has reached the limit."""
    cool_off = get_cool_off()
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off)
    ends = []
    for key in ({"username": username}, {"ip_address": address}):
        if None in key.values():
            continue
        counted = recent.filter(**key).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        if (counted["failures"] or 0) >= settings.AXES_FAILURE_LIMIT:
            ends.append(counted["last"] + cool_off)
    return max(ends, default=timezone.now() + cool_off)
