"""Failed sign-ins are throttled (django-axes, counted in PostgreSQL): by account, whatever its case, and by
address; the locked-out page says until when; the lock ends after the cool-off."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.models import User
from accounts.throttle import client_address
from tests.conftest import password_of

LIMIT = 5


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1") -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_still_signs_in(client: Client, employee: User) -> None:
    response = sign_in(client, "erin", password_of("erin"))

    assert response.status_code == 302 and signed_in(client)


def test_after_many_wrong_passwords_the_right_one_is_refused_with_when_to_try_again(
    client: Client, employee: User
) -> None:
    for n in range(30):
        response = sign_in(client, "erin", f"wrong-guess-{n}")
        assert not signed_in(client)

    before = timezone.now()
    response = sign_in(client, "erin", password_of("erin"))

    assert response.status_code == 429 and not signed_in(client)
    page = response.content.decode()
    assert "Too many failed sign-ins" in page
    until = re.search(r'<time datetime="([^"]+)">(\d\d:\d\d) UTC</time>', page)
    assert until is not None
    unlocks_at = timezone.datetime.fromisoformat(until.group(1))
    # The lock runs its cool-off from the fifth failure: the 25 refused tries after it did not extend it.
    fifth = AccessAttempt.objects.get(username="erin").attempt_time
    assert unlocks_at == fifth + timedelta(minutes=15)
    assert before < unlocks_at <= before + timedelta(minutes=15)
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in page and "style=" not in page


def test_the_lock_starts_at_the_limit(client: Client, employee: User) -> None:
    for n in range(LIMIT - 1):
        assert sign_in(client, "erin", f"wrong-guess-{n}").status_code == 200
    assert sign_in(client, "erin", "wrong-guess-last").status_code == 429

    assert sign_in(client, "erin", password_of("erin")).status_code == 429


def test_changing_the_usernames_case_does_not_escape_the_count(client: Client, employee: User) -> None:
    for n, name in enumerate(["ERIN", "Erin", "eRin", "erIN", "ｅｒｉｎ"]):
        sign_in(client, name, f"wrong-guess-{n}", address=f"10.0.1.{n}")

    response = sign_in(client, "erin", password_of("erin"), address="10.0.2.1")

    assert response.status_code == 429 and not signed_in(client)


def test_one_address_guessing_many_accounts_is_locked_out_of_every_account(
    client: Client, employee: User, admin: User
) -> None:
    for n in range(LIMIT):
        sign_in(client, f"someone-{n}", "wrong-guess", address="10.0.0.66")

    assert sign_in(client, "erin", password_of("erin"), address="10.0.0.66").status_code == 429
    # Another address is not locked, and erin's account was never guessed at.
    assert sign_in(client, "erin", password_of("erin"), address="10.0.0.7").status_code == 302
    assert signed_in(client)


def test_the_lock_ends_after_the_cool_off(client: Client, employee: User) -> None:
    for n in range(LIMIT):
        sign_in(client, "erin", f"wrong-guess-{n}")
    assert sign_in(client, "erin", password_of("erin")).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert sign_in(client, "erin", password_of("erin")).status_code == 302 and signed_in(client)


def test_the_locked_out_page_is_the_same_for_an_unknown_account(client: Client, employee: User) -> None:
    for n in range(LIMIT):
        sign_in(client, "nobody-here", f"wrong-guess-{n}", address="10.0.3.1")
        sign_in(client, "erin", f"wrong-guess-{n}", address="10.0.3.2")

    unknown = sign_in(client, "nobody-here", "another", address="10.0.3.1")
    known = sign_in(client, "erin", "another", address="10.0.3.2")

    assert unknown.status_code == known.status_code == 429
    assert "nobody-here" not in unknown.content.decode() and "erin" not in known.content.decode()


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "203.0.113.9", "192.0.2.1"),  # no proxy: a client's header is ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # what the client wrote itself is left of ours
        (2, "198.51.100.1, 203.0.113.9, 10.1.1.1", "203.0.113.9"),
        (2, "203.0.113.9", "192.0.2.1"),  # fewer hops than proxies: not through them all
        (1, "not-an-address", "192.0.2.1"),
    ],
)
def test_the_clients_address_comes_from_trusted_proxies_only(
    settings: Any, proxies: int, forwarded: str, expected: str
) -> None:
    settings.SIGN_IN_TRUSTED_PROXIES = proxies
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected
