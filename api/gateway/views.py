"""The drop-in gateway endpoints: OpenAI's POST /v1/chat/completions, Anthropic's POST /v1/messages, and
GET /v1/models[/<id>] for both. Each view parses the request in its API's shape, calls the gateway service
(routing.gateway) and renders the reply or the error in that same shape. Only API keys authenticate here
(`Authorization: Bearer` or `x-api-key`): no browser session, so no CSRF token either."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.api_keys import authenticate_api_key
from accounts.errors import ApiKeyRejected
from accounts.models import ApiKey, User
from api.endpoints import Endpoint
from api.gateway import anthropic_wire, openai_wire
from api.gateway.errors import Api, GatewayError, invalid
from assistant.streaming import ThreadedStreamingResponse
from routing.chat import ToolCall
from routing.gateway import ChatAsk, ChatReply, Refusal, Route, open_chat
from routing.policy.decide import Workload
from routing.rate_limits import RateLimited

Events = Iterator[str | ToolCall | ChatReply]

WHAT_TO_DO = {
    Refusal.EMPTY: (400, "empty_request", "Send a message with text in it."),
    Refusal.POLICY: (
        403,
        "refused_by_policy",
        "The routing policy allows this request nowhere: ask an admin about the rule, with the audit id.",
    ),
    Refusal.UNAVAILABLE: (
        503,
        "no_model_available",
        "Every model the policy allows for this request is down or failed: try again later, or ask an admin "
        "to bring the on-prem model up.",
    ),
}


def _authenticate(request: HttpRequest) -> tuple[User, ApiKey]:
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    key = credentials.strip() if scheme.lower() == "bearer" else request.META.get("HTTP_X_API_KEY", "").strip()
    if not key:
        raise GatewayError(401, "not_authenticated", "Send a Sluice API key as 'Authorization: Bearer <key>' or "
                           "'x-api-key: <key>' (an admin makes one on the API keys page).")  # fmt: skip
    try:
        api_key = authenticate_api_key(key)
    except ApiKeyRejected as rejected:
        raise GatewayError(401, rejected.code, rejected.message) from None
    if api_key.endpoints and Endpoint.GATEWAY not in api_key.endpoints:
        allowed = ", ".join(api_key.endpoints)
        raise GatewayError(403, "endpoint_not_allowed", f"API key {api_key.id} may call only {allowed}, not the "
                           "gateway: ask an admin to allow it.")  # fmt: skip
    return api_key.user, api_key


def _body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"null")
    except RequestDataTooBig:
        raise GatewayError(413, "request_too_large", "The request is larger than Sluice takes: send less.") from None
    except ValueError:
        raise invalid("The body is not valid JSON: send the request as a JSON object.") from None


def _refused(reply: ChatReply) -> GatewayError:
    assert reply.refusal is not None
    status, code, what = WHAT_TO_DO[reply.refusal]
    notices = " ".join(reply.notices)
    message = f"{reply.route} {notices + ' ' if notices else ''}{what} (audit id {reply.audit_id})"
    return GatewayError(status, code, message, audit_id=reply.audit_id)


def _ascii(text: str) -> str:
    return text.encode("ascii", "replace").decode()[:500]


def _converse(
    request: HttpRequest,
    api: Api,
    parse: Callable[..., ChatAsk],
    whole: Callable[[ChatReply, ChatAsk], dict[str, Any]],
    stream: Callable[[Events, ChatAsk, dict[str, Any]], Iterator[bytes]],
) -> HttpResponse:
    """One conversation turn through the gate, answered in `api`'s shape."""
    try:
        if request.method != "POST":
            raise GatewayError(405, "method_not_allowed", "Use POST.")
        user, api_key = _authenticate(request)
        if api == Api.ANTHROPIC and "HTTP_ANTHROPIC_VERSION" not in request.META:
            raise invalid("The anthropic-version header is required (the SDK sends it).")
        body = _body(request)
        ask = parse(body, classification=request.headers.get("X-Sluice-Classification"))
        workload = user.service_workload if user.is_service and user.service_workload else Workload.INTERACTIVE
        turn = open_chat(ask, acting_user=user, api_key=api_key, workload=workload)
    except GatewayError as error:
        return error.response(api)
    except RateLimited as limited:
        return GatewayError(429, "rate_limited", limited.message, retry_after=limited.retry_after).response(api)
    events = turn.events()
    # The first event decides the status: a refusal, or every allowed model failing before a word was
    # written, is an error the SDK raises as such; anything else is a 200.
    first = next(events)
    if isinstance(first, ChatReply) and first.refusal is not None:
        return _refused(first).response(api)
    if ask.stream:
        response = ThreadedStreamingResponse(
            stream(itertools.chain([first], events), ask, body), content_type="text/event-stream"
        )
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response
    reply = first if isinstance(first, ChatReply) else next(e for e in events if isinstance(e, ChatReply))
    if reply.refusal is not None:
        return _refused(reply).response(api)
    response = JsonResponse(whole(reply, ask))
    response["X-Sluice-Audit-Id"] = str(reply.audit_id)
    response["X-Sluice-Route"] = _ascii(reply.route)
    return response


