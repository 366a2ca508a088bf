"""/api/v1/policy/: a draft replayed against the recorded traffic (the policy editor's replay), and one
described request explained (route_explain), with an admin's key. Neither calls a model or writes."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from routing.policy.versions import get_active_policy
from routing.services import answer_question
from tests.api.conftest import make_key
from tests.governance.conftest import DEFAULT_TEXT, draft, written

DEPLOYS = "# Deploys\n\nRoll back a bad deploy from the deploy dashboard, then post in the deploys channel."
LAPTOPS = "# Laptops\n\nRequest a new laptop from the IT portal; it arrives within a week."
INTERNAL_RULE = "targets: [claude, local]\n    redact: true\n    max_passages: 5\n    on_failure: degrade"
# The internal rule sent to the cloud only, failing closed: with no cloud configured, refused.
CLOUD_ONLY = draft(
    "2", (INTERNAL_RULE, "targets: [claude]\n    redact: true\n    max_passages: 5\n    on_failure: fail_closed")
)


def post(client, key, path: str, body: dict[str, Any]):
    return client.post(f"/api/v1/policy/{path}", json.dumps(body), content_type="application/json", **key.bearer)


@pytest.fixture
def traffic(settings, ingest, employee, contractor) -> dict[str, int]:
    """Three audited requests answered by the extractive target (no model server configured)."""
    settings.ANTHROPIC_API_KEY = ""
    settings.LOCAL_LLM_BASE_URL = ""
    ingest("deploys.md", DEPLOYS, "internal")
    ingest("laptops.md", LAPTOPS, "public")
    return {
        "internal-1": answer_question(question="How do I roll back a bad deploy?", acting_user=employee).audit_id,
        "public": answer_question(question="How do I request a new laptop?", acting_user=contractor).audit_id,
        "internal-2": answer_question(question="Where do I post after a rollback?", acting_user=employee).audit_id,
    }


def test_the_active_policy_simulated_changes_nothing(client, admin, traffic):
    response = post(client, make_key(admin), "simulate", {"policy": DEFAULT_TEXT})

    assert response.status_code == 200
    result = response.json()
    assert (result["read"], result["replayed"], result["skipped"], result["refused_now"]) == (3, 3, 0, 0)
    assert result["changes"] == [] and result["policy_version"] == "default-3" and result["limit"] == 200


def test_a_draft_simulated_lists_the_requests_whose_route_changes_and_writes_nothing(client, admin, traffic):
    before = written()

    result = post(client, make_key(admin), "simulate", {"policy": CLOUD_ONLY, "limit": 50}).json()

    assert (result["replayed"], result["refused_now"]) == (3, 2)
    assert [c["event_id"] for c in result["changes"]] == [traffic["internal-2"], traffic["internal-1"]]
    change = result["changes"][0]
    assert (change["username"], change["old_action"], change["new_action"]) == ("erin", "answer", "refuse")
    assert change["old_targets"] == [{"name": "extractive", "zone": "onprem"}] and change["new_targets"] == []
    assert {t["name"] for t in result["down_now"]} == {"claude", "local"}
    assert written() == before and get_active_policy().version == "default-3"


def test_an_invalid_draft_names_its_problems_by_line(client, admin):
    key = make_key(admin)

    broken = post(client, key, "simulate", {"policy": DEFAULT_TEXT.replace("targets:", "targetz:", 1)})
    too_many = post(client, key, "simulate", {"policy": DEFAULT_TEXT, "limit": 100_000})
    explained = post(client, key, "explain", {"question": "Hello?", "policy": "version: 1\n"})

    assert broken.status_code == too_many.status_code == explained.status_code == 400
    assert all(problem.startswith("line ") for problem in broken.json()["fields"]["policy"])
    assert "limit" in too_many.json()["fields"] and "policy" in explained.json()["fields"]


@pytest.mark.parametrize(
    "request_line",
    [
        {"question": "How do I roll back a deploy?", "classifications": ["internal"], "health": {"cloud": "down"}},
        {
            "question": "What is the refund status of CUST-123456?",
            "user": {"role": "employee", "clearance": "confidential", "groups": ["support"]},
            "classifications": ["public"],
        },
        {"question": "Where is the incident runbook?", "classifications": ["restricted"], "workload": "ci"},
    ],
)
def test_explain_answers_what_route_explain_prints_for_the_same_line(client, admin, tmp_path, request_line):
    requests = tmp_path / "requests.jsonl"
    requests.write_text(json.dumps(request_line) + "\n")
    out = StringIO()
    call_command("route_explain", str(requests), "--json", stdout=out, stderr=StringIO())

    response = post(client, make_key(admin), "explain", request_line)

    assert response.status_code == 200
    assert response.json() == json.loads(out.getvalue())


def test_explain_under_a_draft_and_refusing_what_the_facts_cannot_say(client, admin):
    key = make_key(admin)
    line = {"question": "How do I roll back a deploy?", "classifications": ["internal"]}

    active = post(client, key, "explain", line).json()
    drafted = post(client, key, "explain", {**line, "policy": CLOUD_ONLY}).json()
    bad_zone = post(client, key, "explain", {**line, "health": {"moon": "up"}})
    bad_class = post(client, key, "explain", {**line, "classifications": ["secret"]})

    assert active["targets"][0]["name"] == "claude" and len(active["targets"]) > 1  # then on-prem fallbacks
    assert active["policy_version"] == "default-3"
    assert drafted["policy_version"] == "2" and [t["name"] for t in drafted["targets"]] == ["claude"]
    assert bad_zone.status_code == 400 and "health" in bad_zone.json()["message"]
    assert bad_class.status_code == 400 and "classifications" in bad_class.json()["fields"]


def test_employees_and_auditors_may_not_use_the_policy_tools(client, employee, auditor):
    for user in (employee, auditor):
        response = post(client, make_key(user), "explain", {"question": "Hello?"})
        assert (response.status_code, response.json()["code"]) == (403, "forbidden")
