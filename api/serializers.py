"""Input and output of each endpoint (HackSoft's per-endpoint serializers), and the error body."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.clearance import Classification
from accounts.forms import parse_group_names
from api.errors import CODES
from routing.policy.decide import Workload


def absolute_url(context: dict[str, Any], name: str, **kwargs: int) -> str:
    """The URL named `name`, absolute when the serializer's context has the request."""
    path = reverse(name, kwargs=kwargs)
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class ErrorOutput(serializers.Serializer):
    code = serializers.ChoiceField(choices=CODES, help_text="Stable: programs may branch on it.")
    message = serializers.CharField(help_text="What went wrong and what to do.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="invalid_request: the problems of each field.",
    )
    audit_id = serializers.IntegerField(required=False, help_text="The audit row written for the request, if any.")


class AskInput(serializers.Serializer):
    question = serializers.CharField(max_length=4000)
    workload = serializers.ChoiceField(
        choices=Workload.values,
        required=False,
        help_text="Who is waiting (default interactive). A service account asks as its own workload.",
    )
    conversation = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="A conversation of the caller's (the `conversation` of an earlier answer) that the question "
        "follows up; left out, a new one. Someone else's is a 404.",
    )


class CitationOutput(serializers.Serializer):
    n = serializers.IntegerField(help_text="The [n] the text cites.")
    chunk_id = serializers.IntegerField()
    document_id = serializers.IntegerField()
    title = serializers.CharField()
    heading_path = serializers.CharField()
    classification = serializers.CharField(source="classification_label")
    attributed = serializers.BooleanField(help_text="The model cited nothing; the gate matched the text to it.")
    url = serializers.SerializerMethodField(help_text="The passage in its document (a page for a signed-in browser).")

    @extend_schema_field(serializers.URLField())
    def get_url(self, citation: Any) -> str:
        return absolute_url(self.context, "passage", chunk_id=citation.chunk_id)


class AnswerOutput(serializers.Serializer):
    """The answer record: what the ask page shows, as JSON."""

    text = serializers.CharField(source="answer.text")
    citations = CitationOutput(source="answer.citations", many=True)
    closest = CitationOutput(
        source="answer.closest",
        many=True,
        help_text="When the answer says the documents do not hold it: the passages of the documents that came "
        "closest, not cited (they may not answer); empty otherwise.",
    )
    route = serializers.CharField(source="answer.route", help_text="Where it was answered and why, in a sentence.")
    zone = serializers.CharField(source="answer.zone", help_text="onprem, private or cloud; empty when refused.")
    backend = serializers.CharField(source="answer.backend")
    model = serializers.CharField(source="answer.model")
    notices = serializers.ListField(child=serializers.CharField(), source="answer.notices")
    redacted = serializers.DictField(
        child=serializers.IntegerField(),
        source="answer.redacted_before_leaving",
        help_text="Counts by kind of what was replaced before the request left on-prem.",
    )
    refused = serializers.BooleanField(source="answer.refused", help_text="The policy refused: `route` says why.")
    withheld = serializers.SerializerMethodField(help_text="The answer was withheld: `text` says why.")
    cut_off = serializers.BooleanField(source="answer.cut_off")
    fell_back = serializers.BooleanField(source="answer.fell_back")
    cache_hit = serializers.BooleanField(source="answer.cache_hit")
    audit_id = serializers.IntegerField(source="answer.audit_id")
    history_id = serializers.IntegerField(help_text="The entry in the asker's history.")
    conversation = serializers.IntegerField(
        source="conversation_id", help_text="The conversation the answer is a turn of: send it to follow up."
    )
    held = serializers.BooleanField(
        source="answer.held", help_text="Held for a person's approval: nothing was sent; poll `held_url`."
    )
    held_id = serializers.IntegerField(source="answer.held_id", allow_null=True, help_text="The held request, if held.")
    held_url = serializers.SerializerMethodField(help_text="Where to poll a held request's state and answer.")

    def get_withheld(self, kept: Any) -> bool:
        return bool(kept.answer.withheld)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_held_url(self, kept: Any) -> str | None:
        return absolute_url(self.context, "api-held", held_id=kept.answer.held_id) if kept.answer.held else None


class SearchInput(serializers.Serializer):
    q = serializers.CharField(max_length=1000)
    k = serializers.IntegerField(min_value=1, max_value=50, default=10, help_text="How many passages (1-50).")


class PassageOutput(serializers.Serializer):
    chunk_id = serializers.IntegerField()
    document_id = serializers.IntegerField()
    title = serializers.CharField()
    source_name = serializers.CharField(help_text="The document's file name as ingested.")
    heading_path = serializers.CharField()
    classification = serializers.CharField(source="classification_label")
    text = serializers.CharField()
    score = serializers.FloatField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField())
    def get_url(self, passage: Any) -> str:
        return absolute_url(self.context, "passage", chunk_id=passage.chunk_id)


class SearchOutput(serializers.Serializer):
    passages = PassageOutput(many=True)
    ms = serializers.FloatField(help_text="Search time in milliseconds.")


# The data classes by name, lowest first (settings.SPECTACULAR_SETTINGS names this one enum of the schema).
CLASSIFICATION_NAMES = [c.label for c in Classification]


class ClassificationField(serializers.ChoiceField):
    """A data class by its name (public, internal, confidential, restricted); a Classification inside."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=CLASSIFICATION_NAMES, **kwargs)

    def to_internal_value(self, data: Any) -> Classification:
        return Classification.parse(super().to_internal_value(data))

    def to_representation(self, value: Any) -> str:
        return Classification(value).label


def group_names(value: str) -> list[str]:
    """Reader group names from comma-separated text, by the pages' rule (accounts.forms.parse_group_names)."""
    try:
        return parse_group_names(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None
