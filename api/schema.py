"""What the OpenAPI schema says of the API key authentication (drf-spectacular finds each extension by its
target class), of the errors each operation can answer, and of the filters the API shares with a page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.choices import CallableChoiceIterator
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from accounts.clearance import Classification
from api.serializers import ErrorOutput


class BearerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerKeyAuthentication"
    name = "bearerKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "description": "An API key: `Authorization: Bearer <key>`."}


class HeaderKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.HeaderKeyAuthentication"
    name = "headerKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "header", "name": "x-api-key", "description": "An API key: `x-api-key: <key>`."}


# How a filter form's data class reads (the pages' forms send the number).
CLASS_BY_NUMBER = "A data class by its number: " + ", ".join(f"{c.value} {c.label}" for c in Classification) + "."

# What each error status of the API means, as the schema documents it on each operation.
ERROR_STATUSES = {
    400: "invalid_request: the body or the query is not valid; `fields` says which.",
    401: "not_authenticated, key_invalid, key_revoked or key_expired.",
    403: "csrf_failed (a browser session without its token), forbidden (the caller's role may not) or "
    "endpoint_not_allowed (the key may not call this endpoint).",
    404: "not_found: no such object that the caller may see (the same answer whether it exists or not), or no "
    "such page of a list.",
    415: "unsupported_media_type: send the body in the content type this operation names.",
    429: "rate_limited: wait `Retry-After` seconds.",
}


def documented_errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """The error responses of an operation, each with the one error body (ErrorOutput)."""
    return {status: OpenApiResponse(ErrorOutput, description=ERROR_STATUSES[status]) for status in statuses}


def _parameter_type(field: forms.Field) -> Any:
    if isinstance(field, forms.DateField):
        return OpenApiTypes.DATE
    if isinstance(field, forms.IntegerField):
        return OpenApiTypes.INT
    return OpenApiTypes.STR


def form_parameters(form_class: type[forms.Form], **descriptions: str) -> list[OpenApiParameter]:
    """The query parameters of a page's filter form, so that the API documents the filters the page has
    from their one definition: each field's type, its choices (the values sent, not their labels) and its
    help text, or the description given here by name."""
    parameters = []
    for name, field in form_class.base_fields.items():
        listed = getattr(field, "choices", [])
        # Choices read at request time (the active policy's workloads) are not fixed: no enum for them.
        fixed = [] if isinstance(listed, CallableChoiceIterator) else listed
        choices = [str(value) for value, _ in fixed if value not in ("", None)]
        parameters.append(
            OpenApiParameter(
                name,
                _parameter_type(field),
                description=descriptions.get(name) or str(field.help_text or field.label or ""),
                enum=choices or None,
            )
        )
    return parameters
