"""Signing in with the company's identity provider, in the browser, through the real redirect flow: Sluice's
sign-in page, the provider's own page (a real OpenID Connect provider process on loopback, tests/oidc_provider/),
back to Sluice signed in with the role and groups the provider's claims give; signing out ends the provider's
session too, so the next sign-in asks for the password there again; once the provider takes the person's groups
away, that sign-in is refused on a page that says why."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.oidc_provider import OidcProvider

pytestmark = pytest.mark.browser


def start_company_sign_in(page: Page) -> None:
    page.goto("/history/")
    page.get_by_role("link", name="Sign in with Example Corp").click()


def sign_in_at_the_provider(page: Page, username: str, password: str) -> None:
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("Provider username").fill(username)
    page.get_by_label("Provider password").fill(password)
    page.get_by_role("button", name="Continue to Sluice").click()


def test_an_employee_signs_in_with_the_company_account_and_is_refused_once_their_groups_are_gone(
    page: Page, company_sign_in: OidcProvider, settings, console_errors: list[str]
) -> None:
    settings.OIDC_PROVIDER_NAME = "Example Corp"
    company_sign_in.set_user("ulla", password="ulla-at-the-provider", groups=["staff", "readers-engineering"])

    start_company_sign_in(page)
    sign_in_at_the_provider(page, "ulla", "ulla-at-the-provider")

    expect(page.get_by_role("heading", name="Your history")).to_be_visible()  # where she was going
    expect(page.get_by_text("ulla · employee · cleared for internal")).to_be_visible()
    ulla = User.objects.get(username="ulla")
    assert list(ulla.groups.values_list("name", flat=True)) == ["engineering"]
    page.get_by_role("button", name="Sign out").click()
    # Through the provider's end-session endpoint and back to Sluice's sign-in page.
    expect(page.get_by_role("link", name="Sign in with Example Corp")).to_be_visible()

    company_sign_in.set_user("ulla", password="ulla-at-the-provider", groups=["readers-engineering"])
    start_company_sign_in(page)  # signed out at the provider too: it asks for her password again
    sign_in_at_the_provider(page, "ulla", "ulla-at-the-provider")

    expect(page.get_by_role("heading", name="Sign-in refused")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("no group or role that gives access to Sluice")
    # Chromium logs the refusal page's own 403 as a failed load; nothing else may be logged.
    assert len(console_errors) == 1 and "status of 403" in console_errors[0]
