"""The asker's side of a question: the conversation it continues, the gate's answer kept in their own
history as its turn, the history itself, and their feedback on an answer. Retrieval and the gate are
routing.services.stream_answer."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, QuerySet, Value, Window
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import ApiKey, User
from assistant.models import TITLE_CHARS, Conversation, Feedback, HistoryEntry
from inspection import inspect_question
from retrieval.follow_up import PreviousTurn
from routing import services as routing_services
from routing.answer import ConversationContext, Final, GatedAnswer
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
    """The gate's answer as the asker was shown it, its entry in their history and its conversation."""

    answer: GatedAnswer
    history_id: int
    conversation_id: int


def answer_question(
    *,
    question: str,
    acting_user: User,
    workload: str = Workload.INTERACTIVE,
    api_key: ApiKey | None = None,
    conversation_id: int | None = None,
) -> KeptAnswer:
    """Answer from the passages the user may read, citing them as [n], through the policy gate, and keep
    it in the asker's history as the next turn of their conversation `conversation_id` (a new one when
    None). The gate writes the audit row; a refusal is an answer with `refused` set and the reason in
    `route`. `api_key`: the key a program asked with, named in the audit row.

    Raises Conversation.DoesNotExist when the user has no such conversation (someone else's included),
    and RateLimited when the user, or the key, asked too often (nothing is audited either way)."""
    conversation = _own_conversation(acting_user, conversation_id)
    _count_asking(acting_user, api_key)
    events = _stream(
        question=question, acting_user=acting_user, workload=workload, api_key=api_key, conversation=conversation
    )
    for event in events:
        if isinstance(event, KeptAnswer):
            return event
    raise AssertionError("stream_answer ended without an answer")  # pragma: no cover


def stream_answer(
    *,
    question: str,
    acting_user: User,
    workload: str = Workload.INTERACTIVE,
    api_key: ApiKey | None = None,
    conversation_id: int | None = None,
) -> Iterator[Delta | Restart | KeptAnswer]:
    """answer_question() as it is written: text deltas (Restart when a model stopped mid-answer and the
    answer is being written again), then the whole answer, audited and kept in the asker's history, as the
    last event. A reader who leaves mid-answer gets no history entry (the gate audits what was sent).
    Raises Conversation.DoesNotExist and RateLimited at once, before any event, as answer_question does."""
    conversation = _own_conversation(acting_user, conversation_id)
    _count_asking(acting_user, api_key)
    return _stream(
        question=question, acting_user=acting_user, workload=workload, api_key=api_key, conversation=conversation
    )


def _own_conversation(user: User, conversation_id: int | None) -> Conversation | None:
    # The owner in the query: another user's conversation is as absent as one that never was.
    return None if conversation_id is None else Conversation.objects.get(id=conversation_id, owner=user)


def _count_asking(user: User, api_key: ApiKey | None) -> None:
    # Each question costs retrieval, maybe a paid model, and an audit row: one user may not flood them,
    # nor one key (a service account's keys are often shared by several jobs).
    take(f"ask:user:{user.pk}", RateLimit(settings.ASK_RATE_LIMIT_PER_MINUTE, 60))
    if api_key is not None:
        take(f"ask:key:{api_key.pk}", RateLimit(settings.API_KEY_RATE_LIMIT_PER_MINUTE, 60))


def _stream(
    *, question: str, acting_user: User, workload: str, api_key: ApiKey | None, conversation: Conversation | None
) -> Iterator[Delta | Restart | KeptAnswer]:
    # Made before the gate runs, so that the first turn's audit row names it too. A process that dies before
    # the answer is audited leaves it without turns: no page lists it, and the retention job deletes it.
    if conversation is None:
        conversation = Conversation.objects.create(owner=acting_user, title=question[:TITLE_CHARS])
        context = ConversationContext(id=conversation.id, turn=1)  # nothing carried over: no query for it
    else:
        context = conversation_context(conversation)
    entries: list[HistoryEntry] = []

    def keep(answer: GatedAnswer) -> None:
        # In the audit row's transaction: an answer is in the log and in the history, or in neither.
        entries.append(keep_in_history(answer=answer, acting_user=acting_user, conversation=conversation))

    events = routing_services.stream_answer(
        question=question,
        acting_user=acting_user,
        workload=workload,
        api_key=api_key,
        conversation=context,
        keep=keep,
    )
    for event in events:
        if isinstance(event, Final):
            yield KeptAnswer(answer=event.answer, history_id=entries[-1].id, conversation_id=conversation.id)
        else:
            yield event


