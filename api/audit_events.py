"""The auditors' log through the API, /api/v1/audit/: the events filtered as the query log filters them, one
event in full, the CSV and JSONL exports (streamed, as the page's export links), and the chain check. Only
auditors, as on the pages: admins run the system whose traffic the log records."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.roles import Role
from api.endpoints import Endpoint
from api.errors import check_form
from api.negotiation import JsonUnlessStreaming
from api.pagination import PAGE_PARAMETERS, paginate, paginated
from api.permissions import key_allows, role_is
from api.schema import CLASS_BY_NUMBER, documented_errors, form_parameters
from api.serializers import absolute_url
from audit.exports import export_audit_log
from audit.forms import AuditFilterForm
from audit.selectors import (
    answering_zone,
    class_label,
    filter_audit_events,
    get_audit_event,
    route_label,
    verify_audit_chain,
)
from routing.models import AuditEvent

AUDITORS = [IsAuthenticated, key_allows(Endpoint.AUDIT), role_is(Role.AUDITOR)]
TAG = ["audit"]
FILTERS = form_parameters(
    AuditFilterForm,
    data_class=CLASS_BY_NUMBER,
    fallback="yes: answered by a fallback target; no: by the first.",
    cache_hit="yes: the answer was reused from the cache.",
    date_from="From this day (YYYY-MM-DD, the site's time zone).",
    date_to="To this day, inclusive.",
)


def _filters(request: Request) -> dict[str, Any]:
    # The query log's own form: the same filters, the same rules (an end date before the start is refused).
    form = AuditFilterForm(request.query_params)
    check_form(form)
    return form.filters()


class AuditEventOutput(serializers.Serializer):
    """A row of the query log."""

    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    username = serializers.CharField()
    role = serializers.CharField()
    workload = serializers.CharField()
    team = serializers.CharField(help_text="Whose budget paid; empty for none.")
    api_key_id = serializers.IntegerField(allow_null=True, help_text="The key it was asked with, if any.")
    api_key_name = serializers.CharField()
    data_class = serializers.SerializerMethodField()
    outcome = serializers.ChoiceField(choices=AuditEvent.Outcome.values)
    route = serializers.SerializerMethodField(help_text='"claude · cloud", or "refused", "cut off", "no model".')
    zone = serializers.SerializerMethodField(help_text="The zone of the target that answered.")
    backend = serializers.CharField()
    model = serializers.CharField()
    fallback_used = serializers.BooleanField()
    cache_hit = serializers.BooleanField()
    cost_usd = serializers.FloatField()
    latency_ms = serializers.FloatField()
    policy_version = serializers.CharField()
    question = serializers.CharField(help_text="Redacted: the log never holds what the findings replaced.")
    url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_data_class(self, event: AuditEvent) -> str:
        return class_label(event.data_class)

    @extend_schema_field(serializers.CharField())
    def get_route(self, event: AuditEvent) -> str:
        return route_label(event)

    @extend_schema_field(serializers.CharField())
    def get_zone(self, event: AuditEvent) -> str:
        return answering_zone(event)

    @extend_schema_field(serializers.URLField())
    def get_url(self, event: AuditEvent) -> str:
        return absolute_url(self.context, "api-audit-event", event_id=event.id)


class AuditFeedbackOutput(serializers.Serializer):
    username = serializers.CharField()
    vote = serializers.CharField(help_text="up or down.")
    comment = serializers.CharField(help_text="Redacted.")
    updated_at = serializers.DateTimeField()


class AuditEventDetailOutput(AuditEventOutput):
    """One request in full: what the page shows, the columns of the exports, and the asker's feedback."""

    refusal_reason = serializers.CharField()
    findings = serializers.DictField(child=serializers.IntegerField(), help_text="Counts by kind, never values.")
    redacted = serializers.DictField(child=serializers.IntegerField(), help_text="Counts by kind of what was replaced.")
    passages = serializers.ListField(child=serializers.DictField(), help_text="The passages sent, as recorded.")
    decision = serializers.DictField(help_text="The policy's Decision: action, rule, targets, reasons…")
    attempts = serializers.ListField(child=serializers.DictField(), help_text="Each target tried, in order.")
    prev_hash = serializers.CharField()
    row_hash = serializers.CharField()
    hash_version = serializers.IntegerField()
    feedback = AuditFeedbackOutput(many=True, source="feedback.all")


