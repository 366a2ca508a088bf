"""Sign-in with the company's OpenID Connect provider (docs/sign-in.md), on mozilla-django-oidc.

The authorization-code flow with PKCE: /accounts/oidc/authenticate/ sends the browser to the provider, whose
answer comes back to /accounts/oidc/callback/; the code is exchanged for tokens, the ID token's signature
(from the provider's JWKS), issuer, audience and nonce are checked, and the claims (ID token and userinfo)
go through the claim mapping (accounts/claim_mapping.py) to accounts.services.sign_in_from_provider.
The provider's endpoints come from its discovery document, read once per process, on first use: nothing
here runs, and nothing is fetched, while OIDC_ISSUER is empty.

Signing out of Sluice ends the provider's session too (OpenID Connect RP-Initiated Logout 1.0) when the
provider names an end_session_endpoint: the browser goes there with the sign-in's ID token as the hint and
comes back to Sluice's sign-in page. Otherwise the next "Sign in with …" would let the same person straight
back in without a password, on a shared machine whoever comes next.
"""

from __future__ import annotations

import functools
import logging
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.claim_mapping import map_claims
from accounts.errors import SignInRefused, SignInUnavailable
from accounts.models import User
from accounts.services import sign_in_from_provider

logger = logging.getLogger(__name__)

# mozilla-django-oidc's endpoint settings, and the discovery document's names for them.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def oidc_enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def issuer_origin() -> str:
    """scheme://host[:port] of OIDC_ISSUER."""
    issuer = urlsplit(settings.OIDC_ISSUER)
    return f"{issuer.scheme}://{issuer.netloc}"


@functools.lru_cache(maxsize=8)
def provider_metadata(issuer: str) -> dict[str, Any]:
    """The provider's discovery document (OpenID Connect Discovery 1.0), kept for the process once read.
    Raises SignInUnavailable when it cannot be read, names another issuer or lacks an endpoint."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SignInUnavailable(f"The company sign-in cannot be reached ({url}: {exc})") from None
    # Discovery §4.3: the document must name the issuer it was read from, or its keys could be anyone's.
    if not isinstance(metadata, dict) or metadata.get("issuer") != issuer:
        raise SignInUnavailable(f"{url} names another issuer ({metadata.get('issuer')!r}): check OIDC_ISSUER")
    if missing := [name for name in ENDPOINTS.values() if not metadata.get(name)]:
        raise SignInUnavailable(f"{url} names no {missing[0]}")
    return metadata


def oidc_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's setting `attr`: an endpoint from the discovery document, the rest from settings."""
    if attr in ENDPOINTS:
        return provider_metadata(settings.OIDC_ISSUER)[ENDPOINTS[attr]]
    return import_from_settings(attr, *default)


class OidcBackend(OIDCAuthenticationBackend):
    """Authenticates the provider's callback only (never a password), and keeps the account in step with
    the claims on every sign-in."""

    get_settings = staticmethod(oidc_setting)
    # Django's own: an account deactivated since its session began is signed out.
    get_user = ModelBackend.get_user

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes every backend for each sign-in, by password too; the settings are read when used.
        self.UserModel = get_user_model()

    def __getattr__(self, name: str) -> Any:
        # The library's methods read their settings as attributes that its __init__ would have set.
        if name.startswith("OIDC_"):
            return oidc_setting(name, None) if name == "OIDC_RP_IDP_SIGN_KEY" else oidc_setting(name)
        raise AttributeError(name)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if not oidc_enabled():
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        # The library checks the signature, expiry and nonce; OpenID Connect Core §3.1.3.7 also wants these.
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if payload.get("iss") != settings.OIDC_ISSUER or settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token of another issuer or for another client")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):  # Core §5.3.2: else the userinfo is someone else's
            raise SuspiciousOperation("userinfo names another subject than the ID token")
        claims = {**payload, **userinfo}
        username_claim = settings.OIDC_USERNAME_CLAIM
        username = claims.get(username_claim)
        if not isinstance(username, str) or not username.strip():
            raise SignInRefused(
                f"The company sign-in sent no {username_claim!r} claim to name your account; an administrator "
                "can choose another claim with OIDC_USERNAME_CLAIM."
            )
        return sign_in_from_provider(
            subject=str(payload["sub"]),
            username=username.strip()[:150],
            email=str(claims.get("email") or "")[:254],
            access=map_claims(claims, settings.OIDC_CLAIM_MAPPING),
        )


def _problem_page(request: HttpRequest, *, title: str, message: str, status: int) -> HttpResponse:
    context = {"title": title, "message": message, "local_passwords": settings.LOCAL_PASSWORDS}
    return render(request, "registration/sign_in_problem.html", context, status=status)


def _unavailable(request: HttpRequest, message: str) -> HttpResponse:
    logger.warning("Company sign-in unavailable: %s", message)
    text = "The company sign-in cannot be reached just now. Try again in a few minutes."
    return _problem_page(request, title="Sign-in unavailable", message=text, status=503)


class OidcStart(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's authorization endpoint (404 while OIDC is off)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the endpoint is read in get(), where an unreachable provider has a page

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            raise Http404("Company sign-in is not configured")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except SignInUnavailable as exc:
            return _unavailable(request, exc.message)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class OidcCallback(OIDCAuthenticationCallbackView):
    """The provider's answer: signs the user in, or says on a page why not."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            raise Http404("Company sign-in is not configured")
        try:
            return super().get(request)
        except SignInRefused as exc:
            return _problem_page(request, title="Sign-in refused", message=exc.message, status=403)
        except SignInUnavailable as exc:
            return _unavailable(request, exc.message)
        except requests.RequestException as exc:
            return _unavailable(request, str(exc))

    def login_failure(self) -> HttpResponse:
        message = "The company sign-in did not complete (it was cancelled, or took too long). Try again."
        return _problem_page(self.request, title="Sign-in failed", message=message, status=403)


def provider_sign_out_url(request: HttpRequest) -> str | None:
    """Where the browser goes once Sluice has signed this session out, so that the provider's session ends too
    (RP-Initiated Logout 1.0 §2): None for a session signed in with a password, or when the provider names no
    end_session_endpoint or cannot be reached (Sluice's own sign-out still happens; the reason is logged)."""
    id_token = request.session.get("oidc_id_token") if oidc_enabled() else None
    if not id_token:
        return None
    try:
        endpoint = provider_metadata(settings.OIDC_ISSUER).get("end_session_endpoint")
    except SignInUnavailable as exc:
        logger.warning("Signed out of Sluice only, not of the company sign-in: %s", exc.message)
        return None
    if not endpoint:
        return None
    if not endpoint.startswith(issuer_origin() + "/"):
        # The pages' form-action allows the issuer's origin only (config.middleware.ContentSecurityPolicy).
        logger.warning("Signed out of Sluice only: the end_session_endpoint %s is not on the issuer's origin", endpoint)
        return None
    back = request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL))
    query = urlencode(
        {"id_token_hint": id_token, "post_logout_redirect_uri": back, "client_id": settings.OIDC_RP_CLIENT_ID}
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


class SignOut(auth_views.LogoutView):
    """Django's sign-out (POST only), then the provider's when the session came from it."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider = provider_sign_out_url(request)  # read before the session is flushed
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider) if provider else response
