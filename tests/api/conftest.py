"""Callers of the API besides the personas' sessions: keys, made as `create_api_key` makes them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from accounts.api_keys import issue_api_key, revoke_api_key, upsert_service_account
from accounts.clearance import Classification
from accounts.models import ApiKey, User


@dataclass(frozen=True)
class Key:
    api_key: ApiKey
    key: str

    @property
    def bearer(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.key}"}

    @property
    def header(self) -> dict[str, str]:
        return {"HTTP_X_API_KEY": self.key}


def make_key(user: User, name: str = "script", **kwargs) -> Key:
    issued = issue_api_key(user=user, name=name, **kwargs)
    return Key(issued.api_key, issued.key)


@pytest.fixture
def service(db: None) -> User:
    """A CI job's service account: internal ceiling, group engineering, team platform, workload ci."""
    return upsert_service_account(
        name="ci-bot", team="platform", workload="ci", clearance=Classification.INTERNAL, groups=["engineering"]
    )


@pytest.fixture
def erin_key(employee: User) -> Key:
    return make_key(employee, "erin's script")


@pytest.fixture
def expired_key(employee: User) -> Key:
    key = make_key(employee, "old script", expires_at=timezone.now() + dt.timedelta(seconds=30))
    ApiKey.objects.filter(id=key.api_key.id).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    return key


@pytest.fixture
def revoked_key(employee: User) -> Key:
    key = make_key(employee, "leaked script")
    revoke_api_key(key_id=key.api_key.id)
    return key