class ChainReportOutput(serializers.Serializer):
    ok = serializers.BooleanField(help_text="The whole chain matched, and the exported head if there is one.")
    rows = serializers.IntegerField(help_text="Rows checked.")
    first_bad_id = serializers.IntegerField(allow_null=True, help_text="The first row that does not match.")
    problem = serializers.CharField(help_text="What is wrong, in a sentence; empty when ok.")
    bad_row_gone = serializers.BooleanField(help_text="The row named no longer exists (deleted from the end).")
    head_id = serializers.IntegerField(allow_null=True, help_text="The exported head checked against, if any.")
    head_at = serializers.CharField()
    head_note = serializers.CharField(help_text="Why no head was checked, if none was.")


@extend_schema(
    operation_id="audit_events_list",
    summary="The query log",
    description="Every request the gate recorded, newest first, filtered as the query log page filters.",
    tags=TAG,
    parameters=[*FILTERS, *PAGE_PARAMETERS],
    responses={200: paginated(AuditEventOutput), **documented_errors(400, 401, 403, 404)},
)
@api_view(["GET"])
@permission_classes(AUDITORS)
def audit_events(request: Request) -> Response:
    return paginate(request, filter_audit_events(_filters(request)), AuditEventOutput)


@extend_schema(
    operation_id="audit_events_read",
    summary="One request in full",
    tags=TAG,
    responses={200: AuditEventDetailOutput, **documented_errors(401, 403, 404)},
)
@api_view(["GET"])
@permission_classes(AUDITORS)
def audit_event(request: Request, event_id: int) -> Response:
    return Response(AuditEventDetailOutput(get_audit_event(event_id=event_id), context={"request": request}).data)


def _export_schema(extension: str, content_type: str) -> Any:
    return extend_schema(
        operation_id=f"audit_events_export_{extension}",
        summary=f"Export the filtered log as {extension.upper()}",
        description=(
            "The rows the same filters select, every column, streamed row by row as a download (as the query "
            "log's export link). A CSV cell a spreadsheet would run as a formula starts with an apostrophe."
        ),
        tags=TAG,
        parameters=FILTERS,
        responses={
            (200, content_type): OpenApiResponse(OpenApiTypes.STR, description="The file."),
            **documented_errors(400, 401, 403),
        },
    )


def _export(request: Request, extension: str) -> HttpResponse:
    return export_audit_log(filters=_filters(request), extension=extension)


@_export_schema("csv", "text/csv")
@api_view(["GET"])
@permission_classes(AUDITORS)
def export_csv(request: Request) -> HttpResponse:
    return _export(request, "csv")


@_export_schema("jsonl", "application/x-ndjson")
@api_view(["GET"])
@permission_classes(AUDITORS)
def export_jsonl(request: Request) -> HttpResponse:
    return _export(request, "jsonl")


export_csv.cls.content_negotiation_class = JsonUnlessStreaming
export_jsonl.cls.content_negotiation_class = JsonUnlessStreaming


@extend_schema(
    operation_id="audit_verify",
    summary="Verify the hash chain",
    description=(
        "Walks the whole chain and checks it against the last exported head, as the page's button and the "
        "`verify_audit` command do; names the first problem. Writes nothing. Send no body."
    ),
    tags=TAG,
    request=None,
    responses={200: ChainReportOutput, **documented_errors(401, 403)},
)
@api_view(["POST"])
@permission_classes(AUDITORS)
def verify(request: Request) -> Response:
    return Response(ChainReportOutput(verify_audit_chain()).data)
