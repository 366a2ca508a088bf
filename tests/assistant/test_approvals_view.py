"""The approvers' page, /approvals/: what would leave (redacted) and why it was held, approve or deny with a
reason; the asker's pages say where their held request stands."""

from __future__ import annotations

import pytest

from assistant.models import HistoryEntry
from fakes.common import Script
from routing.models import HeldRequest
from tests.held_policy import activate_held_policy

DEPLOYS = "# Deploys\n\nRoll back a bad deploy from the deploy dashboard, then post in the deploys channel."
EMAIL = "dana.cho@quillfern.example"


@pytest.fixture
def held(ingest, employee, client, cloud):
    """erin's question, held for admins or the engineering group, asked on the ask page (the cloud up)."""
    ingest("deploys.md", DEPLOYS, "internal")
    activate_held_policy()
    client.force_login(employee)
    page = client.post("/ask/", {"question": f"I am {EMAIL}: how do I roll back a bad deploy?"})
    assert page.status_code == 200
    client.logout()
    return page, HeldRequest.objects.get()


def test_the_asker_is_told_it_awaits_approval(held):
    page, request = held
    html = page.content.decode()
    assert "held for approval" in html and "route-held" in html
    assert request.state == HeldRequest.State.HELD


def test_an_approver_sees_what_would_leave_redacted_and_why(held, client, admin, cloud):
    _, request = held
    client.force_login(admin)

    html = client.get("/approvals/").content.decode()

    assert f"Request #{request.id} from erin" in html
    assert "I am [EMAIL_1]: how do I roll back a bad deploy?" in html and EMAIL not in html
    assert "deploy dashboard" in html and "held for approval" in html and "customer-data-private-first" in html


def test_the_requester_never_sees_nor_decides_their_own(held, client, employee, cloud):
    _, request = held
    client.force_login(employee)

    assert f"Request #{request.id}" not in client.get("/approvals/").content.decode()
    refused = client.post(f"/approvals/{request.id}/", {"decision": "approve", "reason": "Mine."})

    assert refused.status_code == 403 and cloud.requests == []


def test_approving_sends_and_the_answer_reaches_the_askers_history(held, client, admin, employee, cloud):
    _, request = held
    cloud.enqueue(Script(text="Write to [EMAIL_1]: roll back from the deploy dashboard [1]."))
    client.force_login(admin)

    done = client.post(f"/approvals/{request.id}/", {"decision": "approve", "reason": "Routine."}, follow=True)

    assert "approved and answered by claude" in done.content.decode()
    assert EMAIL.encode() not in cloud.received()
    entry = HistoryEntry.objects.get(held_request=request)
    client.force_login(employee)
    html = client.get(f"/history/{entry.id}/").content.decode()
    assert f"Write to {EMAIL}: roll back from the deploy dashboard [1]." in html and "route-held" not in html


def test_a_denial_needs_a_reason_and_the_asker_reads_it(held, client, admin, employee, cloud):
    _, request = held
    client.force_login(admin)

    missing = client.post(f"/approvals/{request.id}/", {"decision": "deny", "reason": " "})
    client.post(f"/approvals/{request.id}/", {"decision": "deny", "reason": "Ask the deploy team."})

    assert missing.status_code == 422 and "Give a reason" in missing.content.decode()
    assert HeldRequest.objects.get(id=request.id).state == HeldRequest.State.DENIED and cloud.requests == []
    client.force_login(employee)
    history = client.get("/history/").content.decode()
    entry = HistoryEntry.objects.get(held_request=request)
    assert "denied" in history
    assert (
        "Denied by ada: Ask the deploy team. Nothing was sent." in client.get(f"/history/{entry.id}/").content.decode()
    )
