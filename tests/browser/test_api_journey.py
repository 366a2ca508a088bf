"""The API in the browser: an admin makes a service account on the API keys page and copies its key, shown
once; a program uses it; the Swagger UI renders from the package under the Content-Security-Policy, with
no error logged (a refused inline script or style, or a file from a CDN, would log one)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import User

pytestmark = pytest.mark.browser


def test_an_admin_makes_a_service_key_a_program_uses_it_and_the_docs_render(
    page: Page, sign_in, admin: User, live_server: LiveServer, console_errors: list[str]
) -> None:
    sign_in(admin)
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Service account").fill("ci-review")
    page.get_by_label("Key name").fill("CI review bot")
    page.get_by_label("Workload").select_option("ci")
    page.get_by_label("search").check()
    page.get_by_role("button", name="Create key").click()

    key = page.locator("code.user-password").inner_text()
    assert key.startswith("sluice_")
    found = httpx.get(
        f"{live_server.url}/api/v1/search", params={"q": "rollback"}, headers={"x-api-key": key}, timeout=60
    )
    assert found.status_code == 200 and found.json()["passages"] == []
    page.goto("/manage/keys/")  # a GET: the key is not shown again
    expect(page.get_by_text("CI review bot")).to_be_visible()
    assert key not in page.content()

    page.get_by_role("link", name="API", exact=True).click()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Sluice API")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/ask")).to_be_visible()
    assert console_errors == []
