"""/api/v1/audit/: the query log through the audit pages' selectors and exports, with an auditor's key. Rows
are written through the real chain (tests/audit/conftest.py's write_audit)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from django.db import connection
from django.utils import timezone

from assistant.services import record_feedback
from tests.api.conftest import make_key
from tests.audit.conftest import write_audit  # noqa: F401 - the fixture, for this module's tests


def test_the_list_filters_as_the_query_log_newest_first(client, auditor, employee, contractor, write_audit):  # noqa: F811
    old = write_audit(employee, at=timezone.now() - dt.timedelta(days=10))
    refused = write_audit(contractor, outcome="refused", backend="", question="Where are the salary bands?")
    newest = write_audit(employee, data_class=2)
    key = make_key(auditor)

    everything = client.get("/api/v1/audit/events", **key.bearer).json()
    by_carl = client.get("/api/v1/audit/events", {"user": "CARL"}, **key.bearer).json()
    confidential = client.get("/api/v1/audit/events", {"data_class": 2}, **key.bearer).json()
    recent = client.get("/api/v1/audit/events", {"date_from": timezone.localdate().isoformat()}, **key.bearer).json()
    words = client.get("/api/v1/audit/events", {"q": "salary"}, **key.bearer).json()

    assert [e["id"] for e in everything["results"]] == [newest.id, refused.id, old.id]
    assert [e["id"] for e in by_carl["results"]] == [refused.id]
    assert by_carl["results"][0]["route"] == "refused" and by_carl["results"][0]["outcome"] == "refused"
    assert [e["id"] for e in confidential["results"]] == [newest.id]
    assert confidential["results"][0]["data_class"] == "confidential"
    assert confidential["results"][0]["route"] == "claude · cloud" and confidential["results"][0]["zone"] == "cloud"
    assert [e["id"] for e in recent["results"]] == [newest.id, refused.id]
    assert [e["id"] for e in words["results"]] == [refused.id]


def test_a_filter_the_page_would_refuse_is_a_400(client, auditor):
    key = make_key(auditor)

    backwards = client.get("/api/v1/audit/events", {"date_from": "2026-03-02", "date_to": "2026-03-01"}, **key.bearer)
    unknown = client.get("/api/v1/audit/events", {"outcome": "exploded"}, **key.bearer)
    export = client.get("/api/v1/audit/events.csv", {"date_from": "yesterday"}, **key.bearer)

    assert backwards.status_code == unknown.status_code == export.status_code == 400
    assert "date_to" in backwards.json()["fields"] and "outcome" in unknown.json()["fields"]
    assert export.json()["code"] == "invalid_request" and "date_from" in export.json()["fields"]


def test_one_event_in_full_with_the_askers_feedback(client, auditor, employee, write_audit):  # noqa: F811
    event = write_audit(employee)
    record_feedback(audit_id=event.id, acting_user=employee, vote="down", comment="Mail me at erin@example.com")
    key = make_key(auditor)

    detail = client.get(f"/api/v1/audit/events/{event.id}", **key.bearer).json()
    missing = client.get(f"/api/v1/audit/events/{event.id + 100}", **key.bearer)

    assert detail["decision"]["rule"] == "internal-cloud-redacted" and detail["attempts"][0]["target"] == "claude"
    assert detail["row_hash"] == event.row_hash and detail["username"] == "erin"
    assert [(f["username"], f["vote"]) for f in detail["feedback"]] == [("erin", "down")]
    assert "erin@example.com" not in detail["feedback"][0]["comment"]
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_the_exports_stream_the_filtered_rows_as_the_page_does(client, auditor, employee, contractor, write_audit):  # noqa: F811
    write_audit(employee)
    carls = write_audit(contractor, question="=HYPERLINK(1)")
    key = make_key(auditor)

    as_csv = client.get("/api/v1/audit/events.csv", {"user": "carl"}, HTTP_ACCEPT="text/csv", **key.bearer)
    as_jsonl = client.get("/api/v1/audit/events.jsonl", **key.header)

    assert as_csv.streaming and as_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert as_csv["Content-Disposition"].startswith('attachment; filename="sluice-audit-')
    rows = list(csv.DictReader(io.StringIO(b"".join(as_csv.streaming_content).decode())))
    assert [(int(r["id"]), r["question"]) for r in rows] == [(carls.id, "'=HYPERLINK(1)")]
    assert as_jsonl["Content-Type"] == "application/x-ndjson; charset=utf-8"
    lines = [json.loads(line) for line in b"".join(as_jsonl.streaming_content).decode().splitlines()]
    assert [r["username"] for r in lines] == ["carl", "erin"] and lines[0]["decision"]["action"] == "answer"


def test_verify_reports_an_intact_chain_then_names_the_tampered_row(client, auditor, employee, write_audit):  # noqa: F811
    rows = [write_audit(employee) for _ in range(3)]
    key = make_key(auditor)

    intact = client.post("/api/v1/audit/verify", **key.bearer).json()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE routing_auditevent SET backend = 'local' WHERE id = %s", [rows[1].id])
    broken = client.post("/api/v1/audit/verify", **key.bearer).json()

    assert intact["ok"] is True and intact["rows"] == 3 and intact["problem"] == ""
    assert broken["ok"] is False and broken["first_bad_id"] == rows[1].id and broken["problem"]


def test_admins_may_not_read_the_log(client, admin, employee, write_audit):  # noqa: F811
    write_audit(employee)
    key = make_key(admin)

    for response in (
        client.get("/api/v1/audit/events", **key.bearer),
        client.get("/api/v1/audit/events.jsonl", **key.bearer),
        client.post("/api/v1/audit/verify", **key.bearer),
    ):
        assert (response.status_code, response.json()["code"]) == (403, "forbidden")
        assert b"roll back" not in response.content
