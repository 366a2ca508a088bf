"""Suggested questions on the empty ask page: drawn only from documents the reader may read."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from urllib.parse import quote

import pytest
from django.test import Client

from accounts.models import User
from assistant.selectors import list_suggested_questions
from retrieval.selectors import get_reader
from retrieval.services import IngestResult

Ingest = Callable[..., IngestResult]

# name: (classification, reader groups, text); each title names who may read it.
DOCS = {
    "public.md": ("public", [], "# Public status page\n\n## Incident updates\n\nUpdated within fifteen minutes."),
    "internal.md": ("internal", [], "# Internal deploys\n\n## Rolling back\n\nUse the rollback button."),
    "eng.md": ("internal", ["engineering"], "# Engineering on-call\n\n## Handover\n\nAt ten every Monday."),
    "fin.md": ("internal", ["finance"], "# Finance close\n\n## Ledger\n\nCloses on the third business day."),
    "conf.md": ("confidential", [], "# Confidential keys\n\n## Rotation\n\nThrough the vault."),
    "restr.md": ("restricted", ["security"], "# Restricted recovery\n\n## Officers\n\nFive officers."),
}


@pytest.fixture
def corpus(ingest: Ingest) -> None:
    for name, (classification, groups, text) in DOCS.items():
        ingest(name, text, classification, groups)


def suggested(user: User) -> list[str]:
    return [s.question for s in list_suggested_questions(get_reader(user), limit=50)]


def page_suggestions(client: Client, user: User) -> list[str]:
    client.force_login(user)
    page = client.get("/").content.decode()
    return [html_lib.unescape(q) for q in re.findall(r'<li><a href="/\?q=[^"]*">([^<]*)</a>', page)]


def test_an_employee_gets_suggestions_only_from_what_their_clearance_and_groups_allow(
    client: Client, corpus: None, employee: User
) -> None:
    shown = page_suggestions(client, employee)

    assert sorted(shown) == sorted(
        [
            "What does “Public status page” say about “Incident updates”?",
            "What does “Internal deploys” say about “Rolling back”?",
            "What does “Engineering on-call” say about “Handover”?",
        ]
    )


def test_a_public_reader_gets_only_public_suggestions(client: Client, corpus: None, contractor: User) -> None:
    assert page_suggestions(client, contractor) == ["What does “Public status page” say about “Incident updates”?"]


def test_a_cleared_reader_outside_a_group_gets_no_suggestion_from_its_documents(corpus: None, admin: User) -> None:
    questions = " ".join(suggested(admin))

    assert "Confidential keys" in questions  # cleared for it, no groups on it
    assert "Restricted recovery" not in questions and "Finance close" not in questions
    assert "Engineering on-call" not in questions


def test_at_most_five_the_most_recently_updated_first(ingest: Ingest, employee: User) -> None:
    for n in range(7):
        ingest(f"note-{n}.md", f"# Note {n}\n\n## Topic {n}\n\nText {n}.", "public")

    shown = [s.question for s in list_suggested_questions(get_reader(employee))]

    assert shown == [f"What does “Note {n}” say about “Topic {n}”?" for n in (6, 5, 4, 3, 2)]


def test_a_document_without_sections_is_asked_about_as_a_whole(ingest: Ingest, employee: User) -> None:
    ingest("parking.md", "# Parking\n\nPermits are renewed every January.", "public")

    assert suggested(employee) == ["What is “Parking” about?"]


def test_a_suggestion_links_to_the_ask_page_with_the_question_filled_in(
    client: Client, corpus: None, contractor: User
) -> None:
    question = "What does “Public status page” say about “Incident updates”?"
    client.force_login(contractor)

    page = client.get("/").content.decode()
    filled = client.get("/", {"q": question}).content.decode()

    assert f'href="/?q={quote(question)}"' in page
    textarea = re.search(r"<textarea[^>]*>([^<]*)</textarea>", filled)
    assert textarea and html_lib.unescape(textarea.group(1)) == question


def test_no_suggestions_beside_an_answer(client: Client, corpus: None, employee: User) -> None:
    client.force_login(employee)

    page = client.post("/ask/", {"question": "How do I roll back a deploy?"}).content.decode()

    assert "Suggested questions" not in page


def test_no_documents_no_suggestions(client: Client, employee: User) -> None:
    client.force_login(employee)

    assert "Suggested questions" not in client.get("/").content.decode()
