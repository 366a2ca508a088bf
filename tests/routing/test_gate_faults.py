"""Fault tests through the whole ask flow: whatever the on-prem model does, restricted and
confidential data never reach the cloud, which is configured and healthy throughout."""

from __future__ import annotations

import pytest

from routing.models import AuditEvent
from routing.services import answer_question

RESTRICTED = "# Break-glass access\n\nBreak-glass access to production needs two approvers from the security rota."
QUESTION = "Who approves break-glass access to production?"

FAULTS = {
    "server_error": {"status": 500},
    "overloaded": {"status": 529},
    "timeout": {"hang": True},
    "dropped_stream": {"text": "Two approvers from the security rota must approve it", "drop_after": 3},
    "bad_response": {"garbage": True},
}


@pytest.fixture
def on_prem_down(onprem, settings):
    def _break(kind: str) -> None:
        if kind == "unreachable":
            onprem.stop()
        else:
            onprem.behave(**FAULTS[kind])

    settings.LOCAL_LLM_TIMEOUT_FIRST_TOKEN = 0.3
    return _break


@pytest.mark.parametrize("fault", [*FAULTS, "unreachable"])
@pytest.mark.parametrize("classification", ["restricted", "confidential"])
def test_with_every_on_prem_model_failing_the_answer_degrades_on_prem_never_to_the_cloud(
    ingest, admin, cloud, on_prem_down, fault, classification
):
    ingest("break-glass.md", RESTRICTED, classification)
    on_prem_down(fault)

    answer = answer_question(question=QUESTION, acting_user=admin)

    assert cloud.requests == []
    assert answer.backend == "extractive" and "two approvers" in answer.text
    attempts = [(a["target"], a["outcome"]) for a in AuditEvent.objects.get(id=answer.audit_id).attempts]
    assert attempts[-1] == ("extractive", "ok")
    assert {t for t, _ in attempts} == {"local", "extractive"}
    assert {o for t, o in attempts if t == "local"} == {fault}
    assert answer.route.startswith("Answered on-prem by extractive") and f"local failed ({fault}" in answer.route


def test_without_the_extractive_rung_restricted_data_is_refused_not_sent_to_the_cloud(
    ingest, admin, cloud, onprem, edit_policy
):
    edit_policy(
        "  - name: restricted-stays-onprem\n    when: {data_class: restricted}\n    targets: [local, extractive]",
        "  - name: restricted-stays-onprem\n    when: {data_class: restricted}\n    targets: [local]",
    )
    ingest("break-glass.md", RESTRICTED, "restricted")
    onprem.behave(status=503)

    answer = answer_question(question=QUESTION, acting_user=admin)

    assert cloud.requests == []
    assert answer.refused and answer.backend == ""
    assert "every target the policy allows failed (local failed (server_error ×3))" in answer.route
    assert AuditEvent.objects.get(id=answer.audit_id).outcome == AuditEvent.Outcome.REFUSED