@csrf_exempt
def chat_completions(request: HttpRequest) -> HttpResponse:
    """OpenAI's chat completions, streaming (server-sent chunks) or not."""

    def stream(events: Events, ask: ChatAsk, body: dict[str, Any]) -> Iterator[bytes]:
        return openai_wire.chunks(events, ask, usage=openai_wire.wants_usage(body))

    return _converse(request, Api.OPENAI, openai_wire.parse, openai_wire.completion, stream)


@csrf_exempt
def messages(request: HttpRequest) -> HttpResponse:
    """Anthropic's Messages API, streaming or not. The anthropic-version header is required, as Anthropic
    requires it."""

    def stream(events: Events, ask: ChatAsk, body: dict[str, Any]) -> Iterator[bytes]:
        return anthropic_wire.events(events, ask, message_id=f"msg_sluice_{id(events):x}")

    return _converse(request, Api.ANTHROPIC, anthropic_wire.parse, anthropic_wire.message, stream)


CREATED = 1_767_225_600  # 2026-01-01: when these routes were first served (both APIs want a date)


def _model(route: Route) -> dict[str, Any]:
    """One route as both SDKs read a model: OpenAI's id/object/created/owned_by, Anthropic's
    type/id/display_name/created_at."""
    return {
        "id": str(route),
        "object": "model",
        "created": CREATED,
        "owned_by": "sluice",
        "type": "model",
        "display_name": route.description,
        "created_at": "2026-01-01T00:00:00Z",
    }


@csrf_exempt
def models(request: HttpRequest, model_id: str | None = None) -> HttpResponse:
    """The routes a caller may name as its `model`, listed as each SDK expects (one body serves both)."""
    api = Api.of(request)
    try:
        if request.method != "GET":
            raise GatewayError(405, "method_not_allowed", "Use GET.")
        _authenticate(request)
        if model_id is not None:
            names = ", ".join(r.value for r in Route)
            if model_id not in Route.__members__.values():
                raise GatewayError(404, "model_not_found", f"No model {model_id!r} here: Sluice's models are {names}.")
            return JsonResponse(_model(Route(model_id)))
    except GatewayError as error:
        return error.response(api)
    data = [_model(r) for r in Route]
    return JsonResponse(
        {"object": "list", "data": data, "has_more": False, "first_id": data[0]["id"], "last_id": data[-1]["id"]}
    )


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """Any other /v1/ path: a 404 in the API's own shape. Nothing is passed through uninspected."""
    api = Api.of(request)
    try:
        _authenticate(request)
    except GatewayError as error:
        return error.response(api)
    message = (
        f"Sluice's gateway does not serve {request.method} {request.path}: it serves POST /v1/chat/completions, "
        "POST /v1/messages and GET /v1/models."
    )
    return GatewayError(404, "not_found", message).response(api)
