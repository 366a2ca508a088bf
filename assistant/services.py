"""One question's path: retrieve what the user may read, write the answer, record it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from retrieval.classification import Classification
from retrieval.selectors import Passage, get_reader, search_passages
from routing.backends import get_backend
from routing.backends.base import Bundle, ContextPassage
from routing.backends.extractive import NOTHING_FOUND
from routing.models import AuditEvent

PASSAGES_PER_ANSWER = 5
DEFAULT_BACKEND = "extractive"


@dataclass(frozen=True)
class Citation:
    n: int
    passage: Passage


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    citations: list[Citation]
    backend: str
    audit_id: int
    latency_ms: float


def answer_question(*, question: str, acting_user: Any) -> Answer:
    """Answer from the passages the user may read, citing them as [n], and audit it.

    The audit row is written in the same transaction that produces the answer.
    """
    started = time.perf_counter()
    reader = get_reader(acting_user)
    passages = search_passages(reader, question, k=PASSAGES_PER_ANSWER).passages
    bundle = Bundle(
        question=question,
        passages=tuple(
            ContextPassage(n=i + 1, chunk_id=p.chunk_id, document_id=p.document_id, title=p.title, text=p.text)
            for i, p in enumerate(passages)
        ),
    )
    backend = get_backend(DEFAULT_BACKEND)
    text = "".join(backend.generate(bundle))
    cited = {c.n for c in bundle.passages if f"[{c.n}]" in text}
    citations = [Citation(n=i + 1, passage=p) for i, p in enumerate(passages) if i + 1 in cited]
    latency_ms = (time.perf_counter() - started) * 1000
    with transaction.atomic():
        event = AuditEvent.objects.create(
            acting_user=acting_user,
            username=acting_user.get_username(),
            role=acting_user.role,
            question=question,
            passages=[
                {
                    "n": i + 1,
                    "chunk_id": p.chunk_id,
                    "document_id": p.document_id,
                    "classification": Classification(p.classification).label,
                    "cited": i + 1 in cited,
                }
                for i, p in enumerate(passages)
            ],
            data_class=max((p.classification for p in passages), default=Classification.PUBLIC),
            backend=backend.name,
            outcome=AuditEvent.Outcome.NOTHING_FOUND if text == NOTHING_FOUND else AuditEvent.Outcome.ANSWERED,
            latency_ms=latency_ms,
        )
    return Answer(
        question=question,
        text=text,
        citations=citations,
        backend=backend.name,
        audit_id=event.id,
        latency_ms=latency_ms,
    )
