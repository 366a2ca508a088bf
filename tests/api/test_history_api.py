"""/api/v1/history and /api/v1/answers/<audit_id>/feedback: each caller's own history and feedback, by the
history pages' selectors and services; anyone else's entry or answer is a 404."""

from __future__ import annotations

import json

from assistant.models import Feedback
from tests.api.conftest import make_key

RUNBOOK = "# Deploy runbook\n\nTo roll back a bad deploy, run the rollback pipeline for the previous release tag.\n"


def ask(client, key, question: str) -> dict:
    response = client.post(
        "/api/v1/ask", json.dumps({"question": question}), content_type="application/json", **key.bearer
    )
    assert response.status_code == 200
    return response.json()


def test_a_caller_lists_and_reads_only_their_own_history(client, employee, contractor, ingest):
    ingest("deploy-runbook.md", RUNBOOK, classification="public")
    erin, carl = make_key(employee), make_key(contractor)
    first = ask(client, erin, "How do I roll back a bad deploy?")
    second = ask(client, erin, "Who approves a release tag?")
    carls = ask(client, carl, "How do I roll back a bad deploy?")

    listed = client.get("/api/v1/history", **erin.bearer).json()
    searched = client.get("/api/v1/history", {"q": "approv"}, **erin.bearer).json()
    entry = client.get(f"/api/v1/history/{first['history_id']}", **erin.header).json()
    someone_elses = client.get(f"/api/v1/history/{carls['history_id']}", **erin.bearer)

    assert [e["id"] for e in listed["results"]] == [second["history_id"], first["history_id"]]
    assert listed["results"][1]["question"] == "How do I roll back a bad deploy?"
    assert listed["results"][1]["audit_id"] == first["audit_id"]
    assert [e["id"] for e in searched["results"]] == [second["history_id"]]
    assert entry["text"] == first["text"] and entry["route"] == first["route"] and entry["feedback"] is None
    assert [c["title"] for c in entry["citations"]] == [c["title"] for c in first["citations"]]
    assert (someone_elses.status_code, someone_elses.json()["code"]) == (404, "not_found")


def test_feedback_on_an_own_answer_is_kept_redacted_and_shown_with_the_entry(client, employee, ingest):
    ingest("deploy-runbook.md", RUNBOOK, classification="public")
    key = make_key(employee)
    answer = ask(client, key, "How do I roll back a bad deploy?")
    url = f"/api/v1/answers/{answer['audit_id']}/feedback"

    down = client.post(
        url,
        json.dumps({"vote": "down", "comment": "Call me on erin@example.com"}),
        content_type="application/json",
        **key.bearer,
    )
    up = client.post(url, json.dumps({"vote": "up"}), content_type="application/json", **key.bearer)
    entry = client.get(f"/api/v1/history/{answer['history_id']}", **key.bearer).json()

    assert down.status_code == 200 and down.json()["audit_id"] == answer["audit_id"]
    assert "erin@example.com" not in down.json()["comment"] and down.json()["comment_findings"] == {"email": 1}
    assert up.json()["vote"] == "up" and Feedback.objects.count() == 1  # the second replaced the first
    assert entry["feedback"]["vote"] == "up"


def test_feedback_on_someone_elses_answer_or_a_bad_vote_is_refused(client, employee, contractor, ingest):
    ingest("deploy-runbook.md", RUNBOOK, classification="public")
    answer = ask(client, make_key(employee), "How do I roll back a bad deploy?")
    carl = make_key(contractor)
    url = f"/api/v1/answers/{answer['audit_id']}/feedback"

    not_his = client.post(url, json.dumps({"vote": "up"}), content_type="application/json", **carl.bearer)
    bad_vote = client.post(url, json.dumps({"vote": "meh"}), content_type="application/json", **carl.bearer)

    assert (not_his.status_code, not_his.json()["code"]) == (404, "not_found")
    assert bad_vote.status_code == 400 and "vote" in bad_vote.json()["fields"]
    assert not Feedback.objects.exists()


def test_a_service_account_has_its_own_history(client, service, employee, ingest):
    ingest("deploy-runbook.md", RUNBOOK, classification="public")
    ask(client, make_key(employee), "How do I roll back a bad deploy?")
    key = make_key(service, endpoints=["ask", "history"])
    own = ask(client, key, "Who approves a release tag?")

    listed = client.get("/api/v1/history", **key.bearer).json()
    feedback = client.post(
        f"/api/v1/answers/{own['audit_id']}/feedback",
        json.dumps({"vote": "up"}),
        content_type="application/json",
        **key.bearer,
    )

    assert [e["id"] for e in listed["results"]] == [own["history_id"]]
    assert (feedback.status_code, feedback.json()["code"]) == (403, "endpoint_not_allowed")
