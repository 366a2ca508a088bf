"""API keys and service accounts: the credentials programs use to act as a user.

A key is `sluice_<prefix>_<secret>`: 12 hex characters of prefix that find its row, and 256 random bits
of secret. Only the SHA-256 of the whole key is stored. A slow password hash (PBKDF2, Argon2) protects
guessable secrets that people choose; against 256 random bits it adds nothing but a cost on every
request, so a fast hash, compared in constant time, is the right one here (as GitHub's and Stripe's
tokens are checked).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.clearance import Classification
from accounts.errors import AccountError, ApiKeyRejected
from accounts.models import ApiKey, User
from accounts.roles import Role
from accounts.services import check_admin_change

KEY_PREFIX = "sluice_"
# Writing last_used_at on every request would make each call a write; a minute is precise enough.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    """A new key: `key` is the only time the secret exists in clear; it is never stored or shown again."""

    api_key: ApiKey
    key: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _parse(key: str) -> str | None:
    """The prefix of a well-formed key, else None."""
    if not key.startswith(KEY_PREFIX):
        return None
    prefix, _, secret = key[len(KEY_PREFIX) :].partition("_")
    if len(prefix) != 12 or not secret:
        return None
    return prefix


@transaction.atomic
def issue_api_key(
    *,
    user: User,
    name: str,
    expires_at: dt.datetime | None = None,
    endpoints: Sequence[str] = (),
    acting_user: User | None = None,
) -> IssuedKey:
    """Make a key that acts as `user` (never above the user's own clearance and groups, which are read at
    each request). `endpoints` limits it to those API endpoints (empty: all the user may call).
    Raises AccountError for an inactive user, an empty name or an expiry in the past."""
    if not user.is_active:
        raise AccountError(f"{user.username} is deactivated: a key would not work.", field="user")
    name = name.strip()
    if not name:
        raise AccountError("Give the key a name that says what uses it.", field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise AccountError("The expiry is in the past: give a time to come.", field="expires")
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        key_hash=hash_key(key),
        endpoints=sorted(set(endpoints)),
        expires_at=expires_at,
        created_by=acting_user,
    )
    return IssuedKey(api_key=api_key, key=key)


@transaction.atomic
def upsert_service_account(
    *, name: str, team: str, workload: str, clearance: Classification, groups: Sequence[str]
) -> User:
    """Create or update the service account `name` with exactly this team, workload, clearance ceiling and
    reader groups. It has no password: it can only act through its keys. Raises AccountError when a
    person's account has that name."""
    user = User.objects.filter(username=name).first()
    if user is not None and not user.is_service:
        raise AccountError(f"{name!r} is a person's account: choose another name for the service.", field="service")
    if user is None:
        user = User(username=name, is_service=True)
        user.set_unusable_password()
    user.role = Role.EMPLOYEE
    user.clearance = clearance
    user.service_workload = workload
    user.team = Group.objects.get_or_create(name=team)[0] if team else None
    user.save()
    user.groups.set([Group.objects.get_or_create(name=g)[0] for g in groups])
    return user


@transaction.atomic
def issue_service_key(
    *,
    acting_user: User,
    service: str,
    key_name: str,
    team: Group | None,
    workload: str,
    clearance: Classification,
    groups: Sequence[Group],
    endpoints: Sequence[str],
    expires_at: dt.datetime | None,
) -> IssuedKey:
    """An admin creates (or updates) the service account `service` and gives it a new key, on the users
    pages' rules: never cleared above the admin, never in a reader group the admin is not in, never a
    person's account nor a service account cleared above the admin. Raises an AccountError (nothing
    changed) otherwise."""
    existing = User.objects.filter(username=service).first()
    if existing is not None and not existing.is_service:
        raise AccountError(f"{service!r} is a person's account: choose another name for the service.", field="service")
    check_admin_change(
        acting_user=acting_user,
        user=existing,
        role=Role.EMPLOYEE,
        clearance=clearance,
        is_active=True,
        groups=groups,
        new_group_names=(),
    )
    user = upsert_service_account(
        name=service,
        team=team.name if team else "",
        workload=workload,
        clearance=clearance,
        groups=[g.name for g in groups],
    )
    return issue_api_key(user=user, name=key_name, expires_at=expires_at, endpoints=endpoints, acting_user=acting_user)


def list_api_keys() -> QuerySet[ApiKey]:
    """Every key, newest first, with its user (the admins' keys page)."""
    return ApiKey.objects.select_related("user").order_by("-created_at", "-id")


def revoke_api_key(*, key_id: int) -> ApiKey:
    """Revoke the key at once (idempotent: a revoked key keeps its first revocation time).
    Raises ApiKey.DoesNotExist for an unknown id."""
    api_key = ApiKey.objects.get(id=key_id)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def authenticate_api_key(key: str, *, now: dt.datetime | None = None) -> ApiKey:
    """The key's row, with its user, when `key` is a valid key: known, not revoked, not expired, its user
    active. Records when it was last used. Raises ApiKeyRejected with a code (`key_invalid`, `key_revoked`,
    `key_expired`) and a message that never repeats the key."""
    now = now or timezone.now()
    prefix = _parse(key.strip())
    api_key = ApiKey.objects.select_related("user").filter(prefix=prefix).first() if prefix else None
    # The hash is compared even for a revoked or expired key: only its holder learns that it was revoked.
    if api_key is None or not hmac.compare_digest(api_key.key_hash, hash_key(key.strip())):
        raise ApiKeyRejected("key_invalid", "This API key is not valid: check it was copied whole, or ask for one.")
    if api_key.revoked_at is not None:
        raise ApiKeyRejected("key_revoked", f"API key {api_key.id} was revoked: ask an admin for a new one.")
    if api_key.expires_at is not None and api_key.expires_at <= now:
        raise ApiKeyRejected("key_expired", f"API key {api_key.id} expired: ask an admin for a new one.")
    if not api_key.user.is_active:
        raise ApiKeyRejected("key_invalid", f"API key {api_key.id} belongs to a deactivated account.")
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_PRECISION:
        ApiKey.objects.filter(id=api_key.id).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
