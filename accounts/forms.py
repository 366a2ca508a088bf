from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.models import Group

from accounts.clearance import Classification
from accounts.models import User
from accounts.roles import Role
from accounts.services import change_password

GROUP_NAME_MAX = Group._meta.get_field("name").max_length


def parse_group_names(text: str) -> list[str]:
    """Comma-separated reader group names, deduplicated and sorted; ValidationError for a name too long to store."""
    names = sorted({g.strip() for g in text.replace("\x00", "").split(",") if g.strip()})
    too_long = [n for n in names if len(n) > GROUP_NAME_MAX]
    if too_long:
        raise forms.ValidationError(f"A group name may have at most {GROUP_NAME_MAX} characters ({too_long[0][:20]}…).")
    return names


def reader_groups_field() -> forms.ModelMultipleChoiceField:
    """Reader groups as checkboxes (the users pages, the API keys page)."""
    return forms.ModelMultipleChoiceField(
        queryset=Group.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Reader groups",
    )


def _names(value: str) -> list[str]:
    return sorted({name.strip() for name in value.split(",") if name.strip()})


class UserForm(forms.Form):
    """Role, clearance, reader groups, team and active flag of one user."""

    role = forms.ChoiceField(choices=Role.choices)
    clearance = forms.TypedChoiceField(choices=Classification.choices, coerce=int)
    groups = reader_groups_field()
    new_groups = forms.CharField(
        required=False,
        max_length=500,
        label="New reader groups",
        help_text="Comma-separated names of groups to create and add the user to.",
    )
    team = forms.ModelChoiceField(
        queryset=Group.objects.order_by("name"),
        required=False,
        empty_label="No team",
        help_text="The team whose monthly budget pays for this user's cloud answers.",
    )
    is_active = forms.BooleanField(
        required=False,
        initial=True,
        label="Active",
        help_text="Clear to deactivate: the user can no longer sign in; their history and audit rows stay.",
    )

    def clean_new_groups(self) -> list[str]:
        names = _names(self.cleaned_data["new_groups"])
        too_long = [n for n in names if len(n) > Group._meta.get_field("name").max_length]
        if too_long:
            raise forms.ValidationError(f"Group names are at most 150 characters: {too_long[0][:40]}…")
        return names

    @classmethod
    def for_user(cls, user: User, data: Any = None) -> UserForm:
        initial = {
            "role": user.role,
            "clearance": user.clearance,
            "groups": list(user.groups.all()),
            "team": user.team,
            "is_active": user.is_active,
        }
        return cls(data, initial=initial)


class NewUserForm(UserForm):
    """A new user: a username, and a password or none (then a one-time password is shown once)."""

    username = forms.CharField(max_length=150, validators=[User.username_validator])
    password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to generate a one-time password, shown once on the next page.",
    )
    field_order = ["username", "password", "role", "clearance", "groups", "new_groups", "team"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["is_active"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("A user with this username already exists.")
        return username


class ChangePasswordForm(PasswordChangeForm):
    """Django's (the current password, the new one twice, the validators), with a new password that is
    not the current one: the one an admin set and knows must really be replaced."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        new = cleaned.get("new_password2")
        if new and "new_password2" not in self.errors and self.user.check_password(new):
            self.add_error("new_password2", "Choose a password other than your current one.")
        return cleaned

    def save(self, commit: bool = True) -> User:
        return change_password(user=self.user, password=self.cleaned_data["new_password1"])
