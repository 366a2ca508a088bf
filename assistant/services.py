"""One question's path: retrieve what the user may read, then through the gate, which answers and records it;
the asker's history of it, and their feedback on the answer."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from assistant.models import Feedback, HistoryEntry
from inspection import inspect_text
from inspection.stored import StoredFindings
from retrieval.selectors import Passage, get_reader, search_passages
from routing.models import AuditEvent
from routing.policy.decide import Workload, Zone
from routing.policy.loader import PolicyError
from routing.policy.versions import get_active_policy
from routing.redaction import Vault, redact
from routing.runner import Delta, Restart
from routing.services import Final, SourcePassage, stream_through_gate

logger = logging.getLogger(__name__)

PASSAGES_PER_ANSWER = 5


@dataclass(frozen=True)
class Citation:
    n: int
    passage: Passage

    def as_json(self) -> dict[str, Any]:
        """What the history keeps of it: what the user saw, and the ids to open it again."""
        p = self.passage
        return {
            "n": self.n,
            "chunk_id": p.chunk_id,
            "document_id": p.document_id,
            "title": p.title,
            "heading_path": p.heading_path,
            "classification": p.classification,
            "classification_label": p.classification_label,
        }

    # The passage's facts under the names the history's stored citations use, so one template shows both.
    @property
    def chunk_id(self) -> int:
        return self.passage.chunk_id

    @property
    def title(self) -> str:
        return self.passage.title

    @property
    def heading_path(self) -> str:
        return self.passage.heading_path

    @property
    def classification(self) -> int:
        return self.passage.classification

    @property
    def classification_label(self) -> str:
        return self.passage.classification_label


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
    history_id: int | None = None  # the asker's HistoryEntry of it

    @property
    def zone_label(self) -> str:
        return Zone(self.zone).label if self.zone in Zone.values else self.zone


def answer_question(*, question: str, acting_user: User, workload: str = Workload.INTERACTIVE) -> Answer:
    """Answer from the passages the user may read, citing them as [n], through the policy gate.

    The gate writes the audit row; a refusal is an Answer with `refused` set and the reason in `route`.
    """
    for event in stream_answer(question=question, acting_user=acting_user, workload=workload):
        if isinstance(event, Answer):
            return event
    raise AssertionError("stream_answer ended without an Answer")  # pragma: no cover


def stream_answer(
    *, question: str, acting_user: User, workload: str = Workload.INTERACTIVE
) -> Iterator[Delta | Restart | Answer]:
    """answer_question() as it is written: text deltas (Restart when a model stopped mid-answer and the
    answer is being written again), then the whole Answer, audited and kept in the asker's history, as the
    last event. A reader who leaves mid-answer gets no history entry (the gate audits what was sent)."""
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
                stored_findings=StoredFindings.from_json(p.findings_version, p.findings),
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
        answer = Answer(
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
        yield replace(answer, history_id=keep_in_history(answer=answer, acting_user=acting_user).id)


def keep_in_history(*, answer: Answer, acting_user: User) -> HistoryEntry:
    """Keep the answer, as the user was shown it, in their own history (HistoryEntry says why the
    question is kept as typed there and nowhere else)."""
    return HistoryEntry.objects.create(
        owner=acting_user,
        question=answer.question,
        text=answer.text,
        citations=[c.as_json() for c in answer.citations],
        route=answer.route,
        backend=answer.backend,
        zone=answer.zone,
        model=answer.model,
        refused=answer.refused,
        fell_back=answer.fell_back,
        cut_off=answer.cut_off,
        cache_hit=answer.cache_hit,
        redacted=answer.redacted,
        notices=list(answer.notices),
        latency_ms=round(answer.latency_ms, 1),
        audit_id=answer.audit_id,
    )


def delete_history_entry(*, entry_id: int, acting_user: User) -> bool:
    """Delete one entry of the user's own history. False when they have no such entry (someone
    else's included: the query filters on the owner)."""
    deleted, _ = HistoryEntry.objects.filter(id=entry_id, owner=acting_user).delete()
    return deleted > 0


def delete_history(*, acting_user: User) -> int:
    """Delete the user's whole history; returns how many entries went. Their feedback stays with the
    audit log."""
    deleted, _ = HistoryEntry.objects.filter(owner=acting_user).delete()
    return deleted


def purge_history(*, retention_days: int) -> int:
    """Delete every user's history entries older than `retention_days`; returns the count. Safe to
    run again: what is left is within the retention. Raises ValueError unless retention_days >= 1."""
    if retention_days < 1:
        raise ValueError(f"the history retention must be at least 1 day, got {retention_days}")
    cutoff = timezone.now() - dt.timedelta(days=retention_days)
    deleted, _ = HistoryEntry.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def redact_comment(comment: str) -> tuple[str, dict[str, int]]:
    """The comment with every finding (PII, secrets, the policy's custom patterns) replaced by a
    placeholder, and the counts by kind. Without a valid active policy its custom patterns are
    unknown, so the comment is dropped rather than stored with them unchecked."""
    try:
        custom = get_active_policy(store_default=False).custom_patterns
    except PolicyError:
        logger.warning("Feedback comment dropped: the active routing policy does not validate")
        return "", {}
    redaction = redact(comment, inspect_text(comment, custom=custom), Vault())
    return redaction.text, redaction.counts_by_kind


@transaction.atomic
def record_feedback(*, audit_id: int, acting_user: User, vote: str, comment: str = "") -> Feedback:
    """Set the user's vote (Feedback.Vote) and optional comment on an answer they were given,
    replacing any earlier feedback of theirs on it. The comment is stored redacted, never as typed.

    Raises AuditEvent.DoesNotExist when `audit_id` is not a request of this user (the query filters
    on the asker), so nobody can give feedback on an answer someone else was given.
    """
    event = AuditEvent.objects.only("id").get(id=audit_id, acting_user=acting_user)
    text, findings = redact_comment(comment.strip())
    feedback, _ = Feedback.objects.update_or_create(
        audit_event=event,
        user=acting_user,
        defaults={"username": acting_user.get_username(), "vote": vote, "comment": text, "comment_findings": findings},
    )
    return feedback
