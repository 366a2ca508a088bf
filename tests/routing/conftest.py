"""Fixtures of the gate tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from routing.models import Dispatch
from routing.policy.versions import read_default_policy_text, save_and_activate_policy


@pytest.fixture
def edit_policy(db: None) -> Callable[[str, str], None]:
    """Activate the default policy with one passage of its text replaced (which must be there)."""

    def _edit(old: str, new: str) -> None:
        default = read_default_policy_text()
        assert old in default, f"not in the default policy: {old!r}"
        save_and_activate_policy(text=default.replace(old, new), acting_user=None)

    return _edit


def old_dispatch(user: User, *, age_s: float) -> Dispatch:
    """A dispatch record as a process that died left it, `age_s` seconds ago."""
    dispatch = Dispatch.objects.create(
        request_id="6c0b7a3e-0000-4000-8000-000000000001", acting_user=user, username=user.username, role=user.role,
        workload="interactive", team="", question="I am [EMAIL_1]: how do I roll back a deploy?",
        findings={"email": 1}, passages=[{"n": 1, "chunk_id": 7, "document_id": 3, "classification": "internal"}],
        data_class=1, policy_version="default-1", decision={"rule": "customer-data-private-first"},
        redacted={"email": 1}, calls=[{"target": "claude", "zone": "cloud"}], host="web-1", pid=4242,
    )  # fmt: skip
    Dispatch.objects.filter(id=dispatch.id).update(created_at=timezone.now() - timedelta(seconds=age_s))
    return dispatch
