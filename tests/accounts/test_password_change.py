"""The password-change page (/accounts/password/), for every signed-in user; a user whose password an admin
chose (a new user's, a reset) sees nothing else until they choose their own."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import User
from tests.conftest import created_with_one_time_password, password_of

NEW = "a-password-of-my-own-42"


def change(client: Client, old: str, new: str, again: str | None = None) -> Any:
    data = {"old_password": old, "new_password1": new, "new_password2": new if again is None else again}
    return client.post("/accounts/password/", data)


@pytest.fixture
def nina(admin: User) -> tuple[User, str]:
    """A user the users page created, with the one-time password it showed."""
    user, one_time = created_with_one_time_password(admin)
    return user, one_time


def test_the_top_bar_links_to_the_page_for_everyone(client: Client, employee: User) -> None:
    client.force_login(employee)

    assert 'href="/accounts/password/"' in client.get("/").content.decode()


def test_a_user_changes_their_password(client: Client, employee: User) -> None:
    client.force_login(employee)

    response = change(client, password_of("erin"), NEW)

    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    employee.refresh_from_db()
    assert employee.check_password(NEW) and not employee.check_password(password_of("erin"))
    assert client.get("/").status_code == 200  # still signed in here


@pytest.mark.parametrize(
    "old, new, again, error",
    [
        ("wrong-current-pass", NEW, None, "old password was entered incorrectly"),
        (password_of("erin"), "password1234", None, "too common"),
        (password_of("erin"), "short", None, "too short"),
        (password_of("erin"), NEW, NEW + "x", "didn’t match"),
        (password_of("erin"), password_of("erin"), None, "other than your current one"),
    ],
)
def test_a_bad_change_is_refused_and_changes_nothing(
    client: Client, employee: User, old: str, new: str, again: str | None, error: str
) -> None:
    client.force_login(employee)

    response = change(client, old, new, again)

    assert response.status_code == 200 and error in response.content.decode()
    employee.refresh_from_db()
    assert employee.check_password(password_of("erin"))


class RefusesOnSecondLook:
    """A validator that accepts a password the first time it sees it and refuses it after: one whose
    answer can change between two calls (a breached-password list being updated, a history)."""

    seen: set[str] = set()

    def validate(self, password: str, user: Any = None) -> None:
        if password in self.seen:
            raise ValidationError("This password has just been found in a breach.")
        self.seen.add(password)

    def get_help_text(self) -> str:
        return ""


def test_a_new_password_is_validated_once(client: Client, employee: User, settings: Any) -> None:
    settings.AUTH_PASSWORD_VALIDATORS = [{"NAME": f"{__name__}.RefusesOnSecondLook"}]
    RefusesOnSecondLook.seen = set()
    client.force_login(employee)

    response = change(client, password_of("erin"), NEW)

    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.check_password(NEW)


def test_the_page_has_no_inline_script_or_style(client: Client, employee: User) -> None:
    client.force_login(employee)
    response = client.get("/accounts/password/")
    page = response.content.decode()

    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in page and "style=" not in page and " on" + "submit=" not in page


def test_a_user_created_with_a_one_time_password_must_change_it_at_sign_in(
    client: Client, nina: tuple[User, str]
) -> None:
    user, one_time = nina
    assert user.must_change_password

    signed_in = client.post("/accounts/login/", {"username": "nina", "password": one_time}, follow=True)

    assert signed_in.redirect_chain[-1][0] == "/accounts/password/"
    assert "An admin set your current password" in signed_in.content.decode()
    for path in ("/", "/history/", "/manage/users/", "/accounts/login/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/password/", path
    asked = client.post("/ask/", {"question": "Where is the runbook?"}, HTTP_HX_REQUEST="true")
    assert asked.status_code == 200 and asked["HX-Redirect"] == "/accounts/password/"

    assert change(client, one_time, NEW).status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW)
    assert client.get("/").status_code == 200


def test_signing_out_and_the_probes_stay_open_to_a_user_who_must_change(
    client: Client, admin: User, settings: Any
) -> None:
    settings.METRICS_TOKEN = ""
    admin.must_change_password = True
    admin.save()
    client.force_login(admin)

    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 200  # an admin may read it
    assert client.get("/static/sluice.css").status_code != 302  # ServeStatic answers before any view (404 here)
    assert client.get("/accounts/password/").status_code == 200
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"
