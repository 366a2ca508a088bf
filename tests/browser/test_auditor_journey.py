"""An auditor in the browser: filters the query log, opens a request in full, exports the filtered rows."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from retrieval.services import IngestResult
from routing.services import answer_question

pytestmark = pytest.mark.browser

Ingest = Callable[..., IngestResult]

RUNBOOK = "# Deploy runbook\n\nTo roll back a bad deploy, run the rollback pipeline for the previous release tag.\n"


def test_auditor_filters_the_log_opens_a_request_and_exports_csv(
    page: Page,
    employee: User,
    auditor: User,
    ingest: Ingest,
    sign_in: Callable[[User], None],
    screenshot: Callable[[str], None],
    console_errors: list[str],
) -> None:
    ingest("deploy-runbook.md", RUNBOOK)
    answer_question(question="I am dana.cho@quillfern.example: how do I roll back a deploy?", acting_user=employee)
    answer_question(question="Where is the holiday calendar?", acting_user=employee)
    sign_in(auditor)

    page.get_by_role("link", name="Audit log").click()
    log = page.get_by_role("table").filter(has_text="roll back")
    expect(page.get_by_text("Where is the holiday calendar?")).to_be_visible()
    screenshot("auditor-log.png")

    page.get_by_label("Words in the question").fill("roll back")
    page.get_by_role("button", name="Filter").click()

    expect(page).to_have_url(re.compile(r"[?&]q=roll\+back"))
    expect(page.get_by_text("Where is the holiday calendar?")).to_have_count(0)
    expect(log).to_contain_text("[EMAIL_1]")  # stored redacted
    assert "dana.cho@quillfern.example" not in page.content()

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert len(rows) == 1 and "[EMAIL_1]" in rows[0]["question"]

    log.get_by_role("link").first.click()

    expect(page).to_have_url(re.compile(r"/audit/\d+/$"))
    expect(page.get_by_role("table").filter(has_text="extractive").first).to_be_visible()
    assert "dana.cho@quillfern.example" not in page.content()

    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Requests by route")).to_be_visible()
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    screenshot("auditor-dashboard.png")
    assert console_errors == []
