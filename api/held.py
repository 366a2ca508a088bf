"""A request held for approval, for its requester: /api/v1/held/{id} (poll its state, and its answer once sent).
Only the requester's own: anyone else's is a 404, as for the history."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.endpoints import Endpoint
from api.permissions import key_allows
from api.schema import documented_errors
from api.serializers import absolute_url
from assistant.models import HistoryEntry
from routing.approvals import get_held_for_requester
from routing.models import HeldRequest


class HeldAnswerOutput(serializers.Serializer):
    """The answer of a request that was approved and sent, as its history entry keeps it."""

    text = serializers.CharField()
    citations = serializers.ListField(child=serializers.DictField(), help_text="The passages cited, as shown.")
    route = serializers.CharField()
    backend = serializers.CharField()
    zone = serializers.CharField()
    model = serializers.CharField()
    audit_id = serializers.IntegerField(help_text="The answer's row in the audit log; feedback is posted on it.")
    history_id = serializers.IntegerField(source="id")


class HeldOutput(serializers.Serializer):
    """Where a request held for approval stands."""

    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=HeldRequest.State.values, help_text="held, approved, denied, expired, sent")
    state_label = serializers.CharField(source="get_state_display")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(help_text="Unless approved by then, it expires and nothing is sent.")
    question = serializers.CharField(help_text="As it would be sent: redacted (placeholders such as [EMAIL_1]).")
    rule = serializers.CharField(help_text="The policy rule that held it.")
    approvers = serializers.ListField(child=serializers.CharField(), help_text="Roles or groups that may approve.")
    decided_by = serializers.CharField(source="decided_by_name", help_text="Who approved or denied it, if anyone.")
    reason = serializers.CharField(help_text="The approver's reason, or why it expired.")
    answer = serializers.SerializerMethodField(help_text="Once sent: the answer; null before.")
    url = serializers.SerializerMethodField()

    @extend_schema_field(HeldAnswerOutput(allow_null=True))
    def get_answer(self, held: HeldRequest) -> dict[str, Any] | None:
        if held.state != HeldRequest.State.SENT:
            return None
        entry = HistoryEntry.objects.filter(held_request=held, owner_id=held.requester_id).first()
        return HeldAnswerOutput(entry).data if entry else None

    @extend_schema_field(serializers.URLField())
    def get_url(self, held: HeldRequest) -> str:
        return absolute_url(self.context, "api-held", held_id=held.id)


@extend_schema(
    operation_id="held_read",
    summary="A request of yours held for approval",
    description=(
        "Poll a request the policy held for approval (`ask` answered it with `held: true` and its `held_id`): "
        "its state, who decided and why, and once `sent` the answer. A denied or expired request sent nothing."
    ),
    tags=["ask"],
    responses={200: HeldOutput, **documented_errors(401, 403, 404)},
)
@api_view(["GET"])
@permission_classes([IsAuthenticated, key_allows(Endpoint.ASK)])
def held(request: Request, held_id: int) -> Response:
    try:
        found = get_held_for_requester(user=request.user, held_id=held_id)
    except HeldRequest.DoesNotExist:
        raise Http404("No such held request of yours") from None  # the same whether it exists or is someone else's
    return Response(HeldOutput(found, context={"request": request}).data)
