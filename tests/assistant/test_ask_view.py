"""The ask page (/ and /ask/) through Django's test client, with real retrieval and the extractive backend."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import User
from assistant.models import HistoryEntry
from fakes.common import Script
from retrieval.models import Chunk
from retrieval.selectors import get_reader, search_passages
from retrieval.services import IngestResult
from routing.models import AuditEvent
from tests.conftest import FAKE_ANTHROPIC_KEY, FAKE_ANTHROPIC_MODEL

Ingest = Callable[..., IngestResult]

DEPLOY_RUNBOOK = """# Deploy runbook

To roll back a bad deploy, run the rollback pipeline for the previous release tag.
The rollback pipeline restores the previous container image within five minutes.
"""

# The same topic twice: the confidential memo states the figures the question asks for,
# the internal note only mentions the project.
CONFIDENTIAL_MEMO = """# Borealis acquisition terms

The Borealis acquisition price is forty million euros, payable in March.
The board approved the Borealis acquisition price on Tuesday.
"""
INTERNAL_NOTE = """# Borealis staff note

Staff will hear about the Borealis acquisition at the next all-hands meeting.
"""
PRICE_QUESTION = "What is the Borealis acquisition price?"


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def citation_links(html: str) -> list[int]:
    """Chunk ids of the citation links on a page, in order (not those of the closest documents' list)."""
    html = re.sub(r'<ul class="closest">.*?</ul>', "", html, flags=re.S)
    return [int(m) for m in re.findall(r'href="/passages/(\d+)/#passage-\d+"', html)]


def closest_links(html: str) -> list[int]:
    """Chunk ids of the links under "Closest documents", in order."""
    listed = re.search(r'<ul class="closest">(.*?)</ul>', html, flags=re.S)
    return [int(m) for m in re.findall(r'href="/passages/(\d+)/#passage-\d+"', listed.group(1))] if listed else []


def test_anonymous_visitor_is_sent_to_login_from_the_ask_page(client: Client, db: None) -> None:
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_question_is_sent_to_login_and_not_audited(client: Client, db: None) -> None:
    response = client.post("/ask/", {"question": "How do I roll back a bad deploy?"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not AuditEvent.objects.exists()


def test_signed_in_employee_sees_the_question_form(client: Client, employee: User) -> None:
    response = login(client, employee).get("/")

    assert response.status_code == 200
    assert 'name="question"' in response.content.decode()


def test_employee_question_gets_a_cited_answer_and_an_audit_row(client: Client, employee: User, ingest: Ingest) -> None:
    runbook = ingest("deploy-runbook.md", DEPLOY_RUNBOOK).document
    chunk_id = runbook.chunks.get().id

    response = login(client, employee).post("/ask/", {"question": "How do I roll back a bad deploy?"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "rollback pipeline" in html
    assert "[1]" in html
    assert citation_links(html) == [chunk_id]
    assert '<li value="1">' in html
    event = AuditEvent.objects.get()
    assert event.acting_user == employee
    assert event.username == "erin"
    assert event.role == "employee"
    assert event.question == "How do I roll back a bad deploy?"
    assert event.outcome == AuditEvent.Outcome.ANSWERED
    assert event.backend == "extractive"
    assert event.passages[0] == {
        "n": 1,
        "chunk_id": chunk_id,
        "document_id": runbook.id,
        "classification": "internal",
        "cited": True,
        "attributed": False,
    }
    assert f"audit #{event.id}" in html


def test_htmx_question_returns_only_the_result_fragment(client: Client, employee: User, ingest: Ingest) -> None:
    ingest("deploy-runbook.md", DEPLOY_RUNBOOK)

    response = login(client, employee).post(
        "/ask/", {"question": "How do I roll back a bad deploy?"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="ask-form"' not in html  # the answer's own feedback form is part of the fragment
    assert html.lstrip().startswith('<section id="result"')
    assert "rollback pipeline" in html
    assert len(citation_links(html)) == 1


def test_empty_question_is_rejected_with_an_error_beside_the_field(client: Client, employee: User) -> None:
    response = login(client, employee).post("/ask/", {"question": "   "})

    html = response.content.decode()
    assert response.status_code == 422
    assert re.search(r'<p class="error" id="question-error" role="alert">This field is required\.</p>', html)
    # The error sits right after the textarea it is about.
    assert html.index('name="question"') < html.index('id="question-error"') < html.index('<button type="submit">Ask')
    assert not AuditEvent.objects.exists()


def test_empty_htmx_question_returns_the_fragment_with_the_error(client: Client, employee: User) -> None:
    response = login(client, employee).post("/ask/", {"question": ""}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 422
    assert "<html" not in html
    assert "This field is required." in html


def test_employee_answer_never_cites_a_confidential_document_that_matches_best(
    client: Client, employee: User, admin: User, ingest: Ingest
) -> None:
    memo = ingest("borealis-terms.md", CONFIDENTIAL_MEMO, classification="confidential").document
    note = ingest("borealis-staff.md", INTERNAL_NOTE, classification="internal").document
    memo_chunk = memo.chunks.get().id
    # The confidential memo is the best match for someone cleared to read it.
    assert search_passages(get_reader(admin), PRICE_QUESTION, k=2).passages[0].document_id == memo.id

    response = login(client, employee).post("/ask/", {"question": PRICE_QUESTION})

    html = response.content.decode()
    assert response.status_code == 200
    assert "forty million" not in html
    assert "Borealis acquisition terms" not in html
    # The note the employee may read speaks of the acquisition but states no sum: the answer says so and names
    # the note as the closest document, citing nothing.
    assert "none of them states the sum you asked for" in html
    assert "The closest documents were: Borealis staff note." in html
    assert citation_links(html) == []
    event = AuditEvent.objects.get()
    assert [p["document_id"] for p in event.passages] == [note.id]
    assert all(p["chunk_id"] != memo_chunk for p in event.passages)
    assert {p["classification"] for p in event.passages} == {"internal"}


def test_question_about_nothing_in_the_corpus_says_nothing_was_found(
    client: Client, employee: User, ingest: Ingest
) -> None:
    runbook = ingest("deploy-runbook.md", DEPLOY_RUNBOOK)

    response = login(client, employee).post("/ask/", {"question": "Which penguins nest on Antarctic glaciers?"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "I could not find anything about this in the documents you can read." in html
    assert citation_links(html) == []
    # The runbook came closest: linked for the reader to check, under its own heading, not as a source.
    assert "Closest documents" in html and "Sources" not in html
    linked = closest_links(html)
    assert len(linked) == 1 and Chunk.objects.get(id=linked[0]).document_id == runbook.document.id
    event = AuditEvent.objects.get()
    assert event.outcome == AuditEvent.Outcome.NOTHING_FOUND
    assert all(p["cited"] is False for p in event.passages)


def test_a_model_answer_that_cites_nothing_shows_the_passages_it_matches_marked_as_attributed(
    client: Client, employee: User, ingest: Ingest, onprem
) -> None:
    chunk_id = ingest("deploy-runbook.md", DEPLOY_RUNBOOK).document.chunks.get().id
    onprem.behave(text="Run the rollback pipeline for the previous release tag to roll back a bad deploy.")

    login(client, employee)
    html = client.post("/ask/", {"question": "How do I roll back a bad deploy?"}).content.decode()

    assert citation_links(html) == [chunk_id]
    assert "Attributed, not cited by the model" in html and "The model cited no passage" in html
    kept = client.get(f"/history/{HistoryEntry.objects.get().id}/").content.decode()
    assert citation_links(kept) == [chunk_id] and "Attributed, not cited by the model" in kept


def test_a_citation_of_a_passage_that_was_not_given_is_removed_and_the_page_says_so(
    client: Client, employee: User, ingest: Ingest, onprem
) -> None:
    chunk_id = ingest("deploy-runbook.md", DEPLOY_RUNBOOK).document.chunks.get().id
    onprem.behave(text="Run the rollback pipeline [1][7].")

    html = login(client, employee).post("/ask/", {"question": "How do I roll back a bad deploy?"}).content.decode()

    assert "Run the rollback pipeline [1]." in html and "[7]" not in html
    assert "1 citation of a passage the model was not given was removed" in html
    assert citation_links(html) == [chunk_id] and "Attributed, not cited" not in html


@pytest.mark.parametrize("method", ["get", "put"])
def test_ask_accepts_only_post(client: Client, employee: User, method: str) -> None:
    response = getattr(login(client, employee), method)("/ask/")

    assert response.status_code == 405


def test_asking_too_often_gets_429_with_retry_after_and_writes_no_audit_row(
    client: Client, employee: User, ingest: Ingest, settings, one_rate_window
) -> None:
    ingest("deploy-runbook.md", DEPLOY_RUNBOOK)
    settings.ASK_RATE_LIMIT_PER_MINUTE = 2
    login(client, employee)
    for _ in range(2):
        assert client.post("/ask/", {"question": "How do I roll back?"}).status_code == 200

    page = client.post("/ask/", {"question": "How do I roll back?"})
    stream = client.post("/ask/stream/", {"question": "How do I roll back?"})

    assert page.status_code == stream.status_code == 429
    assert 1 <= int(page["Retry-After"]) <= 60 and "Too many requests" in page.content.decode()
    assert "Too many requests" in stream.content.decode() and stream["Content-Type"].startswith("text/html")
    assert AuditEvent.objects.count() == 2


def test_the_page_says_what_was_redacted_only_when_the_question_left(
    client: Client, employee: User, ingest: Ingest, settings, fake_anthropic
) -> None:
    ingest("deploy-runbook.md", DEPLOY_RUNBOOK)
    login(client, employee)
    question = {"question": "I am dana.cho@quillfern.example: how do I roll back a deploy?"}

    on_prem = client.post("/ask/", question).content.decode()  # no cloud configured: extractive, on-prem
    settings.ANTHROPIC_API_KEY, settings.ANTHROPIC_MODEL = FAKE_ANTHROPIC_KEY, FAKE_ANTHROPIC_MODEL
    settings.ANTHROPIC_BASE_URL, settings.LOCAL_LLM_BASE_URL = fake_anthropic.url, ""
    fake_anthropic.enqueue(Script(text="Run the rollback pipeline [1]."))
    to_cloud = client.post("/ask/", question).content.decode()

    assert "On-prem" in on_prem and "Redacted before it left" not in on_prem
    assert "Cloud" in to_cloud and "Redacted before it left: 1 email" in to_cloud
    assert AuditEvent.objects.filter(redacted={"email": 1}).count() == 2  # the audit keeps what the bundle held
