"""A held request through the API: ask answers `held` with its id, and /api/v1/held/{id} gives its requester
the state, then the answer once an approver approved it; anyone else gets a 404."""

from __future__ import annotations

import json

from fakes.common import Script
from routing.approvals import approve_held_request
from tests.api.conftest import make_key
from tests.held_policy import activate_held_policy

DEPLOYS = "# Deploys\n\nRoll back a bad deploy from the deploy dashboard, then post in the deploys channel."


def test_a_held_request_is_polled_until_its_answer_comes(client, ingest, employee, contractor, admin, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    activate_held_policy()
    erin, carl = make_key(employee), make_key(contractor)

    asked = client.post(
        "/api/v1/ask", json.dumps({"question": "How do I roll back a bad deploy?"}),
        content_type="application/json", **erin.bearer,
    ).json()  # fmt: skip
    assert asked["held"] is True and asked["refused"] is False and cloud.requests == []
    waiting = client.get(f"/api/v1/held/{asked['held_id']}", **erin.bearer).json()
    assert asked["held_url"].endswith(f"/api/v1/held/{asked['held_id']}")
    assert (waiting["state"], waiting["answer"], waiting["approvers"]) == ("held", None, ["admin", "engineering"])
    assert client.get(f"/api/v1/held/{asked['held_id']}", **carl.bearer).status_code == 404

    cloud.enqueue(Script(text="Roll back from the deploy dashboard [1]."))
    approve_held_request(held_id=asked["held_id"], acting_user=admin, reason="Fine.")

    sent = client.get(f"/api/v1/held/{asked['held_id']}", **erin.bearer).json()
    assert (sent["state"], sent["decided_by"], sent["reason"]) == ("sent", "ada", "Fine.")
    assert (
        sent["answer"]["text"] == "Roll back from the deploy dashboard [1]." and sent["answer"]["backend"] == "claude"
    )
    assert sent["answer"]["history_id"] == asked["history_id"]
