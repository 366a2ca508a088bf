"""The admins' policy tools through the API, /api/v1/policy/: simulate a draft against the recorded traffic
(the policy editor's replay) and explain how a policy decides one described request (`route_explain`). Both
only read: no model is called, nothing is written."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.roles import Role
from api.endpoints import Endpoint
from api.permissions import key_allows, role_is
from api.schema import documented_errors
from api.serializers import ClassificationField
from governance.forms import MAX_POLICY_CHARS, REPLAY_DEFAULT, REPLAY_MAX, read_policy_draft
from governance.services import Route, RouteChange, replay_audited_requests
from routing.explain import explain_request
from routing.policy.decide import Action, OnFailure, Policy, Workload, Zone
from routing.policy.loader import PolicyError
from routing.policy.versions import get_active_policy

ADMINS = [IsAuthenticated, key_allows(Endpoint.POLICY), role_is(Role.ADMIN)]
TAG = ["policy"]


class DraftField(serializers.CharField):
    """A policy's YAML, read as the editor reads a draft; the draft itself inside (a Policy)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=MAX_POLICY_CHARS, trim_whitespace=False, **kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Policy:
        text = super().run_validation(data)  # its length checked first
        try:
            return read_policy_draft(text)[1]
        except PolicyError as e:
            raise serializers.ValidationError([str(problem) for problem in e.errors]) from None


class TargetOutput(serializers.Serializer):
    name = serializers.CharField()
    zone = serializers.ChoiceField(choices=Zone.values)


def _targets(route: Route) -> list[dict[str, str]]:
    return [{"name": name, "zone": zone} for name, zone in route]


class SimulateInput(serializers.Serializer):
    policy = DraftField(help_text="The draft policy (YAML), as the editor takes it.")
    limit = serializers.IntegerField(
        min_value=1, max_value=REPLAY_MAX, default=REPLAY_DEFAULT, help_text="The newest audited requests to replay."
    )


class RouteChangeOutput(serializers.Serializer):
    event_id = serializers.IntegerField(help_text="The audited request.")
    created_at = serializers.DateTimeField()
    username = serializers.CharField()
    old_rule = serializers.CharField(allow_null=True)
    old_action = serializers.CharField()
    old_targets = serializers.SerializerMethodField()
    new_rule = serializers.CharField(allow_null=True)
    new_action = serializers.CharField()
    new_targets = serializers.SerializerMethodField()

    @extend_schema_field(TargetOutput(many=True))
    def get_old_targets(self, change: RouteChange) -> list[dict[str, str]]:
        return _targets(change.old_route)

    @extend_schema_field(TargetOutput(many=True))
    def get_new_targets(self, change: RouteChange) -> list[dict[str, str]]:
        return _targets(change.new_route)


class TargetHealthOutput(serializers.Serializer):
    name = serializers.CharField()
    zone = serializers.CharField()
    why_down = serializers.CharField()


class SimulationOutput(serializers.Serializer):
    policy_version = serializers.CharField(help_text="The draft's version.")
    limit = serializers.IntegerField()
    read = serializers.IntegerField(help_text="Audit rows read: the newest `limit`, or fewer.")
    replayed = serializers.IntegerField()
    skipped = serializers.IntegerField(help_text="Rows without a recorded Decision, or whose user is gone.")
    refused_now = serializers.IntegerField(help_text="Replayed requests the draft refuses.")
    changes = RouteChangeOutput(many=True, help_text="The requests whose route the draft changes, newest first.")
    down_now = TargetHealthOutput(many=True, help_text="The draft's targets that are down now.")


@extend_schema(
    operation_id="policy_simulate",
    summary="Simulate a draft policy against recorded traffic",
    description=(
        "Decides the newest audited requests again under the draft, as the policy editor's replay does, and "
        "lists those whose route (the action, or the targets in order) would change. Each request keeps what "
        "its audit row holds; health and budgets are as they are now. Calls no model and writes nothing."
    ),
    tags=TAG,
    request=SimulateInput,
    responses={200: SimulationOutput, **documented_errors(400, 401, 403, 415)},
)
@api_view(["POST"])
@permission_classes(ADMINS)
def simulate(request: Request) -> Response:
    given = SimulateInput(data=request.data)
    given.is_valid(raise_exception=True)
    replay = replay_audited_requests(policy=given.validated_data["policy"], limit=given.validated_data["limit"])
    return Response(SimulationOutput(replay).data)


class AskerInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.values, default=Role.EMPLOYEE)
    clearance = ClassificationField(default="internal")
    groups = serializers.ListField(child=serializers.CharField(), default=list)


class ExplainInput(serializers.Serializer):
    question = serializers.CharField(max_length=4000, allow_blank=True, trim_whitespace=False)
    user = AskerInput(required=False, help_text="Who asks (default: an employee cleared for internal, no groups).")
    classifications = serializers.ListField(
        child=ClassificationField(), default=list, help_text="The classes of the passages retrieval would find."
    )
    workload = serializers.ChoiceField(choices=Workload.values, default=Workload.INTERACTIVE)
    health = serializers.DictField(
        child=serializers.ChoiceField(choices=["up", "down"]),
        default=dict,
        help_text="Zones (onprem, private, cloud) set up or down; the others up.",
    )
    team = serializers.CharField(required=False, allow_blank=True, help_text="The team whose budget pays.")
    budget_exhausted = serializers.BooleanField(default=False)
    policy = DraftField(required=False, help_text="A draft policy (YAML) to explain under; default the active one.")


class ExplanationOutput(serializers.Serializer):
    action = serializers.ChoiceField(choices=[a.value for a in Action])
    rule = serializers.CharField(
        allow_null=True, help_text="The name of the rule that decided; null when none matched (the policy's default)."
    )
    targets = TargetOutput(many=True, help_text="Tried in this order.")
    redact = serializers.BooleanField()
    on_failure = serializers.ChoiceField(choices=[f.value for f in OnFailure])
    data_class = serializers.CharField(help_text="The request's data class.")
    findings = serializers.DictField(child=serializers.IntegerField(), help_text="Found in the question, by kind.")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why, in sentences.")
    policy_version = serializers.CharField()


@extend_schema(
    operation_id="policy_explain",
    summary="Explain how the policy decides a request",
    description=(
        "One question and the facts of who asks, decided under the active policy (or a draft) and explained, "
        "as `route_explain` explains each line of its file: the question is inspected with the policy's own "
        "patterns; nothing is retrieved, no model is called, nothing is written."
    ),
    tags=TAG,
    request=ExplainInput,
    responses={200: ExplanationOutput, **documented_errors(400, 401, 403, 415)},
    examples=[
        OpenApiExample(
            "a confidential question",
            value={
                "question": "Summarise the acquisition plan",
                "user": {"role": "employee", "clearance": "confidential", "groups": ["finance"]},
                "classifications": ["confidential"],
                "health": {"cloud": "down"},
            },
            request_only=True,
        )
    ],
)
@api_view(["POST"])
@permission_classes(ADMINS)
def explain(request: Request) -> Response:
    given = ExplainInput(data=request.data)
    given.is_valid(raise_exception=True)
    line = dict(given.validated_data)
    policy = line.pop("policy", None) or get_active_policy(store_default=False)
    line["classifications"] = [c.label for c in line["classifications"]]
    if "user" in line:
        line["user"] = {**line["user"], "clearance": line["user"]["clearance"].label}
    try:
        explained = explain_request(line, policy)
    except ValueError as e:  # what the serializer cannot see: a zone unknown to `health`, say
        raise ValidationError({"non_field_errors": [str(e)]}) from None
    return Response(ExplanationOutput(explained.as_json()).data)
