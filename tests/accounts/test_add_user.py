"""The `add_user` management command: create or update a user's role, clearance, groups and password."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.http import HttpRequest
from django.test import RequestFactory

from accounts.clearance import Classification
from accounts.models import User


def run(*args: str) -> str:
    out = StringIO()
    call_command("add_user", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def login_request() -> HttpRequest:
    """The sign-in throttle (django-axes) counts by the request's address: authenticate needs one."""
    return RequestFactory().post("/accounts/login/")


def group_names(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def test_add_user_creates_a_user_with_role_clearance_groups_and_password(db: None) -> None:
    out = run(
        "nina",
        "--role",
        "employee",
        "--clearance",
        "confidential",
        "--groups",
        "finance, legal",
        "--password",
        "first-pass-123",
    )

    assert out.strip() == "Created nina: employee, clearance confidential"
    nina = User.objects.get(username="nina")
    assert nina.role == "employee"
    assert nina.clearance == Classification.CONFIDENTIAL
    assert group_names(nina) == ["finance", "legal"]
    assert authenticate(login_request(), username="nina", password="first-pass-123") == nina
    assert not nina.is_staff


def test_add_user_again_updates_the_user_and_replaces_the_groups(db: None) -> None:
    run(
        "nina", "--role", "employee", "--clearance", "internal", "--groups", "finance,legal",
        "--password", "first-pass-phrase",
    )  # fmt: skip

    out = run(
        "nina",
        "--role",
        "auditor",
        "--clearance",
        "restricted",
        "--groups",
        "audit",
        "--password",
        "second-pass-phrase",
    )

    assert out.strip() == "Updated nina: auditor, clearance restricted"
    assert User.objects.filter(username="nina").count() == 1
    nina = User.objects.get(username="nina")
    assert nina.role == "auditor"
    assert nina.clearance == Classification.RESTRICTED
    assert group_names(nina) == ["audit"]
    assert authenticate(login_request(), username="nina", password="second-pass-phrase") == nina
    assert authenticate(login_request(), username="nina", password="first-pass-phrase") is None


def test_add_user_without_password_keeps_the_existing_one(db: None) -> None:
    run("nina", "--role", "employee", "--password", "keep-this-one")

    run("nina", "--role", "employee", "--clearance", "public")

    assert authenticate(login_request(), username="nina", password="keep-this-one") == User.objects.get(username="nina")


def test_new_user_without_password_cannot_sign_in(db: None) -> None:
    run("nina", "--role", "employee")

    nina = User.objects.get(username="nina")
    assert not nina.has_usable_password()
    assert nina.clearance == Classification.INTERNAL
    assert group_names(nina) == []


@pytest.mark.parametrize(
    "password, reason",
    [
        ("a", "too short"),
        ("password", "too short"),
        ("123456789012345", "entirely numeric"),
        ("password1234", "common"),
    ],
)
def test_add_user_refuses_a_password_the_validators_refuse(db: None, password: str, reason: str) -> None:
    with pytest.raises(CommandError, match=reason):
        run("nina", "--role", "employee", "--password", password)

    assert not User.objects.filter(username="nina").exists()


def test_add_user_keeps_the_old_password_when_the_new_one_is_refused(db: None) -> None:
    run("nina", "--role", "employee", "--password", "keep-this-one")

    with pytest.raises(CommandError, match="too short"):
        run("nina", "--role", "admin", "--password", "short")

    nina = User.objects.get(username="nina")
    assert nina.check_password("keep-this-one") and nina.role == "employee"


def test_add_user_json_summarises_what_was_done(db: None) -> None:
    first = json.loads(
        run("nina", "--role", "admin", "--clearance", "Restricted", "--groups", "ops,ops, ,it", "--json")
    )
    second = json.loads(run("nina", "--role", "admin", "--team", "ops", "--json"))
    third = json.loads(run("nina", "--role", "admin", "--json"))
    fourth = json.loads(run("nina", "--role", "admin", "--team", "", "--json"))

    assert first == {
        "username": "nina",
        "created": True,
        "role": "admin",
        "clearance": "restricted",
        "groups": ["it", "ops"],
        "team": None,
    }
    assert second == {
        "username": "nina", "created": False, "role": "admin", "clearance": "internal", "groups": [], "team": "ops"
    }  # fmt: skip
    assert third["team"] == "ops"  # unchanged when --team is left out
    assert fourth["team"] is None


def test_add_user_with_a_bad_clearance_names_the_valid_values_and_creates_nobody(db: None) -> None:
    with pytest.raises(CommandError) as raised:
        run("nina", "--role", "employee", "--clearance", "top-secret")

    assert (
        str(raised.value)
        == "unknown classification 'top-secret': use one of public, internal, confidential, restricted"
    )
    assert not User.objects.filter(username="nina").exists()


def test_add_user_with_a_bad_role_is_an_error(db: None) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'boss'"):
        run("nina", "--role", "boss")
    assert not User.objects.filter(username="nina").exists()


def test_add_user_help_describes_its_options() -> None:
    parser = load_command_class("accounts", "add_user").create_parser("manage.py", "add_user")
    text = " ".join(parser.format_help().split())  # argparse wraps lines at the terminal width

    assert "Create or update a user with a role, a clearance and reader groups." in text
    for option in ("--role", "--clearance", "--groups", "--password", "--json"):
        assert option in text
    assert "public, internal, confidential or restricted" in text
