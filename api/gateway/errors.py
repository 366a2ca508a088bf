"""Errors of the gateway endpoints, each in its API's own shape and status, so the official SDKs raise their
usual exception types: OpenAI's {"error": {"message", "type", "param", "code"}}, Anthropic's
{"type": "error", "error": {"type", "message"}}. Which API a request speaks is told by its path, and for
the paths both share (/v1/models) by Anthropic's required `anthropic-version` header."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.http import HttpRequest, HttpResponse


class Api(StrEnum):
    OPENAI = "openai"
    ANTHROPIC = "anthropic"

    @classmethod
    def of(cls, request: HttpRequest) -> Api:
        if request.path.startswith("/v1/messages") or "HTTP_ANTHROPIC_VERSION" in request.META:
            return cls.ANTHROPIC
        return cls.OPENAI


# status -> (OpenAI type, Anthropic type)
TYPES = {
    400: ("invalid_request_error", "invalid_request_error"),
    401: ("invalid_request_error", "authentication_error"),
    403: ("permission_error", "permission_error"),
    404: ("invalid_request_error", "not_found_error"),
    405: ("invalid_request_error", "invalid_request_error"),
    413: ("invalid_request_error", "request_too_large"),
    429: ("rate_limit_error", "rate_limit_error"),
    500: ("server_error", "api_error"),
    503: ("server_error", "overloaded_error"),
}


@dataclass(frozen=True)
class GatewayError(Exception):
    """A request the gateway answers with an error: `status` as OpenAI would send it (Anthropic's
    overloaded is 529 where OpenAI's is 503), a stable `code`, a `message` that says what to do, the
    parameter at fault, the audit id where a row was written, and a Retry-After in seconds."""

    status: int
    code: str
    message: str
    param: str | None = None
    audit_id: int | None = None
    retry_after: int | None = None

    def response(self, api: Api) -> HttpResponse:
        openai_type, anthropic_type = TYPES.get(self.status, TYPES[500])
        status = self.status
        if api == Api.ANTHROPIC:
            status = 529 if self.status == 503 else self.status
            body: dict[str, Any] = {"type": "error", "error": {"type": anthropic_type, "message": self.message}}
            body["error"] |= {"sluice_code": self.code}
        else:
            body = {"error": {"message": self.message, "type": openai_type, "param": self.param, "code": self.code}}
        if self.audit_id is not None:
            body["error"]["sluice_audit_id"] = self.audit_id
        response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
        if self.audit_id is not None:
            response["X-Sluice-Audit-Id"] = str(self.audit_id)
            response["request-id"] = f"sluice-audit-{self.audit_id}"
        if self.retry_after is not None:
            response["Retry-After"] = str(self.retry_after)
        return response


def invalid(message: str, param: str | None = None) -> GatewayError:
    return GatewayError(400, "invalid_request", message, param=param)
