"""The admins' API keys page: a service account and its first key."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Group
from django.core.validators import RegexValidator

from accounts.clearance import Classification
from accounts.forms import reader_groups_field
from api.endpoints import Endpoint
from routing.policy.versions import workload_choices


class ServiceKeyForm(forms.Form):
    service = forms.CharField(
        max_length=150,
        label="Service account",
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9._-]*$", "Use lower-case letters, digits, '.', '_' and '-'.")],
        help_text="A new name creates the account; an existing service account's name updates it and adds a key.",
    )
    key_name = forms.CharField(max_length=100, label="Key name", help_text="What uses it: the audit log shows it.")
    team = forms.ModelChoiceField(
        queryset=Group.objects.order_by("name"),
        required=False,
        empty_label="No team",
        help_text="The team whose monthly budget pays for its cloud answers.",
    )
    workload = forms.ChoiceField(
        choices=workload_choices, help_text="Every request it makes declares this workload (the policy may name more)."
    )
    clearance = forms.TypedChoiceField(
        choices=Classification.choices, coerce=int, label="Clearance ceiling", initial=Classification.INTERNAL
    )
    groups = reader_groups_field()
    endpoints = forms.MultipleChoiceField(
        choices=[(e.value, e.value) for e in Endpoint],
        widget=forms.CheckboxSelectMultiple,
        label="Allowed endpoints",
    )
    expires_days = forms.IntegerField(
        min_value=1, max_value=3650, required=False, initial=90, label="Expires after (days)",
        help_text="Empty: never (revoke it by hand).",
    )  # fmt: skip
