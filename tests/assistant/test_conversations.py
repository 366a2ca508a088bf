"""Conversations on the ask page: follow-ups continue one (retrieval understands them, the bundle carries only
the previous question), its class never goes down, and it is its owner's alone."""

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
from assistant.services import answer_question, conversation_context
from fakes.anthropic_server import FakeAnthropic
from fakes.openai_server import FakeOpenAI
from retrieval.services import IngestResult
from routing.egress import outbound_text
from routing.models import AuditEvent
from tests.conftest import make_user

Ingest = Callable[..., IngestResult]

ACCESS = """# Production access

To request production access, open an ACC ticket and run tsh request create for the prod-operator role.

Requests for production access are approved by one member of the prod-approvers group in #access-requests.
"""
EXPENSES = """# Expense approvals

Who approves expenses: your manager approves your expenses in Ramp. A VP approves expenses above USD 1,000,
and the CFO approves the expenses of VPs. Approvals are due within five days.
"""
STRATEGY = """# Acquisition shortlist

The board approved talks with two acquisition targets; the shortlist is reviewed every quarter.
"""
HOLIDAYS = """# Public holidays

## Office

The office is closed on public holidays; the on-call rota still runs on those days.

## Calendar

The public holidays of each office are in the holiday calendar, published every December.

## Working on a public holiday

Whoever works on a public holiday takes another day off within a month.

## Regional holidays

Each office observes the public holidays of its own region.

## Questions

Questions about public holidays go to the people team.
"""
FIRST = "How do I request production access?"
FOLLOW_UP = "And who approves that?"


@pytest.fixture
def colleague(db: None) -> User:
    """Another employee with the same access as `employee`: never sees erin's conversations."""
    return make_user("colm", Role.EMPLOYEE, Classification.INTERNAL, ["engineering"])


@pytest.fixture
def manager(db: None) -> User:
    """Cleared for confidential: reads the acquisition shortlist."""
    return make_user("mona", Role.EMPLOYEE, Classification.CONFIDENTIAL)


def test_a_follow_up_finds_the_document_it_refers_to_where_the_bare_question_does_not(
    employee: User, ingest: Ingest
) -> None:
    access = ingest("access.md", ACCESS).document
    expenses = ingest("expenses.md", EXPENSES).document
    first = answer_question(question=FIRST, acting_user=employee)

    follow_up = answer_question(question=FOLLOW_UP, acting_user=employee, conversation_id=first.conversation_id)
    bare = answer_question(question=FOLLOW_UP, acting_user=employee)

    assert first.answer.passages[0].document_id == access.id
    assert follow_up.conversation_id == first.conversation_id
    assert follow_up.answer.passages[0].document_id == access.id
    assert "prod-approvers" in follow_up.answer.text
    assert bare.conversation_id != first.conversation_id
    assert bare.answer.passages[0].document_id == expenses.id


def test_each_turn_is_kept_in_its_conversation_and_the_audit_names_it(employee: User, ingest: Ingest) -> None:
    ingest("access.md", ACCESS)
    first = answer_question(question=FIRST, acting_user=employee)

    second = answer_question(question=FOLLOW_UP, acting_user=employee, conversation_id=first.conversation_id)

    conversation = Conversation.objects.get()
    assert conversation.owner == employee and conversation.title == FIRST
    assert list(conversation.turns.order_by("id").values_list("question", flat=True)) == [FIRST, FOLLOW_UP]
    audits = [AuditEvent.objects.get(id=k.answer.audit_id).decision["conversation"] for k in (first, second)]
    assert [(a["id"], a["turn"], a["follow_up"]) for a in audits] == [
        (conversation.id, 1, False),
        (conversation.id, 2, True),
    ]
    assert audits[1]["carried_class"] == "internal"


def test_a_confidential_turn_keeps_the_rest_of_the_conversation_off_the_cloud(
    manager: User, ingest: Ingest, cloud: FakeAnthropic, onprem: FakeOpenAI
) -> None:
    ingest("shortlist.md", STRATEGY, classification="confidential")
    ingest("holidays.md", HOLIDAYS)
    first = answer_question(question="Which acquisition targets are on the shortlist?", acting_user=manager)
    assert first.answer.decision.data_class == Classification.CONFIDENTIAL and first.answer.zone == "onprem"
    # The same internal question in a new conversation goes to the cloud, as the policy says.
    alone = answer_question(question="Is the office open on public holidays?", acting_user=manager)
    assert alone.answer.zone == "cloud" and len(cloud.requests) == 1

    then = answer_question(
        question="Is the office open on public holidays?", acting_user=manager, conversation_id=first.conversation_id
    )

    assert then.answer.zone == "onprem" and len(cloud.requests) == 1
    assert then.answer.decision.data_class == Classification.CONFIDENTIAL
    assert "an earlier turn of this conversation was confidential" in then.answer.route
    assert then.answer.carried_class == "confidential"
    assert Conversation.objects.get(id=first.conversation_id).data_class == Classification.CONFIDENTIAL


def test_the_page_shows_the_sticky_class_on_the_route_badge(
    client: Client, manager: User, ingest: Ingest, cloud: FakeAnthropic, onprem: FakeOpenAI
) -> None:
    ingest("shortlist.md", STRATEGY, classification="confidential")
    ingest("holidays.md", HOLIDAYS)
    first = answer_question(question="Which acquisition targets are on the shortlist?", acting_user=manager)
    client.force_login(manager)

    html = client.post(
        "/ask/", {"question": "Is the office open on public holidays?", "conversation": first.conversation_id}
    ).content.decode()

    assert "Treated as confidential: an earlier turn was" in html
    assert "This conversation is treated as confidential at least" in html
    assert cloud.requests == []


