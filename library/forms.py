from __future__ import annotations

from typing import Any

from django import forms

from accounts.clearance import Classification
from accounts.forms import parse_group_names
from library.selectors import LibraryFilters


def clearance_choices(clearance: int) -> list[tuple[int, str]]:
    return [(value, label) for value, label in Classification.choices if value <= clearance]


class LibraryFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, strip=True, label="Search")
    classification = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, choices=[("", "any")] + list(Classification.choices)
    )
    group = forms.ChoiceField(required=False, choices=[("", "any")])

    def __init__(self, *args: Any, group_names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "any"), *((name, name) for name in group_names)]

    def filters(self) -> LibraryFilters:
        """The valid filters that were given (call after is_valid(): an invalid one is left out)."""
        data = getattr(self, "cleaned_data", {})
        return LibraryFilters(
            query=data.get("q") or "", classification=data.get("classification"), group=data.get("group") or ""
        )


class DocumentAccessForm(forms.Form):
    # Only classifications up to the admin's clearance are offered (the upload rule); the service checks again.
    classification = forms.TypedChoiceField(choices=Classification.choices, coerce=int)
    groups = forms.CharField(
        required=False,
        help_text="Comma-separated reader groups; empty means everyone cleared for the classification.",
    )

    def __init__(self, *args: Any, clearance: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["classification"].choices = clearance_choices(clearance)

    def clean_groups(self) -> list[str]:
        return parse_group_names(self.cleaned_data["groups"])


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
    files = MultipleFileField(
        help_text="Markdown, text, HTML, PDF or Word (.docx) files; several at once. "
        "A file replaces the document of its name that you may read."
    )
    # As DocumentAccessForm: only classifications up to the admin's clearance are offered, so a choice above it
    # is refused here, before anything is queued (the ingestion job checks again).
    classification = forms.TypedChoiceField(choices=Classification.choices, coerce=int)
    groups = forms.CharField(
        required=False,
        help_text="Comma-separated reader groups; empty means everyone cleared for the classification.",
    )

    def __init__(self, *args: Any, clearance: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["classification"].choices = clearance_choices(clearance)
        self.fields["classification"].initial = min(Classification.INTERNAL, clearance)

    def clean_groups(self) -> list[str]:
        return parse_group_names(self.cleaned_data["groups"])
