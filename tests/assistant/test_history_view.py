"""Each user's own history of questions and answers (/history/, /history/<id>/): kept per ask, shown only
to its owner, searchable, deletable."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from django.test import Client

from accounts.clearance import Classification
from accounts.models import User
from accounts.roles import Role
from assistant.models import Conversation, HistoryEntry
from assistant.services import answer_question
from retrieval.models import Document
from retrieval.services import IngestResult
from routing.models import AuditEvent
from tests.conftest import make_user

Ingest = Callable[..., IngestResult]

RUNBOOK = """# Deploy runbook

To roll back a bad deploy, run the rollback pipeline for the previous release tag.
"""
QUESTION = "How do I roll back a bad deploy?"


@pytest.fixture
def colleague(db: None) -> User:
    """Another employee with the same access as `employee`: still never sees erin's history."""
    return make_user("colm", Role.EMPLOYEE, Classification.INTERNAL, ["engineering"])


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def stream(client: Client, question: str) -> str:
    """Ask through the server-sent events view; the final event's HTML."""
    body = b"".join(client.post("/ask/stream/", {"question": question}).streaming_content).decode()
    final = [block for block in body.split("\n\n") if block.startswith("event: final")]
    return json.loads(final[0].split("data: ", 1)[1])["html"]


def test_a_plain_ask_is_kept_in_the_askers_history_with_what_they_saw(
    client: Client, employee: User, ingest: Ingest
) -> None:
    chunk = ingest("deploy-runbook.md", RUNBOOK).document.chunks.get()

    html = login(client, employee).post("/ask/", {"question": QUESTION}).content.decode()

    entry = HistoryEntry.objects.get()
    audit = AuditEvent.objects.get()
    assert entry.owner == employee and entry.question == QUESTION
    assert entry.text == "To roll back a bad deploy, run the rollback pipeline for the previous release tag. [1]"
    assert entry.citations == [
        {
            "n": 1,
            "chunk_id": chunk.id,
            "document_id": chunk.document_id,
            "title": "Deploy runbook",
            "heading_path": "Deploy runbook",
            "classification": Classification.INTERNAL,
            "classification_label": Classification.INTERNAL.label,
            "attributed": False,
        }
    ]
    assert entry.audit_id == audit.id
    assert (entry.backend, entry.zone, entry.model) == ("extractive", "onprem", "extractive-v1")
    assert entry.route.startswith("Answered on-prem by extractive")
    assert not entry.refused and not entry.fell_back and not entry.cut_off
    assert f'href="/history/{entry.id}/"' in html


def test_a_streamed_ask_is_kept_in_the_history_too(client: Client, employee: User, ingest: Ingest) -> None:
    ingest("deploy-runbook.md", RUNBOOK)

    html = stream(login(client, employee), QUESTION)

    entry = HistoryEntry.objects.get()
    assert entry.owner == employee and entry.question == QUESTION
    assert entry.audit_id == AuditEvent.objects.get().id
    assert f'href="/history/{entry.id}/"' in html


def test_a_refusal_is_kept_with_its_reason(employee: User) -> None:
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"

    answer = answer_question(question=f"my token {token} broke the deploy", acting_user=employee)

    entry = HistoryEntry.objects.get(id=answer.history_id)
    shown = answer.answer
    assert entry.text == shown.text and entry.route == shown.route and entry.refused == shown.refused


def test_the_history_keeps_the_question_as_typed_while_the_audit_keeps_it_redacted(employee: User) -> None:
    question = "Can alice.smith@example.com see the deploy runbook?"

    answer_question(question=question, acting_user=employee)

    assert HistoryEntry.objects.get().question == question
    assert "alice.smith@example.com" not in AuditEvent.objects.get().question


def test_the_list_shows_only_the_owners_questions_newest_first(client: Client, employee: User, colleague: User) -> None:
    for question in ("first question about deploys", "second question about on-call"):
        answer_question(question=question, acting_user=employee)
    answer_question(question="colleague's private worry", acting_user=colleague)

    html = login(client, employee).get("/history/").content.decode()

    assert html.index("second question about on-call") < html.index("first question about deploys")
    assert "private worry" not in html


