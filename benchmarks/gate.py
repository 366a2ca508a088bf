"""Benchmarks of the gate itself: its overhead per request and the inspector's throughput.

Everything runs inside one transaction that is rolled back, so the audit chain and the
response cache are left as they were.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from accounts.models import Role, User
from retrieval.classification import Classification
from routing.inspection import inspect_text
from routing.services import SourcePassage, answer_through_gate

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


@dataclass(frozen=True)
class Latency:
    median_ms: float
    p95_ms: float
    n: int

    @classmethod
    def of(cls, samples_ms: list[float]) -> Latency:
        p95 = statistics.quantiles(samples_ms, n=20, method="inclusive")[18] if len(samples_ms) > 1 else samples_ms[0]
        return cls(round(statistics.median(samples_ms), 3), round(p95, 3), len(samples_ms))

    def as_json(self) -> dict[str, Any]:
        return {"median": self.median_ms, "p95": self.p95_ms, "n": self.n}


def gate_overhead(*, requests: int = 200, warmup: int = 20) -> Latency:
    """Inspect + decide + minimise/redact + restore + audit write for a 2 KB question with findings,
    through answer_through_gate, with the passages given (no retrieval) and the backends' own time
    (the attempts' latency) taken out. With no model configured, the in-process extractive backend
    answers, as in the demo."""
    question = two_kb_question()
    passages = [
        SourcePassage(chunk_id=-n, document_id=-n, title=f"Payments runbook {n}", text=PASSAGE * 2, classification=1)
        for n in range(1, 6)
    ]
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


def inspector_throughput(texts: list[str], *, seconds: float = 3.0) -> float:
    """Texts per second through Sluice's inspector, cycling over `texts` for about `seconds`."""
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for text in texts:
            inspect_text(text)
        done += len(texts)
    return round(done / (time.perf_counter() - started), 1)
