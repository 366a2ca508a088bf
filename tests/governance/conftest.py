"""Fixtures of the policy pages: drafts of the default policy and stored versions."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import User
from routing.models import AuditEvent, CachedAnswer, PolicyChange, PolicyVersion
from routing.policy.versions import get_active_policy, read_default_policy_text, save_and_activate_policy

DEFAULT_TEXT = read_default_policy_text()
Draft = Callable[..., str]


def draft(version: str, *replacements: tuple[str, str]) -> str:
    """The default policy renamed `version`, with each (old, new) passage replaced (which must be there)."""
    text = DEFAULT_TEXT.replace('version: "default-3"', f'version: "{version}"')
    for old, new in replacements:
        assert old in text, f"not in the default policy: {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture
def two_versions(admin: User) -> tuple[PolicyVersion, PolicyVersion]:
    """The default policy stored on first use, then version "2" saved and activated by the admin."""
    get_active_policy()
    save_and_activate_policy(text=draft("2"), acting_user=admin, comment="second version")
    return PolicyVersion.objects.get(version="default-3"), PolicyVersion.objects.get(version="2")


def written() -> tuple[int, ...]:
    """How many audit rows, cache entries, policy versions and changes exist: what a dry run must not change."""
    return (
        AuditEvent.objects.count(),
        CachedAnswer.objects.count(),
        PolicyVersion.objects.count(),
        PolicyChange.objects.count(),
    )
