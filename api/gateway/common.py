"""What both gateway APIs share when parsing a request: the route a `model` names, the class a caller
declares, numbers and lists checked with a message that names the parameter."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from accounts.clearance import Classification
from api.gateway.errors import GatewayError, invalid
from routing.chat import Chat
from routing.gateway import ChatReply, Route

# The kinds of content the gate cannot read: refused, never passed on uninspected.
UNINSPECTABLE = "The gate inspects text only: {what} cannot be inspected, so it is not sent anywhere. Send text."


def route_of(model: Any) -> Route:
    if not isinstance(model, str) or not model:
        raise invalid("`model` is required: use sluice-auto (the policy decides) or sluice-onprem.", "model")
    try:
        return Route(model)
    except ValueError:
        names = ", ".join(r.value for r in Route)
        raise GatewayError(
            404, "model_not_found", f"The model {model!r} does not exist here: Sluice's models are {names}.", "model"
        ) from None


def declared_class(value: str | None) -> Classification | None:
    """The X-Sluice-Classification header: it may raise the class of a request, never lower it."""
    if value is None or not value.strip():
        return None
    try:
        return Classification.parse(value)
    except ValueError as exc:
        raise invalid(f"X-Sluice-Classification: {exc}.", "X-Sluice-Classification") from None


def optional_number(body: dict[str, Any], name: str, *, low: float, high: float) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise invalid(f"`{name}` must be a number from {low:g} to {high:g}.", name)
    return float(value)


def optional_tokens(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid(f"`{name}` must be a whole number of tokens, at least 1.", name)
    return value


def stop_list(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise invalid(f"`{name}` must be a string or a list of strings.", name)


def unknown_fields(body: dict[str, Any], known: frozenset[str]) -> None:
    """A parameter Sluice does not implement is refused, never dropped silently."""
    extra = sorted(set(body) - known)
    if extra:
        raise invalid(
            f"Sluice's gateway does not support {', '.join(extra)}: leave {'it' if len(extra) == 1 else 'them'} out.",
            extra[0],
        )


def tool_schema(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {"type": "object", "properties": {}}
    if not isinstance(value, dict):
        raise invalid(f"`{name}` must be a JSON schema object.", name)
    return value


def sluice_extra(reply: ChatReply) -> dict[str, Any]:
    """What Sluice adds to a reply (as the `sluice` field, which the SDKs keep as an extra): the audit id,
    where it was answered and why, what the user must be told, what was redacted before it left."""
    return {
        "audit_id": reply.audit_id,
        "route": reply.route,
        "notices": list(reply.notices),
        "redacted": reply.redacted,
    }


def within_size(chat: Chat) -> Chat:
    """The conversation, if its text is within GATEWAY_MAX_CHARS: every character is inspected on-prem."""
    size = sum(len(text) for text in chat.texts())
    if size > settings.GATEWAY_MAX_CHARS:
        raise GatewayError(
            413, "request_too_large",
            f"The request carries {size:,} characters of text; Sluice inspects at most {settings.GATEWAY_MAX_CHARS:,} "
            "per request: send less (earlier turns, long tool results).",
        )  # fmt: skip
    return chat
