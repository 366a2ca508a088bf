"""The answer streamed to the page as server-sent events, and the page's security headers."""

from __future__ import annotations

import json

from fakes.common import Script
from routing.models import AuditEvent

RUNBOOK = "# Deploy runbook\n\nTo roll back a bad deploy, run the rollback pipeline for the previous release tag.\n"
QUESTION = "How do I roll back a bad deploy?"


def events(response) -> list[tuple[str, dict]]:
    body = b"".join(response.streaming_content).decode()
    parsed = []
    for block in filter(None, body.split("\n\n")):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        parsed.append((lines["event"], json.loads(lines["data"])))
    return parsed


def test_the_answer_streams_as_events_and_ends_with_the_rendered_answer(client, employee, ingest):
    ingest("deploy-runbook.md", RUNBOOK)
    client.force_login(employee)

    response = client.post("/ask/stream/", {"question": QUESTION})

    assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    stream = events(response)
    names = [name for name, _ in stream]
    assert names[-1] == "final" and set(names[:-1]) == {"delta"}
    text = "".join(data["text"] for name, data in stream if name == "delta")
    assert text == "To roll back a bad deploy, run the rollback pipeline for the previous release tag. [1]"
    html = stream[-1][1]["html"]
    assert 'id="result"' in html and text in html
    assert "On-prem · extractive-v1" in html and "Answered on-prem by extractive" in html
    assert 'href="/passages/' in html
    assert AuditEvent.objects.get().outcome == AuditEvent.Outcome.ANSWERED


def test_a_model_that_stops_mid_answer_sends_a_restart_then_the_answer_again(client, employee, ingest, cloud):
    ingest("deploy-runbook.md", RUNBOOK)
    cloud.enqueue(Script(text="Half an answer that never", drop_after=5))
    cloud.behave(text="Run the rollback pipeline [1].")
    client.force_login(employee)

    stream = events(client.post("/ask/stream/", {"question": QUESTION}))

    names = [name for name, _ in stream]
    assert "restart" in names and names[-1] == "final"
    after = names.index("restart")
    assert "".join(d["text"] for n, d in stream[after:] if n == "delta") == "Run the rollback pipeline [1]."
    assert "Cloud · " in stream[-1][1]["html"]


def test_markup_in_a_streamed_answer_is_escaped_in_the_final_html(client, employee, ingest, cloud):
    ingest("deploy-runbook.md", RUNBOOK)
    cloud.behave(text='<img src=x onerror="alert(1)"> Run the rollback pipeline [1].')
    client.force_login(employee)

    stream = events(client.post("/ask/stream/", {"question": QUESTION}))

    assert "<img" not in stream[-1][1]["html"] and "&lt;img" in stream[-1][1]["html"]


def test_an_empty_question_is_refused_with_the_error_and_nothing_is_audited(client, employee):
    client.force_login(employee)

    response = client.post("/ask/stream/", {"question": "   "})

    assert response.status_code == 422
    assert 'id="result"' in response.content.decode() and "This field is required." in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_the_stream_is_for_signed_in_users_and_only_by_post(client, employee):
    assert client.post("/ask/stream/", {"question": QUESTION}).status_code == 302  # to the login page
    client.force_login(employee)
    assert client.get("/ask/stream/").status_code == 405


def test_pages_carry_a_content_security_policy_and_no_inline_script(client, employee):
    client.force_login(employee)

    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    page = response.content.decode()
    assert "<script>" not in page and "style=" not in page
    assert 'src="/static/ask.js"' in page and 'data-stream-url="/ask/stream/"' in page
    assert response["X-Frame-Options"] == "DENY"


def test_an_answer_that_cannot_be_rendered_ends_with_an_error_event_not_silence(client, employee, ingest):
    from assistant.services import stream_answer
    from assistant.streaming import answer_events

    ingest("deploy-runbook.md", RUNBOOK)

    def broken(answer):
        raise ValueError("template bug")

    frames = list(answer_events(stream_answer(question=QUESTION, acting_user=employee), broken))

    assert frames[-1].startswith("event: error\n")
    audit_id = AuditEvent.objects.get().id
    assert f"audit #{audit_id}" in frames[-1] and "template bug" not in frames[-1]


def test_signed_in_pages_are_never_stored_by_caches(client, employee, auditor):
    assert "Cache-Control" not in client.get("/healthz")  # nothing private: no header forced
    client.force_login(employee)

    assert "no-store" in client.get("/")["Cache-Control"] and "private" in client.get("/history/")["Cache-Control"]
    client.force_login(auditor)
    assert client.get("/audit/dashboard/routes.svg")["Cache-Control"] == "private, max-age=60"  # its own choice
