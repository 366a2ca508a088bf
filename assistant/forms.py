from __future__ import annotations

from typing import Any

from django import forms

from accounts.clearance import Classification
from accounts.forms import parse_group_names
from assistant.models import Feedback


class AskForm(forms.Form):
    question = forms.CharField(
        max_length=4000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "e.g. How do I roll back a bad deploy?"}),
    )


class FeedbackForm(forms.Form):
    vote = forms.ChoiceField(
        choices=Feedback.Vote.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose helpful or not helpful."},
    )
    comment = forms.CharField(required=False, max_length=1000, strip=True, widget=forms.Textarea(attrs={"rows": 2}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        # An empty file fails in its own ingestion job, naming the file; the others still go in.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single_clean = super().clean
        if isinstance(data, list | tuple):
            if self.required and not data:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [single_clean(d, initial) for d in data]
        return [single_clean(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(help_text="Markdown, text, HTML, PDF or Word (.docx) files; several at once.")
    classification = forms.TypedChoiceField(choices=Classification.choices, coerce=int, initial=Classification.INTERNAL)
    groups = forms.CharField(
        required=False,
        help_text="Comma-separated reader groups; empty means everyone cleared for the classification.",
    )

    def clean_groups(self) -> list[str]:
        return parse_group_names(self.cleaned_data["groups"])
