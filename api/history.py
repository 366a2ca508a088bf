"""A caller's own history through the API, /api/v1/history, and their feedback on an answer they were given.
Every read filters on the owner in SQL, as the history pages' do: anyone else's entry or answer is a 404."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.endpoints import Endpoint
from api.pagination import PAGE_PARAMETERS, paginate, paginated
from api.permissions import key_allows
from api.schema import documented_errors
from api.serializers import absolute_url
from assistant.forms import FeedbackForm
from assistant.models import Feedback, HistoryEntry
from assistant.selectors import HISTORY_QUERY_MAX, clean_history_query, filter_history, get_history_entry
from assistant.services import record_feedback
from routing.models import AuditEvent

TAG = ["history"]


class HistoryEntryOutput(serializers.Serializer):
    """A question the caller asked and the answer they were shown."""

    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    question = serializers.CharField(help_text="As typed: the history is the one place it is kept so.")
    text = serializers.CharField(help_text="The answer as shown.")
    route = serializers.CharField(help_text="Where it was answered and why.")
    backend = serializers.CharField()
    zone = serializers.CharField()
    model = serializers.CharField()
    refused = serializers.BooleanField()
    fell_back = serializers.BooleanField()
    cut_off = serializers.BooleanField()
    cache_hit = serializers.BooleanField()
    latency_ms = serializers.FloatField()
    audit_id = serializers.IntegerField(help_text="The request in the audit log; feedback is posted on it.")
    url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField())
    def get_url(self, entry: HistoryEntry) -> str:
        return absolute_url(self.context, "api-history-entry", entry_id=entry.id)


class FeedbackOutput(serializers.Serializer):
    audit_id = serializers.IntegerField(source="audit_event_id")
    vote = serializers.ChoiceField(choices=Feedback.Vote.values)
    comment = serializers.CharField(help_text="Redacted: findings replaced by placeholders, never as typed.")
    comment_findings = serializers.DictField(child=serializers.IntegerField(), help_text="What was replaced, by kind.")
    updated_at = serializers.DateTimeField()


class HistoryEntryDetailOutput(HistoryEntryOutput):
    citations = serializers.ListField(child=serializers.DictField(), help_text="The passages cited, as shown then.")
    notices = serializers.ListField(child=serializers.CharField())
    redacted = serializers.DictField(
        child=serializers.IntegerField(), help_text="Counts by kind of what was replaced before the request left."
    )
    feedback = FeedbackOutput(allow_null=True, help_text="Your feedback on this answer, if any.")


@extend_schema(
    operation_id="history_list",
    summary="Your history",
    description="Your own questions and answers, newest first.",
    tags=TAG,
    parameters=[
        OpenApiParameter(
            "q",
            OpenApiTypes.STR,
            description=f"Words of the question (full-text, or a plain substring; at most {HISTORY_QUERY_MAX}).",
        ),
        *PAGE_PARAMETERS,
    ],
    responses={200: paginated(HistoryEntryOutput), **documented_errors(400, 401, 403, 404)},
)
@api_view(["GET"])
@permission_classes([IsAuthenticated, key_allows(Endpoint.HISTORY)])
def history(request: Request) -> Response:
    query = clean_history_query(request.query_params.get("q", ""))
    return paginate(request, filter_history(owner=request.user, query=query), HistoryEntryOutput)


@extend_schema(
    operation_id="history_read",
    summary="One entry of your history",
    tags=TAG,
    responses={200: HistoryEntryDetailOutput, **documented_errors(401, 403, 404)},
)
@api_view(["GET"])
@permission_classes([IsAuthenticated, key_allows(Endpoint.HISTORY)])
def history_entry(request: Request, entry_id: int) -> Response:
    entry = get_history_entry(owner=request.user, entry_id=entry_id)
    return Response(HistoryEntryDetailOutput(entry, context={"request": request}).data)


class FeedbackInput(serializers.Serializer):
    vote = serializers.ChoiceField(choices=Feedback.Vote.values, help_text="up: helpful; down: not helpful.")
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=FeedbackForm.base_fields["comment"].max_length,
        help_text="Optional; stored redacted.",
    )


@extend_schema(
    operation_id="feedback",
    summary="Feedback on an answer you were given",
    description="Your vote and an optional comment on the answer of this audited request; a second post "
    "replaces the first. The auditors see it with the request, the comment redacted.",
    tags=TAG,
    request=FeedbackInput,
    responses={200: FeedbackOutput, **documented_errors(400, 401, 403, 404, 415)},
)
@api_view(["POST"])
@permission_classes([IsAuthenticated, key_allows(Endpoint.FEEDBACK)])
def feedback(request: Request, audit_id: int) -> Response:
    given = FeedbackInput(data=request.data)
    given.is_valid(raise_exception=True)
    try:
        saved = record_feedback(audit_id=audit_id, acting_user=request.user, **given.validated_data)
    except AuditEvent.DoesNotExist:
        raise Http404("No such answer of yours") from None  # the same whether it exists or is someone else's
    return Response(FeedbackOutput(saved).data)
