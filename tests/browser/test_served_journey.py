"""An employee in the browser against the real `manage.py serve` (as `make run` starts it), not the live
server: the page is styled and its scripts run, from the collected, hashed static files."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Response, expect

from tests.conftest import password_of
from tests.serving import ServedSluice

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The first question of a fresh server may wait for a worker to load the embedding model.
ANSWER_TIMEOUT_MS = 60_000


def test_employee_asks_on_the_served_app_and_the_page_is_styled(
    served_page: Page, served: ServedSluice, console_errors: list[str]
) -> None:
    page = served_page
    static: list[Response] = []
    page.on("response", lambda response: static.append(response) if "/static/" in response.url else None)

    # erin and the deploy runbook are in the served database (tests/conftest.py's `served`).
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("erin")
    page.get_by_label("Password").fill(password_of("erin"))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    # sluice.css applies (the top bar's colour), htmx runs.
    expect(page.locator(".topbar")).to_have_css("background-color", "rgb(20, 33, 61)")
    assert page.evaluate("() => typeof window.htmx") == "object"

    page.get_by_label("Your question").fill("How do I roll back a bad deploy?")
    # ask.js posts to the stream URL; without it the form would post to /ask/ and reload the page.
    with page.expect_response(re.compile(r"/ask/stream/$"), timeout=ANSWER_TIMEOUT_MS) as streamed:
        page.get_by_role("button", name="Ask").click()
    assert streamed.value.status == 200

    answer = page.get_by_role("article").filter(has_text="How do I roll back a bad deploy?")
    expect(answer.get_by_role("link", name="Deploy runbook")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(answer).to_contain_text("rollback pipeline")
    expect(answer).to_contain_text("[1]")
    # No model is configured on a fresh `make run` without `make local-llm`: the extractive backend answers.
    expect(answer.get_by_text(re.compile(r"Answered on-prem by extractive"))).to_be_visible()

    loaded = {re.sub(r"\.[0-9a-f]{12}\.", ".", response.url.split("/static/")[1]): response for response in static}
    assert {"sluice.css", "vendor/htmx-2.0.11.min.js", "ask.js"} <= loaded.keys(), [r.url for r in static]
    assert all(response.status == 200 for response in static), [(r.url, r.status) for r in static]
    assert all(re.search(r"\.[0-9a-f]{12}\.\w+$", response.url) for response in static), [r.url for r in static]
    # Nothing refused by the Content-Security-Policy, nothing failed to load.
    assert console_errors == []
