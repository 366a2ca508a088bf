"""The asker's side of a question: the gate's answer kept in their own history, the history itself,
and their feedback on an answer. Retrieval and the gate are routing.services.stream_answer."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiKey, User
from assistant.models import Feedback, HistoryEntry
from inspection import inspect_question
from routing import services as routing_services
from routing.answer import Final, GatedAnswer
from routing.models import AuditEvent
from routing.policy.decide import Workload
from routing.policy.loader import PolicyError
from routing.policy.versions import get_active_policy
from routing.rate_limits import RateLimit, take
from routing.redaction import Vault, redact
from routing.runner import Delta, Restart

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeptAnswer:
    """The gate's answer as the asker was shown it, and its entry in their history."""

    answer: GatedAnswer
    history_id: int


def answer_question(
    *, question: str, acting_user: User, workload: str = Workload.INTERACTIVE, api_key: ApiKey | None = None
) -> KeptAnswer:
    """Answer from the passages the user may read, citing them as [n], through the policy gate, and keep
    it in the asker's history. The gate writes the audit row; a refusal is an answer with `refused` set
    and the reason in `route`. `api_key`: the key a program asked with, named in the audit row. Raises
    RateLimited when the user, or the key, asked too often (nothing is audited)."""
    _count_asking(acting_user, api_key)
    for event in _stream(question=question, acting_user=acting_user, workload=workload, api_key=api_key):
        if isinstance(event, KeptAnswer):
            return event
    raise AssertionError("stream_answer ended without an answer")  # pragma: no cover


def stream_answer(
    *, question: str, acting_user: User, workload: str = Workload.INTERACTIVE, api_key: ApiKey | None = None
) -> Iterator[Delta | Restart | KeptAnswer]:
    """answer_question() as it is written: text deltas (Restart when a model stopped mid-answer and the
    answer is being written again), then the whole answer, audited and kept in the asker's history, as the
    last event. A reader who leaves mid-answer gets no history entry (the gate audits what was sent).
    Raises RateLimited at once, before any event, when the user or the key asked too often."""
    _count_asking(acting_user, api_key)
    return _stream(question=question, acting_user=acting_user, workload=workload, api_key=api_key)


def _count_asking(user: User, api_key: ApiKey | None) -> None:
    # Each question costs retrieval, maybe a paid model, and an audit row: one user may not flood them,
    # nor one key (a service account's keys are often shared by several jobs).
    take(f"ask:user:{user.pk}", RateLimit(settings.ASK_RATE_LIMIT_PER_MINUTE, 60))
    if api_key is not None:
        take(f"ask:key:{api_key.pk}", RateLimit(settings.API_KEY_RATE_LIMIT_PER_MINUTE, 60))


def _stream(
    *, question: str, acting_user: User, workload: str, api_key: ApiKey | None
) -> Iterator[Delta | Restart | KeptAnswer]:
    events = routing_services.stream_answer(
        question=question, acting_user=acting_user, workload=workload, api_key=api_key
    )
    for event in events:
        if isinstance(event, Final):
            entry = keep_in_history(answer=event.answer, acting_user=acting_user)
            yield KeptAnswer(answer=event.answer, history_id=entry.id)
        else:
            yield event


def keep_in_history(*, answer: GatedAnswer, acting_user: User) -> HistoryEntry:
    """Keep the answer, as the user was shown it, in their own history (HistoryEntry says why the
    question is kept as typed there and nowhere else)."""
    return HistoryEntry.objects.create(
        owner=acting_user,
        question=answer.question,
        held_request_id=answer.held_id if answer.held else None,
        **shown_answer(answer),
    )


def shown_answer(answer: GatedAnswer) -> dict[str, object]:
    """The fields of a history entry that hold the answer as the user is shown it."""
    return {
        "text": answer.text,
        "citations": [c.as_json() for c in answer.citations],
        "route": answer.route,
        "backend": answer.backend,
        "zone": answer.zone,
        "model": answer.model,
        "refused": answer.refused,
        "fell_back": answer.fell_back,
        "cut_off": answer.cut_off,
        "cache_hit": answer.cache_hit,
        "redacted": answer.redacted_before_leaving,
        "notices": list(answer.notices),
        "latency_ms": round(answer.latency_ms, 1),
        "audit_id": answer.audit_id,
    }


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
    redaction = redact(comment, inspect_question(comment, custom=custom), Vault())
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
