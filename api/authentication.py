"""Who calls the API: a program with an API key (`Authorization: Bearer <key>` or `x-api-key: <key>`), or the
browser's session (DRF's SessionAuthentication, with its CSRF check), in that order. A request that sends a
key is judged by the key alone: a bad key is a 401, never a fall back to the session."""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from accounts.api_keys import authenticate_api_key
from accounts.errors import ApiKeyRejected
from accounts.models import ApiKey, User


class _KeyAuthentication(BaseAuthentication):
    """A key sent in one header; DRF tries the classes of settings.REST_FRAMEWORK in order."""

    def sent_key(self, request: Request) -> str | None:
        raise NotImplementedError

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        key = self.sent_key(request)
        if key is None:
            return None
        try:
            api_key = authenticate_api_key(key)
        except ApiKeyRejected as rejected:
            raise AuthenticationFailed(rejected.message, code=rejected.code) from None
        return api_key.user, api_key

    def authenticate_header(self, request: Request) -> str:
        # Its presence makes DRF answer 401 (not 403) to a request without credentials.
        return 'Bearer realm="sluice"'


class BearerKeyAuthentication(_KeyAuthentication):
    """`Authorization: Bearer <key>` (what the OpenAI SDK sends)."""

    def sent_key(self, request: Request) -> str | None:
        scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        return credentials.strip() or None if scheme.lower() == "bearer" else None


class HeaderKeyAuthentication(_KeyAuthentication):
    """`x-api-key: <key>` (what the Anthropic SDK sends)."""

    def sent_key(self, request: Request) -> str | None:
        return request.META.get("HTTP_X_API_KEY", "").strip() or None
