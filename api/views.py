"""The REST API's ask and search, /api/v1/. Each view parses, calls the service the pages call, and renders
JSON. The other areas have modules of their own: documents, audit_events, policy, history."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.endpoints import Endpoint
from api.negotiation import JsonUnlessStreaming
from api.permissions import key_allows
from api.schema import documented_errors
from api.serializers import AnswerOutput, AskInput, SearchInput, SearchOutput
from assistant.models import Conversation
from assistant.services import KeptAnswer, answer_question, stream_answer
from assistant.streaming import ThreadedStreamingResponse, answer_events
from retrieval.selectors import get_reader, search_passages
from routing.policy.decide import Workload


def _wants_stream(request: Request) -> bool:
    return request.query_params.get("stream") in ("1", "true") or "text/event-stream" in request.headers.get(
        "Accept", ""
    )


def _workload(request: Request, asked: str | None) -> str:
    """A service account asks as its own workload; others as they say (interactive by default)."""
    declared = request.user.service_workload if request.user.is_service else ""
    if declared and asked and asked != declared:
        raise ValidationError({"workload": [f"This service account asks as {declared!r}: leave workload out."]})
    return declared or asked or Workload.INTERACTIVE


@extend_schema(
    operation_id="ask",
    summary="Ask a question through the gate",
    description=(
        "Answers from the documents the caller may read, through the routing policy, and keeps the answer in "
        "the caller's history. A refusal or a withheld answer is a 200 with `refused` or `withheld` set. With "
        "`Accept: text/event-stream` or `?stream=1` the answer streams as server-sent events: `delta` "
        '({"text"}), `restart` ({"reason"}: the answer is being written again), then `final` (the answer '
        'record below), or `error` ({"message"}) if it was written but cannot be shown.'
    ),
    request=AskInput,
    parameters=[OpenApiParameter("stream", OpenApiTypes.BOOL, description="Stream as server-sent events.")],
    responses={
        (200, "application/json"): AnswerOutput,
        (200, "text/event-stream"): OpenApiResponse(OpenApiTypes.STR, description="delta, restart, final events"),
        **documented_errors(400, 401, 403, 404, 415, 429),
    },
    examples=[
        OpenApiExample("a question", value={"question": "How do I roll back a bad deploy?"}, request_only=True),
        OpenApiExample(
            "a follow-up", value={"question": "And who approves that?", "conversation": 12}, request_only=True
        ),
    ],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated, key_allows(Endpoint.ASK)])
def ask(request: Request) -> HttpResponse:
    given = AskInput(data=request.data)
    given.is_valid(raise_exception=True)
    question = given.validated_data["question"]
    workload = _workload(request, given.validated_data.get("workload"))
    asked = {
        "question": question,
        "acting_user": request.user,
        "workload": workload,
        "api_key": request.auth,
        "conversation_id": given.validated_data.get("conversation"),
    }
    context = {"request": request}
    try:
        if not _wants_stream(request):
            return Response(AnswerOutput(answer_question(**asked), context=context).data)
        events = stream_answer(**asked)
    except Conversation.DoesNotExist:
        raise NotFound("No such conversation of yours: leave `conversation` out to start a new one.") from None

    def final(kept: KeptAnswer) -> dict[str, Any]:
        return AnswerOutput(kept, context=context).data

    return ThreadedStreamingResponse(
        answer_events(events, final),
        content_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


ask.cls.content_negotiation_class = JsonUnlessStreaming


@extend_schema(
    operation_id="search",
    summary="Search the passages the caller may read",
    description="Hybrid search (vector and BM25); the access filter is in the query, so nothing else is seen.",
    parameters=[SearchInput],
    responses={200: SearchOutput, **documented_errors(400, 401, 403)},
)
@api_view(["GET"])
@permission_classes([IsAuthenticated, key_allows(Endpoint.SEARCH)])
def search(request: Request) -> Response:
    given = SearchInput(data=request.query_params)
    given.is_valid(raise_exception=True)
    found = search_passages(get_reader(request.user), given.validated_data["q"], k=given.validated_data["k"])
    return Response(SearchOutput(found, context={"request": request}).data)
