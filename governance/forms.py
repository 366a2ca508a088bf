"""The policy editor's form and the activation form."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.clearance import Classification
from accounts.models import User
from routing.policy.decide import Policy, Workload, Zone
from routing.policy.loader import PolicyError, PolicyProblem, load_policy
from routing.policy.versions import workload_choices

MAX_POLICY_CHARS = 200_000
REPLAY_DEFAULT = 200
REPLAY_MAX = 5000
HEALTH_CHOICES = [("now", "as it is now"), ("up", "up"), ("down", "down")]
# Which fields each button of the editor needs besides the draft itself.
ACTIONS = {
    "validate": (),
    "save": ("comment",),
    "simulate": ("question", "user"),
    "replay": ("limit",),
}


def read_policy_draft(text: str) -> tuple[str, Policy]:
    """A draft as it is kept (plain line ends: browsers send a textarea's with CRLF) and the policy it is.
    Raises PolicyError listing the draft's problems, each with its line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, load_policy(text)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        groups = ", ".join(g.name for g in obj.groups.all()) or "no groups"
        clearance = Classification(obj.clearance).label
        return f"{obj.username} ({obj.role}, cleared for {clearance}, {groups})"


class PolicyDraftForm(forms.Form):
    """The editor: a draft and what each of its buttons needs. Every button posts the whole form to
    its own view, which passes `action`; the draft must always be a valid policy, and `policy` is it, parsed.
    A draft's problems are kept in `problems` (with their lines) to mark them in the numbered draft."""

    text = forms.CharField(
        label="Policy (YAML)",
        strip=False,
        max_length=MAX_POLICY_CHARS,
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "policy-text"}),
    )
    comment = forms.CharField(
        label="Comment for the history",
        required=False,
        max_length=500,
        help_text="Why this change: shown in the version history with your name.",
    )
    question = forms.CharField(
        label="Question", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    user = UserChoiceField(
        label="Asked by",
        required=False,
        queryset=User.objects.filter(is_active=True).prefetch_related("groups").order_by("username"),
        empty_label="Choose a user",
    )
    workload = forms.ChoiceField(
        label="Workload", required=False, choices=workload_choices, initial=Workload.INTERACTIVE
    )
    health_onprem = forms.ChoiceField(label="On-prem targets", required=False, choices=HEALTH_CHOICES, initial="now")
    health_private = forms.ChoiceField(
        label="Private-zone targets", required=False, choices=HEALTH_CHOICES, initial="now"
    )
    health_cloud = forms.ChoiceField(label="Cloud targets", required=False, choices=HEALTH_CHOICES, initial="now")
    limit = forms.IntegerField(
        label="Audited requests to replay",
        required=False,
        min_value=1,
        max_value=REPLAY_MAX,
        initial=REPLAY_DEFAULT,
        help_text=f"The newest ones; at most {REPLAY_MAX:,}.",
    )

    def __init__(self, *args: Any, action: str = "validate", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.policy: Policy | None = None
        self.problems: list[PolicyProblem] = []

    def clean_text(self) -> str:
        try:
            text, self.policy = read_policy_draft(self.cleaned_data["text"])
        except PolicyError as e:
            self.problems = list(e.errors)
            raise forms.ValidationError([str(problem) for problem in e.errors]) from None
        return text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["workload"] = cleaned.get("workload") or Workload.INTERACTIVE
        for name in ACTIONS[self.action]:
            if cleaned.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, "This field is required for this button.")
        if "text" in self.errors:
            self._describe_text_errors()
        return cleaned

    def _describe_text_errors(self) -> None:
        # The draft's problems are listed above the textarea (edit.html); screen readers announce them with it.
        self.fields["text"].widget.attrs["aria-describedby"] = self["text"].auto_id + "_error"

    def add_policy_error(self, error: PolicyError) -> None:
        """Show a PolicyError raised after the form was valid (saving a version name already taken)."""
        self.problems = list(error.errors)
        self.add_error("text", [str(problem) for problem in error.errors])
        self._describe_text_errors()

    def zones(self) -> dict[str, bool]:
        """The zones the simulator sets up or down; zones left "as it is now" are not named."""
        chosen = {str(zone): self.cleaned_data.get(f"health_{zone}") for zone in Zone}
        return {zone: state == "up" for zone, state in chosen.items() if state in ("up", "down")}


class ActivateVersionForm(forms.Form):
    comment = forms.CharField(label="Comment for the history", required=False, max_length=500)
