"""Writes on users."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.claim_mapping import MappedAccess
from accounts.clearance import Classification
from accounts.errors import (
    ClearanceAboveOwn,
    GroupOutOfReach,
    OwnPasswordReset,
    RoleOutOfReach,
    SelfLockout,
    SignInRefused,
    WeakPassword,
)
from accounts.models import User
from accounts.roles import Role


def _check_password(password: str, *, user: User) -> None:
    """Django's validators (AUTH_PASSWORD_VALIDATORS) on a password someone chose for `user`."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise WeakPassword(" ".join(exc.messages), field="password") from None


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

    The password is changed only when given, and must pass the validators (WeakPassword otherwise,
    nothing changed); the team (whose budget pays for the user's cloud answers) only when given,
    "" removing it. Returns (user, created).
    """
    user, created = User.objects.get_or_create(username=username)
    user.role = role
    user.clearance = clearance
    user.is_staff = False
    if password:
        _check_password(password, user=user)
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    if team is not None:
        user.team = Group.objects.get_or_create(name=team)[0] if team else None
    user.save()
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])
    return user, created


def check_admin_change(
    *,
    acting_user: User,
    user: User | None,
    role: Role,
    clearance: int,
    is_active: bool,
    groups: Sequence[Group],
    new_group_names: Sequence[str],
) -> None:
    """What an admin may do to an account (on the users pages, and to service accounts on the API keys page):
    raises an AccountError when the change is forbidden. Auditor accounts are the operator's (`add_user`):
    the people whose traffic auditors review must not be able to make or unmake auditors."""
    if user is not None and user.clearance > acting_user.clearance:
        raise RoleOutOfReach("You cannot change someone cleared above you; ask an admin with that clearance.")
    if clearance > acting_user.clearance:
        raise ClearanceAboveOwn(
            f"You cannot grant a clearance above your own ({acting_user.get_clearance_display()}).",
            field="clearance",
        )
    if Role.AUDITOR in (role, user.role if user is not None else None) and (user is None or user.role != role):
        raise RoleOutOfReach(
            "Auditor accounts are given and taken by the operator (manage.py add_user), not from this page.",
            field="role",
        )
    held = set(user.groups.values_list("pk", flat=True)) if user is not None else set()
    if user is not None and user.role == Role.AUDITOR:
        _check_auditor_kept(user, clearance=clearance, is_active=is_active, same_groups={g.pk for g in groups} == held)
    gained = {g.pk for g in groups} - held
    existing_new = Group.objects.filter(name__in=new_group_names).values_list("pk", flat=True)
    gained |= set(existing_new) - held
    # An admin reads documents of their own groups only: granting another group (themselves or anyone)
    # would reach documents they may not read. New groups hold no documents yet.
    if user is not None and user.pk == acting_user.pk and (gained or {g.pk for g in groups} != held):
        raise GroupOutOfReach("You cannot change your own reader groups; ask another admin.", field="groups")
    if names := _group_names_outside(acting_user, gained):
        raise GroupOutOfReach(f"You can only grant reader groups you are in yourself (not {names}).", field="groups")
    # An admin who demotes or deactivates themselves may leave nobody able to undo it.
    if user is not None and user.pk == acting_user.pk:
        if role != Role.ADMIN:
            raise SelfLockout("You cannot remove your own admin role; ask another admin.", field="role")
        if not is_active:
            raise SelfLockout("You cannot deactivate yourself; ask another admin.", field="is_active")


def _check_auditor_kept(user: User, *, clearance: int, is_active: bool, same_groups: bool) -> None:
    # Lowering an auditor's clearance, taking their groups or deactivating them would blind the review of
    # the admins' own traffic: like the role, those are the operator's to change.
    if clearance == user.clearance and is_active and same_groups:
        return
    raise RoleOutOfReach(
        "Auditor accounts are the operator's: their clearance, groups and active flag are changed with "
        "manage.py add_user, not from this page.",
        field="clearance" if clearance != user.clearance else "is_active" if not is_active else "groups",
    )


def _groups_named(groups: Sequence[Group], new_group_names: Sequence[str]) -> list[Group]:
    created = [Group.objects.get_or_create(name=name)[0] for name in new_group_names]
    return list({g.pk: g for g in [*groups, *created]}.values())


@transaction.atomic
def update_user(
    *,
    acting_user: User,
    user: User,
    role: Role,
    clearance: Classification,
    groups: Sequence[Group],
    new_group_names: Sequence[str] = (),
    team: Group | None,
    is_active: bool,
) -> User:
    """Set `user`'s role, clearance, reader groups (existing ones plus new ones created by name),
    team and active flag. Raises an AccountError (accounts/errors.py) when the rules of
    _check_rules forbid the change."""
    check_admin_change(
        acting_user=acting_user,
        user=user,
        role=role,
        clearance=clearance,
        is_active=is_active,
        groups=groups,
        new_group_names=new_group_names,
    )
    user.role = role
    user.clearance = clearance
    user.team = team
    user.is_active = is_active
    user.save(update_fields=["role", "clearance", "team", "is_active"])
    user.groups.set(_groups_named(groups, new_group_names))
    return user


@transaction.atomic
def create_user(
    *,
    acting_user: User,
    username: str,
    role: Role,
    clearance: Classification,
    groups: Sequence[Group],
    new_group_names: Sequence[str] = (),
    team: Group | None,
    password: str | None,
) -> tuple[User, str | None]:
    """Create `username`. Without a password, one is generated and returned (to be shown once);
    with one, None is returned. Either way the admin knows it, so the user must choose their own at
    first sign-in. Raises an AccountError like update_user, WeakPassword when the validators refuse
    the password."""
    check_admin_change(
        acting_user=acting_user,
        user=None,
        role=role,
        clearance=clearance,
        is_active=True,
        groups=groups,
        new_group_names=new_group_names,
    )
    user = User(username=username, role=role, clearance=clearance, team=team, must_change_password=True)
    if password:
        _check_password(password, user=user)
    one_time = None if password else secrets.token_urlsafe(12)
    user.set_password(password or one_time)
    user.save()
    user.groups.set(_groups_named(groups, new_group_names))
    return user, one_time


def _group_names_outside(acting_user: User, group_pks: set[int]) -> str:
    """The names (comma-separated, "" for none) of the groups among `group_pks` that `acting_user` is not in:
    an admin reads the documents of their own groups only."""
    outside = group_pks - set(acting_user.groups.values_list("pk", flat=True))
    return ", ".join(sorted(Group.objects.filter(pk__in=outside).values_list("name", flat=True))) if outside else ""


def reset_password(*, acting_user: User, user: User) -> str:
    """Give `user` a new one-time password, returned to be shown once: their sessions end (Django checks
    the password's hash on each request) and they must choose their own at next sign-in. Raises
    OwnPasswordReset for the admin's own account, RoleOutOfReach for someone cleared above the admin
    or an auditor (the operator's accounts: taking one over would read the audit log), GroupOutOfReach for
    someone in a reader group the admin is not in (signing in as them would read that group's documents)."""
    if user.pk == acting_user.pk:
        raise OwnPasswordReset("Change your own password with the Password link at the top of the page.")
    if user.clearance > acting_user.clearance:
        raise RoleOutOfReach("You cannot change someone cleared above you; ask an admin with that clearance.")
    if user.role == Role.AUDITOR:
        raise RoleOutOfReach("Auditors' passwords are reset by the operator (manage.py add_user), not from this page.")
    if names := _group_names_outside(acting_user, set(user.groups.values_list("pk", flat=True))):
        raise GroupOutOfReach(
            f"{user.get_username()} is in reader groups you are not in ({names}); ask an admin of those groups "
            "to reset the password."
        )
    one_time = secrets.token_urlsafe(12)
    user.set_password(one_time)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    return one_time


def change_password(*, user: User, password: str) -> User:
    """Set the password `user` chose for themselves, and lift must_change_password. The caller has run the
    validators on it (ChangePasswordForm, Django's, does in clean()): a second run here could refuse what
    the form accepted, after the form was valid, with nothing left to show the error on."""
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    return user


def sign_in_from_provider(*, subject: str, username: str, email: str, access: MappedAccess | None) -> User:
    """The account of someone the company's identity provider signed in as `subject`, made on their first
    sign-in and given exactly the role, clearance and (when the mapping names them) reader groups `access`
    holds, on every sign-in. Raises SignInRefused when `access` is None (no rule gave a role: no account is
    made, and an existing one is deactivated, which ends its sessions and API keys), when an admin
    deactivated the account, or when a local account already has the name (it is not taken over)."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(oidc_subject=subject).first()
        if access is None:
            if user is not None and user.is_active:
                user.is_active = False
                user.deactivated_at_sign_in = timezone.now()
                user.save(update_fields=["is_active", "deactivated_at_sign_in"])
        else:
            user = _provider_account(user=user, subject=subject, username=username, email=email, access=access)
    if access is None:
        raise SignInRefused(
            "Your company account has no group or role that gives access to Sluice. Ask whoever manages "
            "access to Sluice at your company to add you to one."
        )
    return user


def _provider_account(*, user: User | None, subject: str, username: str, email: str, access: MappedAccess) -> User:
    if user is None:
        if User.objects.filter(username__iexact=username).exists():
            # The provider's name is not proof of owning a local account of that name: never take one over.
            raise SignInRefused(
                f"An account named {username} already exists in Sluice and was not made by the company sign-in. "
                "Ask an admin to rename or remove it."
            )
        user = User(username=username, oidc_subject=subject)
        user.set_unusable_password()
    elif not user.is_active and user.deactivated_at_sign_in is None:
        raise SignInRefused("Your Sluice account has been deactivated by an admin. Ask an admin to reactivate it.")
    user.role = access.role
    user.clearance = access.clearance
    user.email = email
    user.is_active = True
    user.is_staff = False
    user.must_change_password = False
    user.deactivated_at_sign_in = None
    user.save()
    if access.groups is not None:
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in access.groups])
    return user
