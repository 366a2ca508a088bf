"""API keys: shown once, stored only as a hash, found by their prefix; revoked, expired and unknown keys are
refused with a code, and the message never repeats the key."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.utils import timezone

from accounts.api_keys import authenticate_api_key, issue_api_key, revoke_api_key, upsert_service_account
from accounts.clearance import Classification
from accounts.errors import AccountError, ApiKeyRejected
from accounts.models import ApiKey


def test_a_key_is_stored_only_as_its_hash_and_authenticates_as_its_user(employee):
    issued = issue_api_key(user=employee, name="laptop script")

    assert issued.key.startswith("sluice_") and len(issued.key) > 50
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apikey")
        stored = " ".join(str(v) for v in cursor.fetchone())
    assert issued.key not in stored and issued.key.split("_", 2)[2] not in stored
    assert issued.api_key.key_hash == hashlib.sha256(issued.key.encode()).hexdigest()
    found = authenticate_api_key(issued.key)
    assert found.id == issued.api_key.id and found.user == employee
    assert found.last_used_at is not None


@pytest.mark.parametrize(
    ("spoil", "code"),
    [
        (lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"), "key_invalid"),  # right prefix, wrong secret
        (lambda key: "sluice_000000000000_" + key.split("_", 2)[2], "key_invalid"),  # unknown prefix
        (lambda key: "not a key", "key_invalid"),
        (lambda key: "", "key_invalid"),
    ],
)
def test_a_wrong_key_is_invalid_and_the_message_never_repeats_it(employee, spoil, code):
    issued = issue_api_key(user=employee, name="script")
    wrong = spoil(issued.key)

    with pytest.raises(ApiKeyRejected) as rejected:
        authenticate_api_key(wrong)

    assert rejected.value.code == code
    assert (wrong or "sluice_") not in rejected.value.message and issued.key not in rejected.value.message


def test_a_revoked_key_is_refused_at_once_and_revoking_again_keeps_the_first_time(employee):
    issued = issue_api_key(user=employee, name="script")
    first = revoke_api_key(key_id=issued.api_key.id).revoked_at

    with pytest.raises(ApiKeyRejected) as rejected:
        authenticate_api_key(issued.key)

    assert rejected.value.code == "key_revoked"
    assert revoke_api_key(key_id=issued.api_key.id).revoked_at == first


def test_an_expired_key_is_refused(employee):
    issued = issue_api_key(user=employee, name="script", expires_at=timezone.now() + dt.timedelta(hours=1))
    authenticate_api_key(issued.key)

    with pytest.raises(ApiKeyRejected) as rejected:
        authenticate_api_key(issued.key, now=timezone.now() + dt.timedelta(hours=2))

    assert rejected.value.code == "key_expired"


def test_a_deactivated_users_key_is_refused(employee):
    issued = issue_api_key(user=employee, name="script")
    employee.is_active = False
    employee.save()

    with pytest.raises(ApiKeyRejected):
        authenticate_api_key(issued.key)


def test_a_key_cannot_be_made_already_expired_or_without_a_name(employee):
    with pytest.raises(AccountError):
        issue_api_key(user=employee, name="script", expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(AccountError):
        issue_api_key(user=employee, name="  ")
    assert not ApiKey.objects.exists()


def test_a_service_account_has_no_password_and_keeps_its_ceiling(db):
    service = upsert_service_account(
        name="ci-bot", team="platform", workload="ci", clearance=Classification.INTERNAL, groups=["engineering"]
    )

    assert service.is_service and not service.has_usable_password()
    assert service.clearance == Classification.INTERNAL and service.team.name == "platform"
    assert list(service.groups.values_list("name", flat=True)) == ["engineering"]
    again = upsert_service_account(name="ci-bot", team="", workload="batch", clearance=Classification.PUBLIC, groups=[])
    assert again.id == service.id and again.clearance == Classification.PUBLIC and again.team is None


def test_a_persons_name_cannot_become_a_service_account(employee):
    with pytest.raises(AccountError, match="person"):
        upsert_service_account(
            name=employee.username, team="", workload="ci", clearance=Classification.PUBLIC, groups=[]
        )
    employee.refresh_from_db()
    assert not employee.is_service
