"""Reads of the stored policy versions and of who activated them."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from routing.models import PolicyChange, PolicyVersion
from routing.policy.versions import get_active_policy, read_default_policy_text


@dataclass(frozen=True)
class ActivePolicy:
    """The policy that decides requests now. `stored` is None until the default file is first used
    (the first question stores it as the first version); `activation` is the change that made it active."""

    version: str
    text: str
    stored: PolicyVersion | None
    activation: PolicyChange | None


@dataclass(frozen=True)
class PolicyOverview:
    active: ActivePolicy
    versions: list[PolicyVersion]  # newest first
    changes: list[PolicyChange]  # newest first


def get_active_policy_text() -> ActivePolicy:
    """The active version's text, or the default file's while none is stored. Writes nothing."""
    stored = PolicyVersion.objects.select_related("created_by").filter(is_active=True).first()
    if stored is None:
        return ActivePolicy(
            version=get_active_policy(store_default=False).version,
            text=read_default_policy_text(),
            stored=None,
            activation=None,
        )
    activation = (
        PolicyChange.objects.select_related("acting_user").filter(to_version=stored.version).order_by("-id").first()
    )
    return ActivePolicy(version=stored.version, text=stored.text, stored=stored, activation=activation)


def get_policy_overview() -> PolicyOverview:
    """The active policy, every stored version and every change of the active one."""
    return PolicyOverview(
        active=get_active_policy_text(),
        versions=list(PolicyVersion.objects.select_related("created_by").defer("text")),
        changes=list(PolicyChange.objects.all()),
    )


def get_policy_version(*, version_id: int) -> PolicyVersion:
    """One stored version; Http404 when there is none with this id."""
    return get_object_or_404(PolicyVersion.objects.select_related("created_by"), id=version_id)
