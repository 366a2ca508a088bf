"""A request whose process died after sending it to the cloud, as the auditors see it once the worker's sweep
audited it (routing/dispatch.py): in the log filtered by its outcome, in full, in the exports and the API."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from accounts.models import User
from routing.dispatch import audit_interrupted_dispatches
from routing.models import AuditEvent
from tests.api.conftest import make_key
from tests.routing.conftest import old_dispatch


@pytest.fixture
def interrupted(employee: User, write_audit) -> AuditEvent:
    write_audit(employee)  # an answered request beside it
    old_dispatch(employee, age_s=3600)
    assert audit_interrupted_dispatches(older_than_s=600) == 1
    return AuditEvent.objects.get(outcome=AuditEvent.Outcome.INTERRUPTED)


def test_the_log_filters_it_by_its_outcome_and_names_it_as_its_route(client: Client, auditor, interrupted) -> None:
    client.force_login(auditor)
    html = client.get("/audit/", {"outcome": "interrupted"}).content.decode()
    assert [int(i) for i in re.findall(r'href="/audit/(\d+)/"', html)] == [interrupted.id]
    assert '<tr class="outcome-interrupted">' in html and "<td>interrupted</td>" in html
    assert re.search(r'<option value="interrupted"[^>]*>Interrupted after it was sent</option>', html)


def test_its_page_says_where_it_was_sent_and_what_is_unknown(client: Client, auditor, interrupted) -> None:
    client.force_login(auditor)
    html = client.get(f"/audit/{interrupted.id}/").content.decode()
    assert "Interrupted after it was sent: Sent to claude (cloud) by process 4242 on web-1" in html
    assert '<td class="attempt-interrupted">interrupted</td>' in html
    assert "I am [EMAIL_1]: how do I roll back a deploy?" in html


def test_the_exports_and_the_api_carry_it(client: Client, auditor, interrupted) -> None:
    client.force_login(auditor)
    lines = b"".join(client.get("/audit/export.jsonl", {"outcome": "interrupted"}).streaming_content).splitlines()
    [record] = [json.loads(line) for line in lines]
    assert record["outcome"] == "interrupted" and record["attempts"][0]["outcome"] == "interrupted"
    csv_text = b"".join(client.get("/audit/export.csv", {"outcome": "interrupted"}).streaming_content).decode()
    assert ",interrupted," in csv_text
    key = make_key(auditor)
    listed = client.get("/api/v1/audit/events", {"outcome": "interrupted"}, **key.bearer).json()
    assert [(e["id"], e["route"], e["outcome"]) for e in listed["results"]] == [
        (interrupted.id, "interrupted", "interrupted")
    ]
