"""Signing in, in the browser: a new user's one-time password leads to the password-change page and
nowhere else until they choose their own; too many wrong passwords lead to the locked-out page. No
page logs an error (a Content-Security-Policy refusal would)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.conftest import created_with_one_time_password

pytestmark = pytest.mark.browser


def sign_in_as(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_new_user_chooses_their_own_password_before_anything_else(
    page: Page, admin: User, console_errors: list[str]
) -> None:
    _, one_time = created_with_one_time_password(admin)

    sign_in_as(page, "nina", one_time)
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    page.goto("/history/")
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()

    page.get_by_label("Current password").fill(one_time)
    page.get_by_label("New password", exact=True).fill("a-password-of-my-own-42")
    page.get_by_label("New password again").fill("a-password-of-my-own-42")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    page.get_by_role("link", name="Go to Ask").click()
    expect(page.get_by_label("Your question")).to_be_visible()
    assert console_errors == []


def test_too_many_wrong_passwords_show_when_to_try_again(page: Page, employee: User, console_errors: list[str]) -> None:
    for n in range(5):
        sign_in_as(page, "erin", f"wrong-guess-{n}")

    expect(page.get_by_role("heading", name="Too many failed sign-ins")).to_be_visible()
    expect(page.locator(".unlocks-at")).to_contain_text("UTC")
    # Chromium logs the page's own 429 as a failed load; nothing else may be logged.
    assert len(console_errors) == 1 and "status of 429" in console_errors[0]