def conversation_context(conversation: Conversation) -> ConversationContext:
    """What the conversation's earlier turns carry over to its next question: its class, whether a turn held
    a secret, and its last turn's question and citations (what a follow-up refers to). One query: the last
    turn with the number of turns beside it."""
    last = (
        conversation.turns.order_by("-created_at", "-id")
        .only("conversation_id", "question", "citations")
        .annotate(turn_count=Window(Count("id")))
        .first()
    )
    previous = None
    if last is not None:
        cited = [c for c in last.citations if isinstance(c, dict)]
        previous = PreviousTurn(
            question=last.question,
            cited_chunk_ids=tuple(int(c["chunk_id"]) for c in cited if "chunk_id" in c),
            cited_titles=tuple(str(c.get("title", "")) for c in cited),
        )
    return ConversationContext(
        id=conversation.id,
        turn=(last.turn_count if last is not None else 0) + 1,
        previous=previous,
        data_class=conversation.data_class,
        held_secret=conversation.held_secret,
    )


# No savepoint of its own: the gate calls it inside the audit row's transaction, in a savepoint that a failure
# here rolls back to (routing.audit.keep_beside_audit); alone, it is its own transaction.
@transaction.atomic(savepoint=False)
def keep_in_history(
    *, answer: GatedAnswer, acting_user: User, conversation: Conversation | None = None
) -> HistoryEntry:
    """Keep the answer, as the user was shown it, in their own history (HistoryEntry says why the
    question is kept as typed there and nowhere else), as the next turn of `conversation`, whose class
    rises to the class the audited Decision gave this turn (it never goes down)."""
    if conversation is not None:
        raised: dict[str, Any] = {"updated_at": timezone.now()}
        if answer.decision is not None:
            # In SQL: two answers of one conversation finishing at once must both raise it.
            decided = Value(int(answer.decision.data_class))
            raised["data_class"] = Greatest(Coalesce(F("data_class"), decided), decided)
            if answer.decision.remove_secrets:
                raised["held_secret"] = True
        Conversation.objects.filter(id=conversation.id).update(**raised)
    return HistoryEntry.objects.create(
        owner=acting_user,
        conversation=conversation,
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
        "carried_class": answer.carried_class,
        "latency_ms": round(answer.latency_ms, 1),
        "audit_id": answer.audit_id,
    }


def delete_history_entry(*, entry_id: int, acting_user: User) -> bool:
    """Delete one entry of the user's own history. False when they have no such entry (someone
    else's included: the query filters on the owner)."""
    deleted, _ = HistoryEntry.objects.filter(id=entry_id, owner=acting_user).delete()
    _drop_empty_conversations(Conversation.objects.filter(owner=acting_user))
    return deleted > 0


def _drop_empty_conversations(conversations: QuerySet[Conversation]) -> None:
    # A conversation whose turns are all gone holds nothing to show or continue.
    conversations.filter(turns__isnull=True).delete()


def delete_history(*, acting_user: User) -> int:
    """Delete the user's whole history, conversations included; returns how many entries went. Their
    feedback stays with the audit log."""
    deleted, _ = HistoryEntry.objects.filter(owner=acting_user).delete()
    Conversation.objects.filter(owner=acting_user).delete()
    return deleted


def purge_history(*, retention_days: int) -> int:
    """Delete every user's history entries older than `retention_days`; returns the count. Safe to
    run again: what is left is within the retention. Raises ValueError unless retention_days >= 1."""
    if retention_days < 1:
        raise ValueError(f"the history retention must be at least 1 day, got {retention_days}")
    cutoff = timezone.now() - dt.timedelta(days=retention_days)
    deleted, _ = HistoryEntry.objects.filter(created_at__lt=cutoff).delete()
    _drop_empty_conversations(Conversation.objects.filter(updated_at__lt=cutoff))
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
