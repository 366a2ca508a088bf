"""An employee in the browser: asks, follows a citation, and cannot reach the admin pages."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from retrieval.services import IngestResult

pytestmark = pytest.mark.browser

Ingest = Callable[..., IngestResult]

DEPLOY_RUNBOOK = """# Deploy runbook

## Rolling back

To roll back a bad deploy, run the rollback pipeline for the previous release tag.
The rollback pipeline restores the previous container image within five minutes.
"""

# Typed into the address bar: the admin's upload page and its htmx partial, and the auditors' log.
FORBIDDEN_URLS = ["/manage/documents/", "/manage/documents/jobs/", "/audit/"]


def test_employee_asks_and_opens_the_cited_passage(
    page: Page,
    employee: User,
    ingest: Ingest,
    sign_in: Callable[[User], None],
    screenshot: Callable[[str], None],
    console_errors: list[str],
) -> None:
    chunk = ingest("deploy-runbook.md", DEPLOY_RUNBOOK).document.chunks.get()
    sign_in(employee)

    assert page.evaluate("() => typeof window.htmx") == "object"  # static files are served
    page.get_by_label("Your question").fill("How do I roll back a bad deploy?")
    page.get_by_role("button", name="Ask").click()

    answer = page.get_by_role("article").filter(has_text="How do I roll back a bad deploy?")
    citation = answer.get_by_role("link", name="Deploy runbook")
    expect(citation).to_be_visible()
    expect(answer).to_contain_text("rollback pipeline")
    expect(answer).to_contain_text("[1]")
    # No model backend is configured in tests: the in-process extractive one answers.
    expect(answer.get_by_text(re.compile(r"Answered on-prem by extractive"))).to_be_visible()
    screenshot("employee-ask.png")

    citation.click()

    expect(page).to_have_url(re.compile(rf"/passages/{chunk.id}/#passage-{chunk.id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Deploy runbook")
    cited = page.locator('[aria-current="true"]')
    expect(cited).to_contain_text("run the rollback pipeline for the previous release tag")
    assert console_errors == []


def test_employee_gets_403_from_admin_and_audit_pages_and_sees_no_link_to_them(
    page: Page, employee: User, sign_in: Callable[[User], None], console_errors: list[str]
) -> None:
    sign_in(employee)

    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Ask")).to_be_visible()
    expect(nav.get_by_role("link", name="Documents")).to_have_count(0)
    expect(page.locator('a[href^="/manage/"], a[href^="/audit/"]')).to_have_count(0)

    for url in FORBIDDEN_URLS:
        response = page.goto(url)
        assert response is not None and response.status == 403, url
        expect(page.get_by_role("table")).to_have_count(0)
        expect(page.locator("form")).to_have_count(0)  # no upload or filter form, no sign-out either
    # The only errors are the refused loads themselves.
    assert len(console_errors) == len(FORBIDDEN_URLS), console_errors
    assert all("403 (Forbidden)" in e for e in console_errors), console_errors
