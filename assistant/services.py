"""One question's path: retrieve what the user may read, then through the gate, which answers and records it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from retrieval.selectors import Passage, get_reader, search_passages
from routing.policy import Workload
from routing.runner import Delta, Restart
from routing.services import Final, SourcePassage, stream_through_gate

PASSAGES_PER_ANSWER = 5
ZONE_LABELS = {"onprem": "On-prem", "private": "Private", "cloud": "Cloud"}


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
    zone: str  # its zone: onprem, private or cloud
    model: str  # as the backend reported it
    route: str  # where it was answered and why, for the user
    refused: bool
    fell_back: bool  # answered by a later target than the first one tried
    cut_off: bool  # stopped mid-answer (marked in the text)
    redacted: dict[str, int]  # counts by kind of what was replaced before it left
    notices: tuple[str, ...]  # what the user must be told (a secret removed, the team's budget spent)
    cache_hit: bool
    audit_id: int
    latency_ms: float

    @property
    def zone_label(self) -> str:
        return ZONE_LABELS.get(self.zone, self.zone)


def answer_question(*, question: str, acting_user: Any, workload: str = Workload.INTERACTIVE) -> Answer:
    """Answer from the passages the user may read, citing them as [n], through the policy gate.

    The gate writes the audit row; a refusal is an Answer with `refused` set and the reason in `route`.
    """
    for event in stream_answer(question=question, acting_user=acting_user, workload=workload):
        if isinstance(event, Answer):
            return event
    raise AssertionError("stream_answer ended without an Answer")  # pragma: no cover


def stream_answer(
    *, question: str, acting_user: Any, workload: str = Workload.INTERACTIVE
) -> Iterator[Delta | Restart | Answer]:
    """answer_question() as it is written: text deltas (Restart when a model stopped mid-answer and the
    answer is being written again), then the whole Answer, audited, as the last event."""
    started = time.perf_counter()
    found = search_passages(get_reader(acting_user), question, k=PASSAGES_PER_ANSWER).passages
    events = stream_through_gate(
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
    for event in events:
        if not isinstance(event, Final):
            yield event
            continue
        gated = event.answer
        sent = found[: len(gated.passages)]
        target = gated.answered_by
        yield Answer(
            question=question,
            text=gated.text,
            citations=[Citation(n=n, passage=p) for n, p in enumerate(sent, 1) if f"[{n}]" in gated.text],
            backend=target.name if target else "",
            zone=str(target.zone) if target else "",
            model=gated.model,
            route=gated.route,
            refused=gated.refused,
            fell_back=any(a.target != target.name for a in gated.attempts) if target else False,
            cut_off=gated.cut_off,
            redacted=gated.redacted,
            notices=gated.notices,
            cache_hit=gated.cache_hit,
            audit_id=gated.audit_id,
            latency_ms=(time.perf_counter() - started) * 1000,
        )
