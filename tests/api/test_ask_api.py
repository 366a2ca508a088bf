"""POST /api/v1/ask: the gate the ask page uses, as JSON or as the page's server-sent events, for a key or a
browser session; every error as {"code", "message"}."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from assistant.models import HistoryEntry
from routing.models import AuditEvent
from tests.api.conftest import make_key
from tests.assistant.test_ask_stream import events as sse

RUNBOOK = "# Deploy runbook\n\nTo roll back a bad deploy, run the rollback pipeline for the previous release tag.\n"
SECRET_PLAN = "# Merger plan\n\nThe merger with Borealis closes in March; the rollback pipeline is frozen.\n"
QUESTION = "How do I roll back a bad deploy?"


def ask(client: Client, body: dict | str, **headers: str):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post("/api/v1/ask", data, content_type="application/json", **headers)


@pytest.mark.parametrize("how", ["bearer", "header"])
def test_a_key_asks_as_its_user_and_the_audit_row_names_the_key(client, erin_key, ingest, how):
    ingest("deploy-runbook.md", RUNBOOK)
    ingest("merger.md", SECRET_PLAN, classification="confidential")  # above erin's clearance

    response = ask(client, {"question": QUESTION}, **getattr(erin_key, how))

    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["text"].startswith("To roll back a bad deploy") and answer["zone"] == "onprem"
    assert [c["title"] for c in answer["citations"]] == ["Deploy runbook"]
    assert answer["citations"][0]["url"].endswith(f"/passages/{answer['citations'][0]['chunk_id']}/")
    assert answer["refused"] is False and answer["withheld"] is False
    assert "Borealis" not in response.content.decode()
    event = AuditEvent.objects.get(id=answer["audit_id"])
    assert (event.username, event.api_key_id, event.api_key_name) == ("erin", erin_key.api_key.id, "erin's script")
    assert HistoryEntry.objects.get(id=answer["history_id"]).owner.username == "erin"
    out = StringIO()
    call_command("verify_audit", "--json", stdout=out)
    assert json.loads(out.getvalue())["ok"] is True


def test_the_page_leaves_the_key_fields_empty(client, employee, ingest):
    ingest("deploy-runbook.md", RUNBOOK)
    client.force_login(employee)

    client.post("/ask/", {"question": QUESTION})

    assert AuditEvent.objects.values_list("api_key_id", "api_key_name").get() == (None, "")


@pytest.mark.parametrize("how", [{"HTTP_ACCEPT": "text/event-stream"}, {"QUERY_STRING": "stream=1"}])
def test_the_answer_streams_as_the_pages_events_ending_with_the_answer_record(client, erin_key, ingest, how):
    ingest("deploy-runbook.md", RUNBOOK)

    response = client.post(
        "/api/v1/ask", json.dumps({"question": QUESTION}), content_type="application/json", **erin_key.bearer, **how
    )

    assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
    events = sse(response)
    names = [name for name, _ in events]
    assert names[-1] == "final" and set(names[:-1]) == {"delta"}
    final = events[-1][1]
    assert "".join(d["text"] for n, d in events if n == "delta") == final["text"]
    assert final["citations"][0]["title"] == "Deploy runbook"
    assert AuditEvent.objects.get(id=final["audit_id"]).api_key_id == erin_key.api_key.id


def test_a_service_account_asks_as_its_workload_within_its_ceiling(client, service, ingest):
    ingest("deploy-runbook.md", RUNBOOK, groups=["engineering"])
    ingest("merger.md", SECRET_PLAN, classification="confidential")
    key = make_key(service, "ci review", endpoints=["ask"])

    answer = ask(client, {"question": QUESTION}, **key.bearer).json()
    refused = ask(client, {"question": QUESTION, "workload": "batch"}, **key.bearer)

    event = AuditEvent.objects.get(id=answer["audit_id"])
    assert (event.username, event.workload, event.team, event.api_key_name) == ("ci-bot", "ci", "platform", "ci review")
    assert [c["title"] for c in answer["citations"]] == ["Deploy runbook"]
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_request"
    assert "workload" in refused.json()["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "question"), ({"question": "   "}, "question"), ({"question": "x", "workload": "nightly"}, "workload")],
)
def test_bad_input_gets_a_clear_error_and_nothing_is_asked(client, erin_key, body, field):
    response = ask(client, body, **erin_key.bearer)

    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid_request" and field in error["fields"] and field in error["message"]
    assert not AuditEvent.objects.exists() and not HistoryEntry.objects.exists()


def test_a_body_that_is_not_json_is_refused_as_json(client, erin_key):
    response = ask(client, "question=hello", **erin_key.bearer)

    assert response.status_code == 400 and response.json()["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("caller", "code"),
    [
        (None, "not_authenticated"),
        ("revoked_key", "key_revoked"),
        ("expired_key", "key_expired"),
        ("bogus", "key_invalid"),
    ],
)
def test_callers_without_a_valid_key_get_401_with_a_code(db, client, request, caller, code):
    headers = {}
    if caller == "bogus":
        headers = {"HTTP_AUTHORIZATION": "Bearer sluice_0123456789ab_nope"}
    elif caller:
        headers = request.getfixturevalue(caller).bearer

    response = ask(client, {"question": QUESTION}, **headers)

    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    error = response.json()
    assert error["code"] == code and error["message"]
    assert "sluice_" not in error["message"] and not AuditEvent.objects.exists()


def test_a_bad_key_is_not_rescued_by_a_session(client, employee, revoked_key):
    client.force_login(employee)

    response = ask(client, {"question": QUESTION}, **revoked_key.bearer)

    assert response.status_code == 401 and response.json()["code"] == "key_revoked"


def test_a_key_limited_to_other_endpoints_gets_403(client, service):
    key = make_key(service, "search only", endpoints=["search"])

    response = ask(client, {"question": QUESTION}, **key.bearer)

    assert response.status_code == 403
    assert response.json()["code"] == "endpoint_not_allowed" and "search" in response.json()["message"]
    assert not AuditEvent.objects.exists()


def test_a_browser_session_must_send_its_csrf_token(employee, ingest):
    ingest("deploy-runbook.md", RUNBOOK)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(employee)
    browser.get("/")  # sets the csrftoken cookie

    without = ask(browser, {"question": QUESTION})
    with_token = ask(browser, {"question": QUESTION}, HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)

    assert without.status_code == 403 and without.json()["code"] == "csrf_failed"
    assert with_token.status_code == 200 and with_token.json()["citations"]


def test_a_key_has_its_own_rate_limit_besides_its_users(client, settings, employee, erin_key, ingest, one_rate_window):
    ingest("deploy-runbook.md", RUNBOOK)
    settings.ASK_RATE_LIMIT_PER_MINUTE = 5
    settings.API_KEY_RATE_LIMIT_PER_MINUTE = 1
    assert ask(client, {"question": QUESTION}, **erin_key.bearer).status_code == 200

    limited = ask(client, {"question": QUESTION}, **erin_key.bearer)
    streamed = ask(client, {"question": QUESTION}, **erin_key.bearer, HTTP_ACCEPT="text/event-stream")

    for response in (limited, streamed):
        assert response.status_code == 429 and response["Content-Type"] == "application/json"
        assert int(response["Retry-After"]) >= 1 and response.json()["code"] == "rate_limited"
    other_key = make_key(employee, "second script")
    assert ask(client, {"question": QUESTION}, **other_key.bearer).status_code == 200
    assert AuditEvent.objects.count() == 2


def test_the_auditor_sees_the_key_in_the_request_and_the_export(client, erin_key, auditor, ingest):
    ingest("deploy-runbook.md", RUNBOOK)
    audit_id = ask(client, {"question": QUESTION}, **erin_key.bearer).json()["audit_id"]
    client.force_login(auditor)

    detail = client.get(f"/audit/{audit_id}/").content.decode()
    export = b"".join(client.get("/audit/export.jsonl").streaming_content).decode()

    assert f"API key “erin&#x27;s script” (#{erin_key.api_key.id})" in detail
    record = json.loads(export.splitlines()[0])
    assert (record["api_key_id"], record["api_key_name"]) == (erin_key.api_key.id, "erin's script")


def test_a_follow_up_continues_the_callers_conversation_and_anothers_is_a_404(client, erin_key, admin, ingest):
    ingest("deploy-runbook.md", RUNBOOK)
    first = ask(client, {"question": QUESTION}, **erin_key.bearer).json()

    follow_up = ask(client, {"question": "And how long does that take?", "conversation": first["conversation"]},
                    **erin_key.bearer)  # fmt: skip
    theirs = ask(client, {"question": "And how long?", "conversation": first["conversation"]},
                 **make_key(admin).bearer)  # fmt: skip

    assert follow_up.status_code == 200 and follow_up.json()["conversation"] == first["conversation"]
    audit = AuditEvent.objects.get(id=follow_up.json()["audit_id"])
    assert audit.decision["conversation"]["id"] == first["conversation"]
    assert audit.decision["conversation"]["turn"] == 2
    assert theirs.status_code == 404 and theirs.json()["code"] == "not_found"
    assert AuditEvent.objects.count() == 2
