"""One question's path: retrieve what the user may read, then through the gate, which answers and records it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from retrieval.selectors import Passage, get_reader, search_passages
from routing.policy import Workload
from routing.services import SourcePassage, answer_through_gate

PASSAGES_PER_ANSWER = 5


@dataclass(frozen=True)
class Citation:
    n: int
    passage: Passage


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    citations: list[Citation]
    backend: str  # the policy target that answered; empty when refused
    route: str  # where it was answered and why, for the user
    refused: bool
    redacted: dict[str, int]  # counts by kind of what was replaced before it left
    notices: tuple[str, ...]  # what the user must be told (a secret removed, the team's budget spent)
    cache_hit: bool
    audit_id: int
    latency_ms: float


def answer_question(*, question: str, acting_user: Any, workload: str = Workload.INTERACTIVE) -> Answer:
    """Answer from the passages the user may read, citing them as [n], through the policy gate.

    The gate writes the audit row; a refusal is an Answer with `refused` set and the reason in `route`.
    """
    started = time.perf_counter()
    found = search_passages(get_reader(acting_user), question, k=PASSAGES_PER_ANSWER).passages
    gated = answer_through_gate(
        question=question,
        passages=[
            SourcePassage(
                chunk_id=p.chunk_id,
                document_id=p.document_id,
                title=p.title,
                text=p.text,
                classification=p.classification,
            )
            for p in found
        ],
        acting_user=acting_user,
        workload=workload,
    )
    sent = found[: len(gated.passages)]
    citations = [Citation(n=n, passage=p) for n, p in enumerate(sent, 1) if f"[{n}]" in gated.text]
    return Answer(
        question=question,
        text=gated.text,
        citations=citations,
        backend=gated.answered_by.name if gated.answered_by else "",
        route=gated.route,
        refused=gated.refused,
        redacted=gated.redacted,
        notices=gated.notices,
        cache_hit=gated.cache_hit,
        audit_id=gated.audit_id,
        latency_ms=(time.perf_counter() - started) * 1000,
    )
