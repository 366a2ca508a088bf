"""Stored policy versions: save and activate them (validated, audited) and read the active one."""

from __future__ import annotations

import functools
from pathlib import Path

from django.db import IntegrityError, connection, transaction

from accounts.models import User
from routing.models import PolicyChange, PolicyVersion
from routing.policy.decide import Policy, Workload
from routing.policy.loader import PolicyError, PolicyProblem, load_policy

DEFAULT_POLICY_PATH = Path(__file__).resolve().parents[1] / "policies" / "default.yaml"


def read_default_policy_text() -> str:
    """The text of routing/policies/default.yaml."""
    return DEFAULT_POLICY_PATH.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=16)
def _parse(text: str) -> Policy:
    # Policies are immutable and parsing is pure, so the same text always gives the same Policy:
    # each question reads the active text, but YAML is parsed (~20 ms) only when it changes.
    return load_policy(text)


def _version_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("version:"):
            return number
    return 1


@transaction.atomic
def save_and_activate_policy(*, text: str, acting_user: User | None, comment: str = "") -> PolicyVersion:
    """Validate `text`, store it as a new version and make it the active one, recording who did it.

    Saving the exact text of a stored version re-activates that version. Raises PolicyError (with
    line numbers) when the text is invalid or reuses a stored version name with different text;
    the active version is then unchanged.
    """
    policy = _parse(text)
    stored = PolicyVersion.objects.filter(version=policy.version).first()
    if stored is not None and stored.text != text:
        problem = f"version {policy.version!r} is already stored with different text; give this draft a new version"
        raise PolicyError([PolicyProblem(_version_line(text), problem)])
    if stored is None:
        stored = PolicyVersion.objects.create(
            version=policy.version, text=text, created_by=acting_user, comment=comment
        )
    return _activate(stored, acting_user=acting_user, comment=comment)


@transaction.atomic
def activate_policy_version(*, version: str, acting_user: User | None, comment: str = "") -> PolicyVersion:
    """Make a stored version active again (a rollback), recording who did it.

    Raises PolicyVersion.DoesNotExist for an unknown version, and PolicyError when its text no
    longer passes validation (the rules in code may have grown stricter since it was stored).
    """
    stored = PolicyVersion.objects.get(version=version)
    _parse(stored.text)
    return _activate(stored, acting_user=acting_user, comment=comment)


def _activate(stored: PolicyVersion, *, acting_user: User | None, comment: str) -> PolicyVersion:
    # Lock the active row so two admins activating at once are serialised, not interleaved.
    current = PolicyVersion.objects.select_for_update().filter(is_active=True).first()
    if current is not None and current.pk == stored.pk:
        return stored
    if current is not None:
        current.is_active = False
        current.save(update_fields=["is_active"])
    stored.is_active = True
    stored.save(update_fields=["is_active"])
    PolicyChange.objects.create(
        acting_user=acting_user,
        username=acting_user.get_username() if acting_user else "",
        from_version=current.version if current else "",
        to_version=stored.version,
        comment=comment,
    )
    return stored


def get_active_policy(*, store_default: bool = True) -> Policy:
    """The active policy. With none stored yet, the default file's policy, which is stored and
    activated as the first version unless `store_default` is False (for read-only callers).

    Raises PolicyError when the stored text no longer validates: callers should fail closed.
    """
    # One plain query (the ORM triples its cost): this runs on every question.
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT text FROM "{PolicyVersion._meta.db_table}" WHERE is_active'
            " ORDER BY created_at DESC, id DESC LIMIT 1"
        )
        row = cursor.fetchone()
    if row is not None:
        return _parse(row[0])
    text = read_default_policy_text()
    policy = _parse(text)
    if store_default:
        try:
            save_and_activate_policy(text=text, acting_user=None, comment="default policy, stored on first use")
        except IntegrityError:
            # Another process stored it first; its version is the active one now.
            return get_active_policy(store_default=False)
    return policy


def workload_choices() -> list[tuple[str, str]]:
    """The workloads a service account or a filter may name: the built-in three, then the active policy's own
    (`workloads:` in its YAML); only the built-in ones while the stored policy does not validate."""
    try:
        declared = get_active_policy(store_default=False).workloads
    except PolicyError:
        declared = ()
    return [*Workload.choices, *((name, name) for name in declared)]
