"""The query log's filters: one GET form, so that every filtered view is a link."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.clearance import Classification
from accounts.roles import Role
from routing.models import AuditEvent
from routing.policy.decide import Workload
from routing.policy.versions import workload_choices

ANY = ("", "any")
YES_NO = [ANY, ("yes", "yes"), ("no", "no")]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _yes_no_field(label: str, help_text: str = "") -> forms.TypedChoiceField:
    """An optional yes/no filter: True, False, or None when not given."""
    return forms.TypedChoiceField(
        label=label, required=False, choices=YES_NO, coerce=_yes_no, empty_value=None, help_text=help_text
    )


class AuditFilterForm(forms.Form):
    """Every field is optional; `filters()` gives only the valid, non-empty ones.

    Bound to request.GET: a field with an invalid value shows its error and filters nothing,
    while the other fields still apply.
    """

    q = forms.CharField(
        label="Words in the question",
        required=False,
        max_length=500,
        help_text='Searches the redacted questions: words, "a phrase", or -word to exclude.',
    )
    user = forms.CharField(label="User", required=False, max_length=150)
    role = forms.ChoiceField(label="Role", required=False, choices=[ANY, *Role.choices])
    data_class = forms.TypedChoiceField(
        label="Data class",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[ANY, *((str(value), label) for value, label in Classification.choices)],
    )
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=[ANY, *AuditEvent.Outcome.choices])
    backend = forms.CharField(
        label="Answered by (target)",
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"list": "audit-backends"}),
    )
    model = forms.CharField(
        label="Model", required=False, max_length=200, widget=forms.TextInput(attrs={"list": "audit-models"})
    )
    workload = forms.ChoiceField(label="Workload", required=False, choices=[ANY, *Workload.choices])
    fallback = _yes_no_field("Fell back")
    cache_hit = _yes_no_field("Cache hit")
    typed_injection = _yes_no_field(
        "Reads as a prompt injection",
        "The question, or a gateway conversation's last user message, scored as typed injection.",
    )
    hedged = _yes_no_field(
        "Answered with the caveat", "Passages quoted after saying that they may not answer the question exactly."
    )
    date_from = forms.DateField(label="From (date)", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(
        label="To (date, inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The active policy may name workloads of its own: read once per form (one query), not per use.
        self.fields["workload"].choices = [ANY, *workload_choices()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The valid filters that were given, by field name (call after is_valid())."""
        cleaned = getattr(self, "cleaned_data", {})
        return {name: value for name, value in cleaned.items() if value not in (None, "")}
