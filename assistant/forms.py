from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import Group

from assistant.models import Feedback
from retrieval.classification import Classification

GROUP_NAME_MAX = Group._meta.get_field("name").max_length


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


def parse_group_names(text: str) -> list[str]:
    """Comma-separated reader group names, deduplicated and sorted; ValidationError for a name too long to store."""
    names = sorted({g.strip() for g in text.replace("\x00", "").split(",") if g.strip()})
    too_long = [n for n in names if len(n) > GROUP_NAME_MAX]
    if too_long:
        raise forms.ValidationError(f"A group name may have at most {GROUP_NAME_MAX} characters ({too_long[0][:20]}…).")
    return names
