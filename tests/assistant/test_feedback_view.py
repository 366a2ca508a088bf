"""Thumbs up or down with an optional comment on an answer (/answers/<audit id>/feedback/): only by the
asker, one per answer and changeable, the comment stored redacted, shown to auditors with the request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.clearance import Classification
from accounts.models import User
from accounts.roles import Role
from assistant.models import Feedback
from assistant.services import KeptAnswer, answer_question
from routing.audit import purge_audit_before
from routing.models import AuditEvent, PolicyVersion
from tests.conftest import make_user

QUESTION = "How do I roll back a bad deploy?"
EMAIL = "bob.jones@example.com"


@pytest.fixture
def colleague(db: None) -> User:
    return make_user("colm", Role.EMPLOYEE, Classification.INTERNAL, ["engineering"])


@pytest.fixture
def answer(employee: User) -> KeptAnswer:
    """An answer the employee was given (audited and kept in their history)."""
    return answer_question(question=QUESTION, acting_user=employee)


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def url(answer: KeptAnswer) -> str:
    return f"/answers/{answer.answer.audit_id}/feedback/"


def test_the_asker_votes_and_is_sent_back_to_the_answer_in_their_history(
    client: Client, employee: User, answer: KeptAnswer
) -> None:
    back = f"/history/{answer.history_id}/"

    response = login(client, employee).post(url(answer), {"vote": "up", "comment": "Clear steps.", "next": back})

    assert response.status_code == 302 and response["Location"] == back
    feedback = Feedback.objects.get()
    assert feedback.audit_event_id == answer.answer.audit_id
    assert (feedback.user, feedback.username, feedback.vote, feedback.comment) == (
        employee,
        "erin",
        "up",
        "Clear steps.",
    )
    page = client.get(back).content.decode()
    assert "Your feedback: Helpful" in page and 'value="up" required checked' in page


def test_voting_again_changes_the_one_feedback(client: Client, employee: User, answer: KeptAnswer) -> None:
    login(client, employee).post(url(answer), {"vote": "up", "comment": "Good."})

    client.post(url(answer), {"vote": "down", "comment": "Actually the tag was wrong."})

    feedback = Feedback.objects.get()
    assert feedback.vote == Feedback.Vote.DOWN and feedback.comment == "Actually the tag was wrong."
    assert feedback.updated_at > feedback.created_at


def test_an_email_in_the_comment_is_never_stored(client: Client, employee: User, answer: KeptAnswer) -> None:
    login(client, employee).post(url(answer), {"vote": "down", "comment": f"Ask {EMAIL} instead, this is stale."})

    feedback = Feedback.objects.get()
    assert EMAIL not in feedback.comment
    assert feedback.comment == "Ask [EMAIL_1] instead, this is stale."
    assert feedback.comment_findings == {"email": 1}
    assert not Feedback.objects.filter(comment__contains="bob.jones").exists()
    assert not AuditEvent.objects.filter(question__contains="bob.jones").exists()


def test_a_secret_in_the_comment_is_never_stored(client: Client, employee: User, answer: KeptAnswer) -> None:
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"

    login(client, employee).post(url(answer), {"vote": "down", "comment": f"my token {token} did not work"})

    assert token not in Feedback.objects.get().comment


def test_the_policys_own_patterns_are_removed_from_the_comment(
    client: Client, employee: User, answer: KeptAnswer
) -> None:
    login(client, employee).post(url(answer), {"vote": "down", "comment": "wrong for CUST-123456"})

    feedback = Feedback.objects.get()
    assert feedback.comment == "wrong for [CUSTOM_CUSTOMER_ID_1]"
    assert feedback.comment_findings == {"custom:customer_id": 1}


def test_with_an_invalid_policy_the_comment_is_dropped_and_the_vote_kept(
    client: Client, employee: User, answer: KeptAnswer
) -> None:
    PolicyVersion.objects.update(is_active=False)
    PolicyVersion.objects.create(version="broken", text="rules: [", is_active=True)

    login(client, employee).post(url(answer), {"vote": "down", "comment": "wrong for CUST-123456"})

    feedback = Feedback.objects.get()
    assert (feedback.vote, feedback.comment) == ("down", "")


def test_only_the_asker_may_give_feedback(
    client: Client, answer: KeptAnswer, colleague: User, admin: User, auditor: User
) -> None:
    for user in (colleague, admin, auditor):
        response = login(client, user).post(url(answer), {"vote": "down", "comment": "not mine"})
        assert response.status_code == 404, user.username

    assert not Feedback.objects.exists()


def test_feedback_on_an_unknown_answer_is_404(client: Client, employee: User) -> None:
    assert login(client, employee).post("/answers/999999/feedback/", {"vote": "up"}).status_code == 404


def test_anonymous_feedback_is_sent_to_login(client: Client, answer: KeptAnswer) -> None:
    response = client.post(url(answer), {"vote": "up"})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Feedback.objects.exists()


def test_feedback_needs_a_vote(client: Client, employee: User, answer: KeptAnswer) -> None:
    response = login(client, employee).post(url(answer), {"comment": "forgot to choose"})

    assert response.status_code == 422
    assert "Choose helpful or not helpful." in response.content.decode()
    assert not Feedback.objects.exists()


def test_with_htmx_the_form_comes_back_with_the_feedback_saved(
    client: Client, employee: User, answer: KeptAnswer
) -> None:
    response = login(client, employee).post(
        url(answer), {"vote": "down", "comment": f"write to {EMAIL}"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Thank you. Your feedback: Not helpful" in html and "[EMAIL_1]" in html and EMAIL not in html


def test_a_plain_post_never_goes_back_to_another_site(client: Client, employee: User, answer: KeptAnswer) -> None:
    response = login(client, employee).post(url(answer), {"vote": "up", "next": "https://evil.example/"})

    assert response["Location"] == "/history/"


def test_feedback_needs_a_post(client: Client, employee: User, answer: KeptAnswer) -> None:
    assert login(client, employee).get(url(answer)).status_code == 405


def test_the_answer_on_the_ask_page_carries_the_feedback_form(client: Client, employee: User) -> None:
    html = login(client, employee).post("/ask/", {"question": QUESTION}).content.decode()

    audit_id = AuditEvent.objects.get().id
    assert f'action="/answers/{audit_id}/feedback/"' in html
    assert 'name="vote" value="up"' in html and 'name="vote" value="down"' in html


def test_auditors_see_the_feedback_redacted_on_the_request(
    client: Client, employee: User, auditor: User, answer: KeptAnswer
) -> None:
    login(client, employee).post(url(answer), {"vote": "down", "comment": f"Wrong owner, ask {EMAIL}."})

    html = login(client, auditor).get(f"/audit/{answer.answer.audit_id}/").content.decode()

    assert "Feedback from the asker" in html
    assert "Not helpful" in html and "Wrong owner, ask [EMAIL_1]." in html and "1 email" in html
    assert EMAIL not in html


def test_auditors_see_when_there_is_no_feedback(client: Client, auditor: User, answer: KeptAnswer) -> None:
    html = login(client, auditor).get(f"/audit/{answer.answer.audit_id}/").content.decode()

    assert "No feedback on this answer." in html


def test_feedback_goes_with_its_audit_row_when_the_log_is_purged(
    client: Client, employee: User, answer: KeptAnswer
) -> None:
    login(client, employee).post(url(answer), {"vote": "up"})

    purge_audit_before(timezone.now() + timedelta(seconds=1))

    assert not Feedback.objects.exists()
