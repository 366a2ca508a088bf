"""A small on-prem model answers from the nearest passage when the documents hold no answer (measured: ten
unanswerable questions of ten answered, docs/answer-quality.md). The default policy's local target requires
evidence: the gate checks on-prem, before the call, that the passages hold an answer, and when they do not,
the model is not asked and the extractive answer says so (or, when they may answer, quotes them saying that they
may not answer exactly). Through the real gate and the fake OpenAI-compatible
server on loopback."""

from __future__ import annotations

import pytest
from django.urls import reverse

from retrieval.selectors import get_reader, search_passages
from routing.answer import SourcePassage
from routing.approvals import _targets
from routing.backends.extractive import MAY_NOT_ANSWER, NOTHING_FOUND, _weighed_with
from routing.models import AuditEvent, HeldRequest
from routing.policy.loader import PolicyError, load_policy
from routing.policy.versions import read_default_policy_text
from routing.services import answer_through_gate
from tests.audit_log import listed

LEAVE = """# Leave

Employees earn 13 days of sick leave a year. Annual leave is requested in the HR system two weeks ahead.
Unused annual leave of up to 240 hours carries over into the next leave year.
"""


def passages_for(ingest, user, question: str) -> list[SourcePassage]:
    ingest("leave.md", LEAVE, "internal")
    return [SourcePassage.of(p) for p in search_passages(get_reader(user), question, k=5).passages]


def test_the_default_policy_asks_the_local_model_only_with_evidence():
    targets = {t.name: t for t in load_policy(read_default_policy_text()).targets}
    assert targets["local"].requires_evidence and not targets["claude"].requires_evidence


def test_passages_that_hold_no_answer_are_not_sent_to_the_local_model(ingest, employee, onprem):
    question = "Can I bring my dog to the Chicago office?"
    onprem.behave(text="No, dogs are not allowed in the Chicago office [1].")

    passages = passages_for(ingest, employee, question)
    weighed = _weighed_with.cache_info()

    answer = answer_through_gate(question=question, passages=passages, acting_user=employee)

    assert onprem.requests == []  # the model was never asked
    assert answer.backend == "extractive" and answer.text.startswith(NOTHING_FOUND)
    assert "local not asked (too little evidence that the passages answer)" in answer.route
    event = AuditEvent.objects.get(id=answer.audit_id)
    assert [(a["target"], a["outcome"]) for a in event.attempts][0] == ("local", "no_evidence")
    assert event.outcome == AuditEvent.Outcome.NOTHING_FOUND
    # The extractive answer read the evidence the check had weighed, instead of embedding every sentence again.
    assert _weighed_with.cache_info().misses == weighed.misses + 1
    assert _weighed_with.cache_info().hits == weighed.hits + 1


def test_passages_that_answer_are_sent_to_the_local_model(ingest, employee, onprem):
    question = "How many days of sick leave do employees earn a year?"
    onprem.behave(text="Employees earn 13 days of sick leave a year [1].")

    passages = passages_for(ingest, employee, question)

    answer = answer_through_gate(question=question, passages=passages, acting_user=employee)

    assert len(onprem.requests) == 1
    assert answer.backend == "local" and "13 days" in answer.text


@pytest.mark.parametrize("value", ["always", 1])
def test_requires_evidence_must_be_true_or_false(value):
    text = read_default_policy_text().replace("requires_evidence: true", f"requires_evidence: {value}")

    with pytest.raises(PolicyError, match="requires_evidence must be true or false"):
        load_policy(text)


def test_no_other_model_is_asked_when_the_passages_hold_no_answer(ingest, employee, cloud, onprem):
    # A question naming a person: the default policy's rule tries local, then the cloud (redacted), then degrades
    # to the extractive answer. With no answer in the passages, neither model is asked, not even the cloud.
    question = "Can Dana Whitfield bring her dog to the Chicago office?"
    passages = passages_for(ingest, employee, question)

    answer = answer_through_gate(question=question, passages=passages, acting_user=employee)

    assert onprem.requests == [] and cloud.requests == []
    assert answer.backend == "extractive" and answer.text.startswith(NOTHING_FOUND)
    event = AuditEvent.objects.get(id=answer.audit_id)
    assert event.decision["rule"] == "customer-data-private-first"
    assert [(a["target"], a["outcome"]) for a in event.attempts] == [("local", "no_evidence"), ("extractive", "ok")]
    assert not event.fallback_used  # not asked is no failure of the local model


def test_a_held_request_keeps_the_targets_evidence_requirement():
    held = HeldRequest(targets=[{**TARGET_ROW, "requires_evidence": True}, TARGET_ROW])

    assert [t.requires_evidence for t in _targets(held)] == [True, False]


TARGET_ROW = {
    "name": "local",
    "zone": "onprem",
    "backend": "openai_compatible",
    "tier": "small",
    "price_input_per_mtok": 0.0,
    "price_output_per_mtok": 0.0,
    "timeout_s": 120.0,
}


TRAVEL = """# Travel

## Meals on trips

Travel meals are paid at a flat daily rate. Breakfast, lunch and dinner are covered on travel days at three quarters
of the rate. Keep your boarding passes with the report.

## Booking travel

Book flights through the travel desk at least two weeks ahead. Economy class is the default for flights under eight
hours. Hotels must be within the city's nightly cap.

## Expense reports

Submit the expense report within ten business days of your return. Your manager approves it, and finance pays it
into your bank account within a week.
"""


def test_passages_that_only_may_answer_are_quoted_with_the_caveat_and_no_model_is_asked(
    ingest, employee, auditor, onprem, client
):
    question = "when do I get my money back after a trip?"
    onprem.behave(text="Within a week [1].")
    ingest("travel.md", TRAVEL, "internal")
    passages = [SourcePassage.of(p) for p in search_passages(get_reader(employee), question, k=5).passages]

    answer = answer_through_gate(question=question, passages=passages, acting_user=employee)

    assert onprem.requests == []
    assert "local not asked (too little evidence that the passages answer)" in answer.route
    assert answer.backend == "extractive" and answer.text.startswith(MAY_NOT_ANSWER)
    assert "finance pays it into your bank account within a week. [" in answer.text
    event = AuditEvent.objects.get(id=answer.audit_id)
    assert event.outcome == AuditEvent.Outcome.ANSWERED and event.decision["hedged"] is True
    # The auditor sees that the answer came with the caveat.
    client.force_login(auditor)
    page = client.get(reverse("audit-detail", args=[answer.audit_id])).content.decode()
    assert "Answered with a caveat" in page
    # ... and finds such answers in the log.
    log = reverse("audit-log")
    assert answer.audit_id in listed(client.get(log, {"hedged": "yes"}))
    assert answer.audit_id not in listed(client.get(log, {"hedged": "no"}))


def test_an_answer_with_evidence_is_not_marked_hedged(ingest, employee, auditor, onprem, client):
    question = "How many days of sick leave do employees earn a year?"
    passages = passages_for(ingest, employee, question)

    answer = answer_through_gate(question=question, passages=passages, acting_user=employee)

    assert "hedged" not in AuditEvent.objects.get(id=answer.audit_id).decision
    client.force_login(auditor)
    log = reverse("audit-log")
    assert answer.audit_id in listed(client.get(log, {"hedged": "no"}))
    assert answer.audit_id not in listed(client.get(log, {"hedged": "yes"}))
