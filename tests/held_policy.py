"""A policy that holds requests for approval, for the tests of the approvals page and API."""

from __future__ import annotations

from routing.policy.versions import read_default_policy_text, save_and_activate_policy

RULE_ENDS = (
    "    on_failure: degrade\n    explain: Internal data",
    "    on_failure: degrade\n    explain: The question names",
)


def activate_held_policy(approve: str = "{by: [admin, engineering], expires_after: 2h}") -> None:
    """The default policy with its internal and personal-data rules holding every request for `approve`."""
    text = read_default_policy_text().replace('version: "default-3"', 'version: "held-1"')
    for end in RULE_ENDS:
        assert end in text
        text = text.replace(end, end.replace("    explain", f"    approve: {approve}\n    explain"))
    save_and_activate_policy(text=text, acting_user=None)
