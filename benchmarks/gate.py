"""Benchmarks of the gate itself: its overhead per request and the inspector's throughput.

Everything runs inside one transaction that is rolled back, so the audit chain and the
response cache are left as they were.
"""

from __future__ import annotations

import json
import time

from django.db import transaction

from accounts.clearance import Classification
from accounts.models import User
from accounts.roles import Role
from benchmarks.stats import Latency
from inspection import inspect_text
from inspection.stored import StoredFindings, findings_to_json, inspector_version
from routing.answer import SourcePassage
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


def gate_overhead(*, requests: int = 200, warmup: int = 20) -> Latency:
    """The gate per request, through answer_through_gate: load the active policy, inspect the 2 KB question,
    read the user's groups, decide, minimise/redact, restore, write the audit row. The passages are given
    (no retrieval) as retrieval gives them, with the findings stored at ingestion (computed once, before
    the timing); a redacting decision would use them and run the policy's custom patterns on them live.
    This question's card and IBAN make it confidential, so it stays on-prem unredacted. The backends' own
    time (the attempts' latency) is taken out; with no model configured, the in-process extractive
    backend answers, as in the demo."""
    question = two_kb_question()
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
