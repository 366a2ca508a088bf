"""An employee in the browser asks a follow-up in one conversation, finds it in the history and continues it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from assistant.models import Conversation
from retrieval.services import IngestResult

pytestmark = pytest.mark.browser

Ingest = Callable[..., IngestResult]

ACCESS = """# Production access

To request production access, open an ACC ticket and run tsh request create for the prod-operator role.

Requests for production access are approved by one member of the prod-approvers group in #access-requests.
"""
EXPENSES = """# Expense approvals

Who approves expenses: your manager approves your expenses in Ramp. A VP approves expenses above USD 1,000,
and the CFO approves the expenses of VPs. Approvals are due within five days.
"""


def test_employee_asks_a_follow_up_in_one_conversation_and_continues_it_from_the_history(
    page: Page,
    employee: User,
    ingest: Ingest,
    sign_in: Callable[[User], None],
    screenshot: Callable[[str], None],
    console_errors: list[str],
) -> None:
    ingest("access.md", ACCESS)
    ingest("expenses.md", EXPENSES)
    sign_in(employee)

    page.get_by_label("Your question").fill("How do I request production access?")
    page.get_by_role("button", name="Ask").click()
    expect(page.get_by_label("Your question")).to_have_value("")  # emptied when sent: the draft card shows it
    first = page.get_by_role("article").filter(has_text="How do I request production access?")
    expect(first).to_contain_text("tsh request create")
    # Typed while the first answer may still be streaming: the Ask button waits for it (disabled until its
    # final event, which carries the conversation), so the follow-up is neither cleared nor sent without it.
    page.get_by_label("Your question").fill("And who approves that?")
    page.get_by_role("button", name="Ask").click()

    follow_up = page.get_by_role("article").filter(has_text="And who approves that?")
    expect(follow_up).to_contain_text("prod-approvers")
    expect(follow_up.get_by_role("link", name="Production access")).to_be_visible()
    expect(follow_up.get_by_role("link", name="kept in your history")).to_be_visible()  # the final event came
    expect(page.get_by_role("article")).to_have_count(2)  # the first turn stays above the follow-up
    conversation = Conversation.objects.get()
    assert list(conversation.turns.order_by("id").values_list("question", flat=True)) == [
        "How do I request production access?",
        "And who approves that?",
    ]
    screenshot("conversation.png")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    page.get_by_role("link", name="How do I request production access?").first.click()
    expect(page).to_have_url(re.compile(rf"/conversations/{conversation.id}/$"))
    expect(page.get_by_role("article")).to_have_count(2)
    page.get_by_label("Your question").fill("How long does it last?")
    page.get_by_role("button", name="Ask").click()
    third = page.get_by_role("article").filter(has_text="How long does it last?")
    expect(third.get_by_role("link", name="kept in your history")).to_be_visible()
    expect(page.get_by_role("article")).to_have_count(3)
    assert Conversation.objects.get().turns.count() == 3

    page.get_by_role("link", name="New conversation").click()
    expect(page.get_by_role("article")).to_have_count(0)
    assert console_errors == []
