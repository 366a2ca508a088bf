"""Reads for the assistant's pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from assistant.models import Conversation, Feedback, HistoryEntry
from retrieval.bm25 import TEXT_SEARCH_CONFIG
from retrieval.selectors import Reader, list_recent_document_headings

HISTORY_PAGE_SIZE = 20
SUGGESTIONS = 5


HISTORY_QUERY_MAX = 200


def clean_history_query(text: str) -> str:
    """A history search as typed, made safe to run: stripped, no NUL (PostgreSQL text holds none), at
    most HISTORY_QUERY_MAX characters."""
    return text.replace("\x00", "").strip()[:HISTORY_QUERY_MAX]


def list_history(*, owner: User, query: str = "", page_number: str | int | None = None) -> Page:
    """One page of the owner's own conversations, the latest active first (an out-of-range page number gives
    the nearest page), each with its turns in `turn_list` (oldest first; entries kept before conversations are
    one-turn conversations). `query` keeps the conversations with a question that matches by full-text
    search (websearch syntax, stemmed) or as a plain substring, so a half-typed word still finds it."""
    # A held turn shows where its approval stands (its held request, the sealed vault left unread).
    turns = (
        HistoryEntry.objects.filter(owner=owner)
        .select_related("held_request")
        .defer("text", "citations", "notices", "redacted", "route", "held_request__vault")
    )
    matching = turns.filter(conversation=OuterRef("pk"))
    if query:
        matching = matching.annotate(question_vector=SearchVector("question", config=TEXT_SEARCH_CONFIG)).filter(
            Q(question_vector=SearchQuery(query, config=TEXT_SEARCH_CONFIG, search_type="websearch"))
            | Q(question__icontains=query)
        )
    conversations = (
        Conversation.objects.filter(Exists(matching), owner=owner)
        .prefetch_related(Prefetch("turns", queryset=turns.order_by("created_at", "id"), to_attr="turn_list"))
        .order_by("-updated_at", "-id")
    )
    return Paginator(conversations, HISTORY_PAGE_SIZE).get_page(page_number)


def filter_history(*, owner: User, query: str = "") -> QuerySet[HistoryEntry]:
    """The owner's own history entries (each turn), newest first, as the API lists them. `query`
    (clean_history_query) matches their questions by full-text search (websearch syntax, stemmed) or as a
    plain substring."""
    entries = (
        HistoryEntry.objects.filter(owner=owner)
        .select_related("held_request")
        .defer("citations", "notices", "redacted", "held_request__vault")
    )
    if query:
        entries = entries.annotate(question_vector=SearchVector("question", config=TEXT_SEARCH_CONFIG)).filter(
            Q(question_vector=SearchQuery(query, config=TEXT_SEARCH_CONFIG, search_type="websearch"))
            | Q(question__icontains=query)
        )
    return entries.order_by("-created_at", "-id")


def get_conversation(*, owner: User, conversation_id: int) -> Conversation:
    """One of the owner's own conversations, with its turns in `turn_list` (oldest first). Raises Http404 when
    they have no such conversation, whether or not it is someone else's."""
    turns = HistoryEntry.objects.filter(owner=owner).order_by("created_at", "id")
    return get_object_or_404(
        Conversation.objects.prefetch_related(Prefetch("turns", queryset=turns, to_attr="turn_list")),
        id=conversation_id,
        owner=owner,
    )


def get_history_entry(*, owner: User, entry_id: int) -> HistoryEntry:
    """One entry of the owner's own history, with `feedback` set to their Feedback on that answer
    (or None). Raises Http404 when they have no such entry, whether or not it is someone else's."""
    entry = get_object_or_404(HistoryEntry, id=entry_id, owner=owner)
    entry.feedback = Feedback.objects.filter(audit_event_id=entry.audit_id, user=owner).first()
    return entry


@dataclass(frozen=True)
class SuggestedQuestion:
    question: str
    document_title: str


# PDF passages carry "Page 3" as their heading: no topic to ask about.


def list_suggested_questions(reader: Reader, *, limit: int = SUGGESTIONS) -> list[SuggestedQuestion]:
    """Questions to start from, one per document among the `limit` most recently updated that the
    reader may read (retrieval's access filter, in the SQL). The rule is plain: the first section
    heading below the title gives "What does “<title>” say about “<heading>”?", and a document without
    one gives "What is “<title>” about?"."""
    rows = list_recent_document_headings(reader, limit=limit)
    return [
        SuggestedQuestion(question=_question(title, heading_path or ""), document_title=title)
        for title, heading_path in rows
    ]


def _question(title: str, heading_path: str) -> str:
    heading = heading_path.rsplit(" > ", 1)[-1].strip().rstrip("?.:")
    if not heading or heading == title:
        return f"What is “{title}” about?"
    return f"What does “{title}” say about “{heading}”?"
