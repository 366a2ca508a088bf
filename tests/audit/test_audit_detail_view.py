"""One request in full (/audit/<id>/): the Decision, every attempt, the passages, counts by kind, the hashes."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from routing.models import AuditEvent
from routing.services import answer_question

SERVER_ERROR = {
    "target": "claude",
    "zone": "cloud",
    "model": "claude-haiku-4-5",
    "outcome": "server_error",
    "latency_ms": 30.2,
    "input_tokens": 0,
    "output_tokens": 0,
    "cost_usd": 0.0,
    "usage_estimated": False,
}
EXTRACTIVE_OK = {
    "target": "extractive",
    "zone": "onprem",
    "model": "extractive-v1",
    "outcome": "ok",
    "latency_ms": 4.7,
    "input_tokens": 640,
    "output_tokens": 95,
    "cost_usd": 0.0,
    "usage_estimated": True,
}


@pytest.fixture
def detail(client: Client, auditor: User):
    client.force_login(auditor)

    def _get(event: AuditEvent) -> str:
        response = client.get(f"/audit/{event.id}/")
        assert response.status_code == 200
        return response.content.decode()

    return _get


def test_the_detail_shows_the_whole_decision(detail, write_audit, employee: User) -> None:
    event = write_audit(employee, policy_version="default-7")

    html = detail(event)

    assert "internal-cloud-redacted" in html  # rule
    assert html.index("claude <span") < html.index("extractive <span")  # targets in order, with zones
    assert '<span class="muted">(cloud)</span>' in html and '<span class="muted">(onprem)</span>' in html
    assert "<dt>Redact</dt><dd>yes" in html
    assert "<dt>Max passages</dt><dd>4</dd>" in html
    assert "<dt>On failure</dt><dd>degrade</dd>" in html
    assert "internal data may use the cloud, redacted" in html  # reasons
    assert "default-7" in html


def test_the_detail_lists_every_attempt(detail, write_audit, employee: User) -> None:
    event = write_audit(
        employee,
        attempts=[SERVER_ERROR, SERVER_ERROR, EXTRACTIVE_OK],
        backend="extractive",
        model="extractive-v1",
        fallback_used=True,
    )

    html = detail(event)

    table = html[html.index("Attempts, in the order") : html.index("</table>", html.index("Attempts, in the order"))]
    assert table.count("<tr>") == 4  # header and three attempts
    assert table.count(">server_error</td>") == 2 and ">ok</td>" in table
    assert '<td class="num">640</td>' in table and '<td class="num">95</td>' in table
    assert "<td>yes</td>" in table  # usage estimated
    assert "extractive · onprem" in html


def test_the_detail_links_each_passage_to_its_page(detail, write_audit, employee: User) -> None:
    passages = [
        {"n": 1, "chunk_id": 41, "document_id": 9, "classification": "internal", "cited": True},
        {"n": 2, "chunk_id": 57, "document_id": 12, "classification": "confidential", "cited": False},
    ]
    html = detail(write_audit(employee, passages=passages))

    assert 'href="/passages/41/#passage-41"' in html and 'href="/passages/57/#passage-57"' in html
    assert "document 12" in html and "confidential" in html


def test_the_detail_shows_counts_by_kind_and_the_hashes(detail, write_audit, employee: User) -> None:
    first = write_audit(employee)
    event = write_audit(
        employee, question="Mail [EMAIL_1] about [PHONE_1]", findings={"email": 1, "phone": 1}, redacted={"email": 1}
    )

    html = detail(event)

    assert '<th scope="row">email</th><td class="num">1</td>' in html
    assert '<th scope="row">phone</th><td class="num">1</td>' in html
    assert "Mail [EMAIL_1] about [PHONE_1]" in html
    assert event.row_hash in html and first.row_hash in html  # its hash and the previous row's


def test_a_refused_request_says_why_and_that_no_model_was_called(detail, write_audit, admin: User) -> None:
    event = write_audit(
        admin,
        attempts=[],
        backend="",
        model="",
        passages=[],
        decision={},
        outcome=AuditEvent.Outcome.REFUSED,
        refusal_reason="The policy is invalid: refused.",
    )

    html = detail(event)

    assert "The policy is invalid: refused." in html
    assert "No model was called." in html and "No passages were used." in html
    assert "No Decision was made" in html


def test_an_unknown_row_is_404(client: Client, auditor: User) -> None:
    client.force_login(auditor)

    assert client.get("/audit/999999/").status_code == 404


def test_a_real_request_shows_its_attempt_and_never_the_value_it_redacted(detail, ingest, admin: User) -> None:
    ingest("keys.md", "# Keys\n\nRoll back database credentials from the vault console.", "confidential")
    answer = answer_question(
        question="I am dana.cho@quillfern.example: how do I roll back database credentials?", acting_user=admin
    )

    html = detail(AuditEvent.objects.get(id=answer.audit_id))

    assert "dana.cho@quillfern.example" not in html and "quillfern" not in html
    assert "[EMAIL_1]" in html and '<th scope="row">email</th><td class="num">1</td>' in html
    assert ">extractive</td>" in html and ">ok</td>" in html
