"""Reads for the users-and-groups page."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Q, QuerySet

from accounts.models import User


def list_users(*, query: str = "") -> QuerySet[User]:
    """People by username, with groups and team loaded; `query` matches username, name, e-mail or group.
    Service accounts are not listed: they are managed with their keys (/manage/keys/)."""
    users = User.objects.filter(is_service=False).select_related("team").prefetch_related("groups").order_by("username")
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
            | Q(groups__name__icontains=query)
        ).distinct()
    return users


def get_user(*, user_id: int) -> User | None:
    """The person with this id, or None (also for a service account: a password reset would let someone sign
    in as it, and its role and groups are set on the API keys page, under the same rules)."""
    people = User.objects.filter(is_service=False)
    return people.select_related("team").prefetch_related("groups").filter(pk=user_id).first()


def list_groups() -> QuerySet[Group]:
    """Every group, by name: they serve both as reader groups and as teams."""
    return Group.objects.order_by("name")


@dataclass(frozen=True)
class UserGroups:
    """The ids and names of one user's reader groups, read together."""

    ids: tuple[int, ...]
    names: tuple[str, ...]


@functools.cache
def _user_groups_sql() -> str:
    # The user model's own group relation (User.groups), as the ORM maps it.
    through = User.groups.through
    user, group = (through._meta.get_field(name) for name in ("user", "group"))
    return (
        f'SELECT g.id, g.name FROM "{Group._meta.db_table}" g JOIN "{through._meta.db_table}" ug '
        f'ON ug."{group.column}" = g.id WHERE ug."{user.column}" = %s'
    )


def get_user_groups(user: User) -> UserGroups:
    """The user's reader groups, in one plain query: the ORM's related manager costs about twice the
    round trip itself, and a question needs them for both retrieval and the policy."""
    with connection.cursor() as cursor:
        cursor.execute(_user_groups_sql(), [user.pk])
        rows = cursor.fetchall()
    return UserGroups(ids=tuple(row[0] for row in rows), names=tuple(row[1] for row in rows))
