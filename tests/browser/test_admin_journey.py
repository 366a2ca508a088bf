"""An admin in the browser: uploads two files and sees them become searchable."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import FilePayload, Page, expect

from accounts.models import User

pytestmark = pytest.mark.browser

BACKUPS = b"# Backup policy\n\nDatabase backups run every night and are kept for thirty days.\n"
VPN = b"# Remote access\n\nThe office VPN requires a hardware security key for every engineer.\n"


def ask(page: Page, question: str) -> None:
    page.get_by_label("Your question").fill(question)
    page.get_by_role("button", name="Ask").click()


def test_admin_uploads_two_files_and_they_become_searchable(
    page: Page,
    admin: User,
    sign_in: Callable[[User], None],
    run_ingestion_worker: Callable[[], None],
    screenshot: Callable[[str], None],
    console_errors: list[str],
) -> None:
    sign_in(admin)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", name="Upload documents")).to_be_visible()

    page.get_by_label("Files").set_input_files(
        [
            FilePayload(name="backups.md", mimeType="text/markdown", buffer=BACKUPS),
            FilePayload(name="vpn.md", mimeType="text/markdown", buffer=VPN),
        ]
    )
    page.get_by_role("button", name="Upload").click()

    backups_row = page.get_by_role("row").filter(has_text="backups.md")
    vpn_row = page.get_by_role("row").filter(has_text="vpn.md")
    expect(backups_row).to_contain_text("Queued")
    expect(vpn_row).to_contain_text("Queued")

    run_ingestion_worker()

    # The table polls while jobs are pending (htmx, every 2 s) and shows the outcome without a reload.
    expect(backups_row).to_contain_text("Ingested")
    expect(backups_row).to_contain_text("Backup policy · v1")
    expect(vpn_row).to_contain_text("Ingested")
    expect(vpn_row).to_contain_text("Remote access · v1")
    screenshot("admin-documents.png")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ask").click()
    for question, title, fact in [
        ("How long are database backups kept?", "Backup policy", "thirty days"),
        ("Does the VPN need a security key?", "Remote access", "hardware security key"),
    ]:
        ask(page, question)
        answer = page.get_by_role("article").filter(has_text=question)
        expect(answer.get_by_role("link", name=title)).to_be_visible()
        expect(answer).to_contain_text(fact)
        expect(answer.get_by_text(re.compile(r"Answered on-prem by extractive"))).to_be_visible()
    assert console_errors == []
