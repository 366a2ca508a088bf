"""Project middleware."""

from __future__ import annotations

from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


def no_store_when_signed_in(get_response: Callable[[HttpRequest], HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Pages for a signed-in user hold their questions, answers and what they may read: no shared or
    disk cache may keep them, unless the view chose a Cache-Control of its own."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware


class ContentSecurityPolicy(CSPMiddleware):
    """django-csp's, with the company sign-in's origin added to form-action while OIDC is on. The sign-out
    form's answer redirects to the provider's end-session endpoint (accounts.oidc.SignOut), and browsers hold
    every redirect of a form's submission to form-action. The origin comes from OIDC_ISSUER, with no request
    to the provider."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        from accounts.oidc import issuer_origin  # the sign-in's module, loaded with the URLs anyway

        if settings.OIDC_ISSUER and not report_only:
            parts.update = {**(parts.update or {}), "form-action": issuer_origin()}
        return parts
