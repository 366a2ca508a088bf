"""An employee asks what the documents do not say: told so, and given the documents that came closest to check."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from retrieval.services import IngestResult

pytestmark = pytest.mark.browser

Ingest = Callable[..., IngestResult]

DEPLOYS = """# Deploy runbook

## Rolling back

To roll back a bad deploy, run the rollback pipeline for the previous release tag. A rollback takes about five
minutes and needs no approval.
"""


def test_an_answer_not_in_the_documents_links_the_closest_ones_and_cites_none(
    page: Page,
    employee: User,
    ingest: Ingest,
    sign_in: Callable[[User], None],
    screenshot: Callable[[str], None],
    console_errors: list[str],
) -> None:
    ingest("deploys.md", DEPLOYS)
    sign_in(employee)

    page.get_by_label("Your question").fill("How much does a rollback cost?")
    page.get_by_role("button", name="Ask").click()

    card = page.get_by_role("article").filter(has_text="How much does a rollback cost?")
    expect(card).to_contain_text("none of them states the sum you asked for")
    expect(card.get_by_role("heading", name="Closest documents")).to_be_visible()
    expect(card.get_by_role("heading", name="Sources")).to_have_count(0)
    screenshot("employee-not-in-the-documents.png")
    card.get_by_role("link", name="Deploy runbook").click()
    expect(page.get_by_text("run the rollback pipeline for the previous release tag")).to_be_visible()
    assert console_errors == []
