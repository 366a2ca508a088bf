"""An admin uploads two files with the script: each file goes in its own request, with its own progress bar."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import FilePayload, Page, expect

from accounts.models import User
from retrieval.models import IngestionJob

pytestmark = pytest.mark.browser

BACKUPS = b"# Backup policy\n\nDatabase backups run every night and are kept for thirty days.\n"
VPN = b"# Remote access\n\nThe office VPN requires a hardware security key for every engineer.\n"


def test_each_file_gets_its_own_progress_bar_and_request(
    page: Page, admin: User, sign_in: Callable[[User], None], console_errors: list[str]
) -> None:
    sign_in(admin)
    page.goto("/manage/documents/")
    expect(page.locator("#upload-drop.dropzone")).to_be_visible()  # the script is running

    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.method) if r.url.endswith("/manage/documents/") else None)
    page.get_by_label("Files").set_input_files(
        [
            FilePayload(name="backups.md", mimeType="text/markdown", buffer=BACKUPS),
            FilePayload(name="vpn.md", mimeType="text/markdown", buffer=VPN),
        ]
    )
    page.get_by_role("button", name="Upload").click()

    uploads = page.get_by_role("list", name="Uploads").get_by_role("listitem")
    expect(uploads).to_have_count(2)
    for name in ["backups.md", "vpn.md"]:
        item = uploads.filter(has_text=name)
        expect(item).to_contain_text("done")
        expect(item.get_by_role("progressbar")).to_have_attribute("value", "100")
    # The jobs table is refreshed from the page the last upload landed on, without a reload.
    expect(page.get_by_role("row").filter(has_text="backups.md")).to_contain_text("Queued")
    expect(page.get_by_role("row").filter(has_text="vpn.md")).to_contain_text("Queued")
    assert requests.count("POST") == 2
    assert sorted(IngestionJob.objects.values_list("filename", flat=True)) == ["backups.md", "vpn.md"]
    assert console_errors == []
