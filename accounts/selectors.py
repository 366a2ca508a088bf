"""Reads for the users-and-groups page."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet

from accounts.models import User


def list_users(*, query: str = "") -> QuerySet[User]:
    """Users by username, with groups and team loaded; `query` matches username, name, e-mail or group."""
    users = User.objects.select_related("team").prefetch_related("groups").order_by("username")
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
    """The user with this id, or None."""
    return User.objects.select_related("team").prefetch_related("groups").filter(pk=user_id).first()


def list_groups() -> QuerySet[Group]:
    """Every group, by name: they serve both as reader groups and as teams."""
    return Group.objects.order_by("name")
