"""Django's password validators (settings.AUTH_PASSWORD_VALIDATORS) hold wherever a password is chosen:
the services every entry point goes through (the users page, add_user, the demo set-up)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password

from accounts.clearance import Classification
from accounts.errors import WeakPassword
from accounts.models import User
from accounts.roles import Role
from accounts.services import create_user, upsert_user
from tests.conftest import created_with_one_time_password

WEAK = ["a", "password", "12345678", "123456789012345", "password1234"]


@pytest.mark.parametrize("password", WEAK)
def test_upsert_user_refuses_a_weak_password_and_creates_nobody(db: None, password: str) -> None:
    with pytest.raises(WeakPassword) as raised:
        upsert_user(
            username="nina", role=Role.EMPLOYEE, clearance=Classification.INTERNAL, groups=[], password=password
        )

    assert raised.value.field == "password"
    assert not User.objects.filter(username="nina").exists()


@pytest.mark.parametrize("password", WEAK)
def test_create_user_refuses_a_weak_password_and_creates_nobody(db: None, admin: User, password: str) -> None:
    with pytest.raises(WeakPassword):
        create_user(
            acting_user=admin,
            username="nina",
            role=Role.EMPLOYEE,
            clearance=Classification.INTERNAL,
            groups=[],
            team=None,
            password=password,
        )

    assert not User.objects.filter(username="nina").exists()


def test_a_password_like_the_username_is_refused(db: None) -> None:
    with pytest.raises(WeakPassword, match="too similar to the username"):
        upsert_user(
            username="margaretha.lindqvist",
            role=Role.EMPLOYEE,
            clearance=Classification.INTERNAL,
            groups=[],
            password="margarethalindqvist",
        )


def test_the_generated_one_time_password_passes_the_validators(db: None, admin: User) -> None:
    user, one_time = created_with_one_time_password(admin)

    assert one_time is not None and user.check_password(one_time)
    validate_password(one_time, user)
