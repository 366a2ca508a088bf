"""Writes on users."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Role, User
from retrieval.classification import Classification


@transaction.atomic
def upsert_user(
    *,
    username: str,
    role: Role,
    clearance: Classification,
    groups: Sequence[str],
    password: str | None,
    team: str | None = None,
) -> tuple[User, bool]:
    """Create or update `username` with exactly these role, clearance and groups.

    The password is changed only when given; the team (whose budget pays for the
    user's cloud answers) only when given, "" removing it. Returns (user, created).
    """
    user, created = User.objects.get_or_create(username=username)
    user.role = role
    user.clearance = clearance
    user.is_staff = False
    if password:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    if team is not None:
        user.team = Group.objects.get_or_create(name=team)[0] if team else None
    user.save()
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])
    return user, created
