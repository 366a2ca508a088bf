"""Every auditors' page, for every role: only auditors get data; anonymous visitors go to the login page."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from routing.models import AuditEvent

# (method, path): every view of review/urls.py; {id} is an existing audit row.
VIEWS = [
    ("get", "/audit/"),
    ("get", "/audit/{id}/"),
    ("get", "/audit/export.csv"),
    ("get", "/audit/export.jsonl"),
    ("post", "/audit/verify/"),
]
QUESTION = "How do I rotate the payroll database password?"


def call(client: Client, method: str, path: str, event: AuditEvent):
    return getattr(client, method)(path.format(id=event.id))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def event(write_audit, employee: User) -> AuditEvent:
    return write_audit(employee, question=QUESTION)


@pytest.mark.parametrize(("method", "path"), VIEWS)
def test_anonymous_visitors_are_sent_to_login(client: Client, event: AuditEvent, method: str, path: str) -> None:
    response = call(client, method, path, event)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/audit/")


@pytest.mark.parametrize("persona", ["employee", "contractor", "admin"])
@pytest.mark.parametrize(("method", "path"), VIEWS)
def test_only_auditors_reach_the_audit_pages(
    client: Client, event: AuditEvent, method: str, path: str, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))

    response = call(client, method, path, event)

    assert response.status_code == 403
    assert QUESTION.encode() not in body(response)


@pytest.mark.parametrize(("method", "path"), VIEWS)
def test_auditors_reach_every_audit_page(
    client: Client, event: AuditEvent, auditor: User, method: str, path: str
) -> None:
    client.force_login(auditor)

    response = call(client, method, path, event)

    assert response.status_code == 200


def test_the_nav_links_the_log_for_auditors_only(client: Client, auditor: User, admin: User) -> None:
    client.force_login(auditor)
    assert b'href="/audit/"' in client.get("/").content

    client.force_login(admin)
    assert b'href="/audit/"' not in client.get("/").content


def test_the_log_refuses_other_methods(client: Client, auditor: User) -> None:
    client.force_login(auditor)

    assert client.post("/audit/").status_code == 405
    assert client.get("/audit/verify/").status_code == 405
