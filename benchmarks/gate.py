"""Benchmarks of the gate itself: its overhead per request and the inspector's throughput.

Everything runs inside one transaction that is rolled back, so the audit chain and the
response cache are left as they were.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.db import transaction

from accounts.clearance import Classification
from accounts.models import User
from accounts.roles import Role
from benchmarks.stats import Latency
from inspection import inspect_question, inspect_text, ner
from inspection.stored import StoredFindings, findings_to_json, inspector_version
from routing.answer import SourcePassage
from routing.audit import append_audit_event
from routing.policy.versions import get_active_policy
from routing.services import answer_through_gate

# A customer-support style question: personal data, a payment card, an IBAN and a customer id
# among ordinary words, padded with ordinary text to about 2 KB.
QUESTION_HEAD = (
    "Hi, this is Dana Cho (dana.cho@quillfern.example, +1 415 555 0134) from the Lisbon office. "
    "Customer CUST-204518 says their card 4111 1111 1111 1111 was charged twice and asks for the refund "
    "to go to IBAN GB82 WEST 1234 5698 7654 32; their last login came from 203.0.113.24. "
)
QUESTION_FILLER = (
    "What is the runbook for a duplicated charge, who approves the refund, how long does it take, "
    "and what do we tell the customer while the payments team checks the ledger? "
)
PASSAGE = (
    "Refunds for duplicated charges are approved by the payments duty lead. The support engineer "
    "opens a ticket in the payments queue, attaches the two transaction ids and the customer's "
    "reference, and tells the customer that refunds reach the original payment method within five "
    "working days. Card numbers and bank details are never pasted into tickets: use the reference. "
)


def two_kb_question() -> str:
    text = QUESTION_HEAD
    while len(text) < 2048:
        text += QUESTION_FILLER
    return text[:2048]


def ingested_passage(n: int, text: str) -> SourcePassage:
    """A passage as retrieval hands it to the gate: with the findings inspection stored at ingestion
    (computed here, before any timing, and passed through their stored JSON form)."""
    stored = json.loads(json.dumps(findings_to_json(inspect_text(text))))
    return SourcePassage(
        chunk_id=-n,
        document_id=-n,
        title=f"Payments runbook {n}",
        text=text,
        classification=1,
        stored_findings=StoredFindings.from_json(inspector_version(), stored),
    )


# A question as people usually type one: a name and a card, about 100 characters.
SHORT_QUESTION = "Who approves the refund Dana Cho asked for? The card 4111 1111 1111 1111 was charged twice."


def gate_overhead(*, requests: int = 200, warmup: int = 20, question: str | None = None) -> Latency:
    """The gate per request, through answer_through_gate: load the active policy, inspect the 2 KB question,
    read the user's groups, decide, minimise/redact, restore, write the audit row. The passages are given
    (no retrieval) as retrieval gives them, with the findings stored at ingestion (computed once, before
    the timing); a redacting decision would use them and run the policy's custom patterns on them live.
    This question's card and IBAN make it confidential, so it stays on-prem unredacted. The backends' own
    time (the attempts' latency) is taken out; with no model configured, the in-process extractive
    backend answers, as in the demo."""
    question = two_kb_question() if question is None else question
    passages = [ingested_passage(n, PASSAGE * 2) for n in range(1, 6)]
    samples: list[float] = []
    with transaction.atomic():
        user = User.objects.create(username="bench-gate", role=Role.EMPLOYEE, clearance=Classification.INTERNAL)
        for i in range(warmup + requests):
            started = time.perf_counter()
            answer = answer_through_gate(question=question, passages=passages, acting_user=user)
            total_ms = (time.perf_counter() - started) * 1000
            if i >= warmup:
                samples.append(total_ms - sum(a.latency_ms for a in answer.attempts))
        transaction.set_rollback(True)
    return Latency.of(samples)


IDENTIFIERS = {"email", "phone", "payment_card", "iban", "ip_address", "ssn", "secret"}


def gate_steps(*, requests: int = 200, warmup: int = 20) -> dict[str, Any]:
    """Where the gate's time goes on the 2 KB question, each step timed alone on the same input: inspecting
    the question (every detector), of which the name model; reading the active policy; writing the audit
    row (rolled back). The rest of the gate (deciding, minimising, redacting, restoring, hashing) is the
    whole less these. Also the whole gate with the name model off and on a short question, for scale."""
    question = two_kb_question()
    audit_row = _audit_fields()
    # The model reads what inspection gives it: the question, with the identifiers other detectors found.
    ner.set_enabled(False)
    try:
        taken = [(f.start, f.end) for f in inspect_question(question) if f.kind in IDENTIFIERS]
    finally:
        ner.set_enabled(None)
    steps: dict[str, list[float]] = {"inspect_question": [], "name_model": [], "policy_read": [], "audit_row": []}
    with transaction.atomic():
        user = User.objects.create(username="bench-gate-steps", role=Role.EMPLOYEE, clearance=Classification.INTERNAL)
        for i in range(warmup + requests):
            timed = {
                "inspect_question": lambda: inspect_question(question),
                "name_model": lambda: ner.find_entities(question, in_question=True, taken=taken),
                "policy_read": get_active_policy,
                "audit_row": lambda: append_audit_event(acting_user=user, username=user.username, **audit_row),
            }
            for name, step in timed.items():
                started = time.perf_counter()
                step()
                if i >= warmup:
                    steps[name].append((time.perf_counter() - started) * 1000)
        transaction.set_rollback(True)
    result: dict[str, Any] = {name: Latency.of(samples).as_json() for name, samples in steps.items()}
    result["short_question"] = gate_overhead(requests=requests, warmup=warmup, question=SHORT_QUESTION).as_json()
    ner.set_enabled(False)
    try:
        result["without_name_model"] = gate_overhead(requests=requests, warmup=warmup).as_json()
    finally:
        ner.set_enabled(None)
    return result


def _audit_fields() -> dict[str, Any]:
    """An audit row like the gate's for this question (its size matters: the JSON is hashed and sent)."""
    return {
        "role": Role.EMPLOYEE,
        "question": two_kb_question(),
        "findings": {"email": 1, "phone": 1, "payment_card": 1, "iban": 1, "ip_address": 1, "person": 1},
        "passages": [
            {"n": n, "chunk_id": -n, "document_id": -n, "classification": "internal", "cited": True}
            for n in range(1, 6)
        ],
        "data_class": 2,
        "decision": {"action": "answer", "rule": "confidential-on-prem", "reasons": ["a card stays on-prem"]},
        "attempts": [{"target": "extractive", "outcome": "ok", "latency_ms": 1.0, "cost_usd": 0.0}],
        "backend": "extractive",
        "outcome": "answered",
        "latency_ms": 5.0,
    }
