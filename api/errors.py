"""Every error of the API as one JSON shape: a stable `code`, a `message` that says what to do, `fields`
for invalid input, and `audit_id` where an audit row was written. settings.REST_FRAMEWORK names
handle_exception as DRF's exception handler."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from routing.rate_limits import RateLimited

logger = logging.getLogger(__name__)

# The codes a client can rely on (docs/api.md lists them with what to do).
CODES = (
    "not_authenticated",
    "key_invalid",
    "key_revoked",
    "key_expired",
    "csrf_failed",
    "forbidden",
    "endpoint_not_allowed",
    "invalid_request",
    "not_found",
    "method_not_allowed",
    "not_acceptable",
    "unsupported_media_type",
    "rate_limited",
    "server_error",
)

NOT_AUTHENTICATED = (
    "Send an API key as 'Authorization: Bearer <key>' or 'x-api-key: <key>', "
    "or sign in to use the API from the browser."
)
CSRF_FAILED = (
    "A signed-in browser must send the CSRF token (the csrftoken cookie) in the X-CSRFToken header; "
    "programs should send an API key instead."
)


def error(code: str, message: str, status_code: int, **extra: Any) -> Response:
    return Response({"code": code, "message": message, **extra}, status=status_code)


def handle_exception(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RateLimited):
        response = error("rate_limited", exc.message, status.HTTP_429_TOO_MANY_REQUESTS)
        response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        # The API's top level: the client gets JSON, the log gets the traceback.
        logger.exception("API request failed")
        return error(
            "server_error",
            "Sluice failed to handle this request. Try again; if it fails again, tell an admin the time.",
            status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    response = exception_handler(exc, context)
    if response is None:  # pragma: no cover - every APIException gets a response
        return None
    response.data = _body(exc)
    return response


def _body(exc: exceptions.APIException) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        listed = "; ".join(f"{name}: {' '.join(str(m) for m in _messages(msgs))}" for name, msgs in fields.items())
        return {"code": "invalid_request", "message": f"Fix the request: {listed}", "fields": fields}
    if isinstance(exc, exceptions.NotAuthenticated):
        return {"code": "not_authenticated", "message": NOT_AUTHENTICATED}
    code = exc.get_codes() if isinstance(exc.get_codes(), str) else "invalid_request"
    message = str(exc.detail)
    if isinstance(exc, exceptions.PermissionDenied) and message.startswith("CSRF Failed"):
        return {"code": "csrf_failed", "message": CSRF_FAILED}
    if isinstance(exc, exceptions.AuthenticationFailed) and code not in CODES:
        code = "key_invalid"
    renamed = {"permission_denied": "forbidden", "parse_error": "invalid_request", "error": "invalid_request"}
    return {"code": renamed.get(code, code), "message": message}


def _messages(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def check_form(form: Any) -> None:
    """Raise the API's invalid_request for a bound Django form of a page that is not valid, naming each
    field's problems, so the API applies the page's own rules to the same input."""
    if not form.is_valid():
        raise exceptions.ValidationError({name: list(messages) for name, messages in form.errors.items()})
