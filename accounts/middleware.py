"""Closes every page but the password-change page to a user who must change their password."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from accounts.http import HtmxHttpRequest

# Signing out, the probes a scraper or load balancer calls, and the change page itself. Static files
# never reach a view (ServeStatic answers them before the sessions).
OPEN_TO_ALL = frozenset({"password_change", "password_change_done", "logout", "healthz", "metrics"})


class PasswordChangeRequired:
    """A signed-in user whose must_change_password is set (an admin chose their password) is sent to the
    password-change page from any other view; an htmx request is told to go there (HX-Redirect)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HtmxHttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        # AuthenticationMiddleware and HtmxMiddleware come before this one (settings.MIDDLEWARE).
        if not getattr(request.user, "must_change_password", False):
            return None
        if request.resolver_match.url_name in OPEN_TO_ALL:
            return None
        url = reverse("password_change")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
