"""Fixtures of the gate tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from routing.policy.versions import read_default_policy_text, save_and_activate_policy


@pytest.fixture
def edit_policy(db: None) -> Callable[[str, str], None]:
    """Activate the default policy with one passage of its text replaced (which must be there)."""

    def _edit(old: str, new: str) -> None:
        default = read_default_policy_text()
        assert old in default, f"not in the default policy: {old!r}"
        save_and_activate_policy(text=default.replace(old, new), acting_user=None)

    return _edit