def test_the_owner_opens_an_entry_with_its_answer_route_and_citation_links(
    client: Client, employee: User, ingest: Ingest
) -> None:
    chunk = ingest("deploy-runbook.md", RUNBOOK).document.chunks.get()
    answer = answer_question(question=QUESTION, acting_user=employee)

    response = login(client, employee).get(f"/history/{answer.history_id}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert QUESTION in html and "rollback pipeline" in html
    assert f'href="/passages/{chunk.id}/#passage-{chunk.id}"' in html
    assert "On-prem · extractive-v1" in html and f"audit #{answer.answer.audit_id}" in html


def test_another_employee_gets_404_for_an_entry_that_is_not_theirs(
    client: Client, employee: User, colleague: User
) -> None:
    entry_id = answer_question(question=QUESTION, acting_user=employee).history_id

    assert login(client, colleague).get(f"/history/{entry_id}/").status_code == 404
    assert client.get("/history/999999/").status_code == 404


def test_an_admin_or_auditor_cannot_open_an_employees_entry_either(
    client: Client, employee: User, admin: User, auditor: User
) -> None:
    entry_id = answer_question(question=QUESTION, acting_user=employee).history_id

    assert login(client, admin).get(f"/history/{entry_id}/").status_code == 404
    assert login(client, auditor).get(f"/history/{entry_id}/").status_code == 404


@pytest.mark.parametrize("url", ["/history/", "/history/1/"])
def test_anonymous_visitor_is_sent_to_login(client: Client, db: None, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_citation_reopened_later_checks_access_again(client: Client, employee: User, ingest: Ingest) -> None:
    document = ingest("deploy-runbook.md", RUNBOOK).document
    chunk = document.chunks.get()
    entry_id = answer_question(question=QUESTION, acting_user=employee).history_id
    Document.objects.filter(id=document.id).update(classification=Classification.CONFIDENTIAL)
    login(client, employee)

    html = client.get(f"/history/{entry_id}/").content.decode()
    link = re.search(r'href="(/passages/\d+/)#passage-\d+"', html)

    assert link and link.group(1) == f"/passages/{chunk.id}/"
    assert client.get(link.group(1)).status_code == 404


def test_search_finds_the_owners_questions_by_word_and_by_part_of_a_word(
    client: Client, employee: User, colleague: User
) -> None:
    answer_question(question="How do I roll back a bad deploy?", acting_user=employee)
    answer_question(question="Who is on call for the Borealis project?", acting_user=employee)
    answer_question(question="How are deploys approved?", acting_user=colleague)
    login(client, employee)

    stemmed = client.get("/history/", {"q": "deploys"}).content.decode()
    partial_word = client.get("/history/", {"q": "Borea"}).content.decode()
    nothing = client.get("/history/", {"q": "payroll"}).content.decode()

    assert "roll back a bad deploy" in stemmed and "Borealis" not in stemmed and "approved" not in stemmed
    assert "Borealis" in partial_word and "roll back" not in partial_word
    assert "None of your questions matches" in nothing


def test_search_with_htmx_returns_only_the_list(client: Client, employee: User) -> None:
    answer_question(question=QUESTION, acting_user=employee)

    response = login(client, employee).get("/history/", {"q": "roll"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert 'id="history-entries"' in html and "<html" not in html and "roll back" in html


def test_a_history_restore_after_an_htmx_search_gets_the_whole_page(client: Client, employee: User) -> None:
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}

    html = login(client, employee).get("/history/", {"q": "roll"}, headers=headers).content.decode()

    assert "<html" in html


def test_the_list_is_paginated_in_a_fixed_number_of_queries(
    client: Client, employee: User, django_assert_num_queries
) -> None:
    conversations = Conversation.objects.bulk_create(
        Conversation(owner=employee, title=f"question number {n}") for n in range(25)
    )
    entries = [
        HistoryEntry(owner=employee, conversation=c, question=c.title, text="answer", audit_id=n)
        for n, c in enumerate(conversations)
    ]
    HistoryEntry.objects.bulk_create(entries)
    login(client, employee)

    # session, user, count, page of conversations, their turns
    with django_assert_num_queries(5):
        first = client.get("/history/").content.decode()
    second = client.get("/history/", {"page": 2}).content.decode()

    assert len(re.findall(r'href="/history/\d+/"', first)) == 20
    assert "Page 1 of 2" in first and "question number 4<" in second


def test_the_owner_deletes_one_entry(client: Client, employee: User) -> None:
    keep = answer_question(question="keep this one", acting_user=employee).history_id
    drop = answer_question(question="delete this one", acting_user=employee).history_id

    response = login(client, employee).post(f"/history/{drop}/delete/")

    assert response.status_code == 302 and response["Location"] == "/history/"
    assert list(HistoryEntry.objects.values_list("id", flat=True)) == [keep]
    assert AuditEvent.objects.count() == 2  # the audit log keeps its own, redacted record


def test_nobody_else_can_delete_an_entry(client: Client, employee: User, colleague: User) -> None:
    entry_id = answer_question(question=QUESTION, acting_user=employee).history_id

    response = login(client, colleague).post(f"/history/{entry_id}/delete/")

    assert response.status_code == 404
    assert HistoryEntry.objects.filter(id=entry_id).exists()


def test_the_owner_deletes_all_of_their_history_and_only_theirs(
    client: Client, employee: User, colleague: User
) -> None:
    for n in range(3):
        answer_question(question=f"mine {n}", acting_user=employee)
    theirs = answer_question(question="theirs", acting_user=colleague).history_id

    response = login(client, employee).post("/history/delete/")

    assert response.status_code == 302
    assert list(HistoryEntry.objects.values_list("id", flat=True)) == [theirs]
    assert "Your history is empty" in client.get("/history/").content.decode()


def test_deleting_needs_a_post(client: Client, employee: User) -> None:
    entry_id = answer_question(question=QUESTION, acting_user=employee).history_id
    login(client, employee)

    assert client.get(f"/history/{entry_id}/delete/").status_code == 405
    assert client.get("/history/delete/").status_code == 405
    assert HistoryEntry.objects.count() == 1


def test_every_signed_in_user_sees_the_history_link(client: Client, employee: User, admin: User) -> None:
    for user in (employee, admin):
        assert 'href="/history/"' in login(client, user).get("/").content.decode()


def test_a_nul_byte_in_the_history_search_is_ignored(client, employee):
    client.force_login(employee)

    assert client.get("/history/", {"q": "roll\x00back"}).status_code == 200
