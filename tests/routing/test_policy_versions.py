"""Stored policy versions: the active one changes only through validation, and who changed it is recorded."""

from __future__ import annotations

import pytest

from accounts.models import User
from routing.models import PolicyChange, PolicyVersion
from routing.policy.loader import PolicyError
from routing.policy.versions import (
    activate_policy_version,
    get_active_policy,
    read_default_policy_text,
    save_and_activate_policy,
)

DEFAULT_TEXT = read_default_policy_text()


def draft(version: str) -> str:
    return DEFAULT_TEXT.replace('version: "default-3"', f'version: "{version}"')


def active_version() -> str:
    return PolicyVersion.objects.get(is_active=True).version


def test_the_default_policy_is_stored_as_the_first_version_on_first_use(db: None) -> None:
    policy = get_active_policy()
    assert policy.version == "default-3"
    stored = PolicyVersion.objects.get()
    assert (stored.version, stored.is_active, stored.created_by, stored.text) == ("default-3", True, None, DEFAULT_TEXT)
    change = PolicyChange.objects.get()
    assert (change.acting_user, change.from_version, change.to_version) == (None, "", "default-3")
    # a second call reads it back and writes nothing
    assert get_active_policy().version == "default-3"
    assert PolicyChange.objects.count() == 1


def test_a_read_only_caller_gets_the_default_without_storing_it(db: None) -> None:
    assert get_active_policy(store_default=False).version == "default-3"
    assert not PolicyVersion.objects.exists()


def test_an_admin_activates_a_new_version_and_the_change_is_recorded(admin: User) -> None:
    get_active_policy()
    stored = save_and_activate_policy(text=draft("2"), acting_user=admin, comment="tighter CI rule")
    assert (stored.version, stored.created_by, stored.comment) == ("2", admin, "tighter CI rule")
    assert active_version() == "2"
    assert get_active_policy().version == "2"
    change = PolicyChange.objects.first()
    assert change is not None
    assert (change.acting_user, change.username, change.from_version, change.to_version, change.comment) == (
        admin,
        "ada",
        "default-3",
        "2",
        "tighter CI rule",
    )


def test_an_invalid_policy_is_rejected_with_its_line_and_the_old_one_stays_active(admin: User) -> None:
    get_active_policy()
    broken = draft("3").replace(
        "targets: [claude, local]\n    redact: true", "targets: [claud, local]\n    redact: true"
    )
    with pytest.raises(PolicyError) as raised:
        save_and_activate_policy(text=broken, acting_user=admin)
    line = broken[: broken.index("[claud,")].count("\n") + 1
    assert [str(p) for p in raised.value.errors] == [
        f"line {line}: rule 'internal-cloud-redacted': unknown target 'claud' (known: claude, local, extractive)"
    ]
    assert active_version() == "default-3"
    assert list(PolicyVersion.objects.values_list("version", flat=True)) == ["default-3"]
    assert PolicyChange.objects.count() == 1


def test_a_version_name_cannot_be_reused_for_different_text(admin: User) -> None:
    save_and_activate_policy(text=draft("4"), acting_user=admin)
    changed = draft("4").replace("max_passages: 8", "max_passages: 6")
    with pytest.raises(PolicyError, match=r"^line 12: version '4' is already stored with different text"):
        save_and_activate_policy(text=changed, acting_user=admin)
    assert PolicyVersion.objects.get(version="4").text == draft("4")


def test_saving_the_active_text_again_changes_nothing(admin: User) -> None:
    save_and_activate_policy(text=draft("5"), acting_user=admin)
    again = save_and_activate_policy(text=draft("5"), acting_user=admin)
    assert again.is_active
    assert PolicyVersion.objects.count() == 1
    assert PolicyChange.objects.count() == 1


def test_rolling_back_to_a_stored_version_is_recorded(admin: User, auditor: User) -> None:
    save_and_activate_policy(text=draft("6"), acting_user=admin)
    save_and_activate_policy(text=draft("7"), acting_user=admin)
    activate_policy_version(version="6", acting_user=auditor, comment="roll back")
    assert active_version() == "6"
    assert PolicyVersion.objects.filter(is_active=True).count() == 1
    change = PolicyChange.objects.first()
    assert change is not None
    assert (change.username, change.from_version, change.to_version) == ("aude", "7", "6")


def test_rolling_back_to_an_unknown_version_fails(admin: User) -> None:
    save_and_activate_policy(text=draft("8"), acting_user=admin)
    with pytest.raises(PolicyVersion.DoesNotExist):
        activate_policy_version(version="nope", acting_user=admin)
    assert active_version() == "8"