def test_a_secret_in_an_earlier_turn_keeps_later_turns_on_prem_and_never_sends_it(
    employee: User, ingest: Ingest, cloud: FakeAnthropic, onprem: FakeOpenAI
) -> None:
    ingest("access.md", ACCESS)
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    first = answer_question(
        question=f"My token {token} fails: how do I request production access?", acting_user=employee
    )

    then = answer_question(question=FOLLOW_UP, acting_user=employee, conversation_id=first.conversation_id)

    assert then.answer.zone == "onprem" and cloud.requests == []
    assert "an earlier turn of this conversation held a secret" in then.answer.route
    assert token not in onprem.received().decode()
    assert Conversation.objects.get().held_secret


def test_the_bundle_carries_only_the_previous_question_redacted(
    employee: User, ingest: Ingest, cloud: FakeAnthropic
) -> None:
    ingest("access.md", ACCESS)
    first = answer_question(question="Can alice.smith@example.com request production access?", acting_user=employee)
    second = answer_question(question=FOLLOW_UP, acting_user=employee, conversation_id=first.conversation_id)

    answer_question(question="How long does it last?", acting_user=employee, conversation_id=first.conversation_id)

    assert second.answer.zone == "cloud"
    sent = [outbound_text(r.body) for r in cloud.requests]
    assert "alice.smith@example.com" not in "".join(sent)
    assert "Can [EMAIL_1] request production access?" in sent[1]  # the turn before, redacted
    assert "And who approves that?" in sent[2] and "request production access?" not in sent[2]  # not the history


def test_another_users_conversation_cannot_be_seen_or_continued(
    client: Client, employee: User, colleague: User, ingest: Ingest
) -> None:
    ingest("access.md", ACCESS)
    theirs = answer_question(question=FIRST, acting_user=employee).conversation_id
    client.force_login(colleague)

    assert client.get(f"/conversations/{theirs}/").status_code == 404
    assert client.post("/ask/", {"question": FOLLOW_UP, "conversation": theirs}).status_code == 404
    assert client.post("/ask/stream/", {"question": FOLLOW_UP, "conversation": theirs}).status_code == 404
    with pytest.raises(Conversation.DoesNotExist):
        answer_question(question=FOLLOW_UP, acting_user=colleague, conversation_id=theirs)
    assert "production access" not in client.get("/history/").content.decode()
    assert HistoryEntry.objects.filter(owner=colleague).count() == 0 and AuditEvent.objects.count() == 1


def test_without_javascript_the_page_keeps_the_conversation_in_the_form(
    client: Client, employee: User, ingest: Ingest
) -> None:
    ingest("access.md", ACCESS)
    client.force_login(employee)

    first = client.post("/ask/", {"question": FIRST}).content.decode()
    conversation = Conversation.objects.get()
    second = client.post("/ask/", {"question": FOLLOW_UP, "conversation": conversation.id}).content.decode()

    assert f'name="conversation" value="{conversation.id}"' in first
    assert f'name="conversation" value="{conversation.id}"' in second
    assert second.index(FIRST) < second.index(FOLLOW_UP) < second.index('id="ask-form"')  # turns above the box
    assert 'href="/"' in second and "New conversation" in second
    assert Conversation.objects.count() == 1 and HistoryEntry.objects.count() == 2


def test_the_stream_says_which_conversation_the_answer_joined(client: Client, employee: User, ingest: Ingest) -> None:
    ingest("access.md", ACCESS)
    first = answer_question(question=FIRST, acting_user=employee)
    client.force_login(employee)

    body = b"".join(
        client.post("/ask/stream/", {"question": FOLLOW_UP, "conversation": first.conversation_id}).streaming_content
    ).decode()

    final = json.loads(next(b for b in body.split("\n\n") if b.startswith("event: final")).split("data: ", 1)[1])
    assert final["conversation"] == first.conversation_id
    assert f'data-conversation="{first.conversation_id}"' in final["html"]
    assert FIRST in final["html"]  # the earlier turn, above the box


def test_the_history_lists_conversations_and_opens_one_to_continue_it(
    client: Client, employee: User, ingest: Ingest
) -> None:
    ingest("access.md", ACCESS)
    first = answer_question(question=FIRST, acting_user=employee)
    answer_question(question=FOLLOW_UP, acting_user=employee, conversation_id=first.conversation_id)
    answer_question(question="Is the office open on public holidays?", acting_user=employee)
    client.force_login(employee)

    listed = client.get("/history/").content.decode()
    opened = client.get(f"/conversations/{first.conversation_id}/").content.decode()

    assert len(re.findall(r'href="/conversations/\d+/"', listed)) == 2
    assert listed.index("public holidays") < listed.index(FIRST) < listed.index(FOLLOW_UP)
    assert "2 questions" in listed
    assert FIRST in opened and FOLLOW_UP in opened
    assert f'name="conversation" value="{first.conversation_id}"' in opened


def test_a_later_turn_is_numbered_from_its_earlier_turns_read_in_one_query(
    employee: User, ingest: Ingest, django_assert_num_queries
) -> None:
    ingest("access.md", ACCESS)
    first = answer_question(question=FIRST, acting_user=employee)
    answer_question(question=FOLLOW_UP, acting_user=employee, conversation_id=first.conversation_id)
    conversation = Conversation.objects.get()

    with django_assert_num_queries(1):
        context = conversation_context(conversation)
    third = answer_question(
        question="And how long does it last?", acting_user=employee, conversation_id=conversation.id
    )

    assert (context.id, context.turn, context.previous.question) == (conversation.id, 3, FOLLOW_UP)
    assert AuditEvent.objects.get(id=third.answer.audit_id).decision["conversation"]["turn"] == 3
