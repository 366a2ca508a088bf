from __future__ import annotations

from django import forms

from assistant.models import Feedback


class AskForm(forms.Form):
    question = forms.CharField(
        max_length=4000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "e.g. How do I roll back a bad deploy?"}),
    )
    # The conversation the question continues (empty: a new one).
    conversation = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class FeedbackForm(forms.Form):
    vote = forms.ChoiceField(
        choices=Feedback.Vote.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose helpful or not helpful."},
    )
    comment = forms.CharField(required=False, max_length=1000, strip=True, widget=forms.Textarea(attrs={"rows": 2}))


class ApprovalForm(forms.Form):
    """An approver's decision on a held request: approve or deny, with the reason the requester and the
    auditors read."""

    decision = forms.ChoiceField(choices=[("approve", "Approve and send"), ("deny", "Deny")])
    reason = forms.CharField(
        max_length=1000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Give a reason: the requester and the auditors read it."},
    )
