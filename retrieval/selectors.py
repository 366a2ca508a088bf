"""Reads of documents and chunks. Every read of classified data filters on the
reader's clearance and groups inside its SQL."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Literal

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from psycopg.errors import QueryCanceled

from accounts.clearance import Classification
from accounts.models import User
from accounts.selectors import UserGroups, get_user_groups
from retrieval import bm25
from retrieval.embedders import get_embedder
from retrieval.fusion import Fused, Ranked, fuse
from retrieval.models import MAIN_COLLECTION, Chunk, Document, vector_literal
from retrieval.shorthand import with_expansions
from retrieval.spelling import with_corrections

SearchMode = Literal["hybrid", "vector", "keyword"]
# A search that takes longer than this is cancelled: better an error than a stuck worker.
SEARCH_TIMEOUT_MS = 10_000
SEARCH_MODES: tuple[SearchMode, ...] = ("hybrid", "vector", "keyword")

# The access filter, shared by every query on chunks; `d` is retrieval_document.
ACCESS_SQL = """
    d.collection = %(collection)s
    AND d.classification <= %(clearance)s
    AND (
        NOT EXISTS (SELECT 1 FROM retrieval_document_reader_groups rg WHERE rg.document_id = d.id)
        OR EXISTS (
            SELECT 1 FROM retrieval_document_reader_groups rg
            WHERE rg.document_id = d.id AND rg.group_id = ANY(%(group_ids)s)
        )
    )
"""


@dataclass(frozen=True)
class Reader:
    """What a searcher may read: documents up to `clearance`, in no group or in one of theirs."""

    clearance: int
    group_ids: tuple[int, ...]
    collection: str = MAIN_COLLECTION

    def params(self) -> dict[str, Any]:
        return {"collection": self.collection, "clearance": self.clearance, "group_ids": list(self.group_ids)}


def get_reader(user: User, *, groups: UserGroups | None = None, collection: str = MAIN_COLLECTION) -> Reader:
    """The Reader for a user: their clearance and the ids of their groups (`groups` when the caller has read
    them already, for the policy too; else read here)."""
    groups = groups if groups is not None else get_user_groups(user)
    return Reader(clearance=user.clearance, group_ids=groups.ids, collection=collection)


@dataclass(frozen=True)
class Passage:
    chunk_id: int
    document_id: int
    title: str
    source_name: str
    classification: int
    heading_path: str
    text: str
    score: float
    # What inspection found in `text` at ingestion ((kind, start, end, confidence, detector) rows) and the
    # inspector version that found it ("" = never inspected): the gate uses them while that version is current.
    findings: tuple[tuple[Any, ...], ...] = ()
    findings_version: str = ""
    # Not ranked for the query: the chunk next to a ranked one in its document (neighbour_passages).
    neighbour: bool = False
    # The injection detector's score at ingestion (None: not scored), its cues, and whether an admin
    # cleared the passage as a false alarm.
    injection_score: float | None = None
    injection_cues: tuple[str, ...] = ()
    injection_cleared: bool = False

    @property
    def classification_label(self) -> str:
        return Classification(self.classification).label


@dataclass(frozen=True)
class SearchResponse:
    passages: list[Passage]
    ms: float


def vector_candidates(reader: Reader, query_vector: list[float], *, limit: int) -> list[Ranked]:
    """Nearest chunks by cosine similarity among those the reader may see."""
    sql = f"""
        WITH hits AS MATERIALIZED (
            SELECT c.id, c.embedding <=> %(vector)s::vector AS distance
            FROM retrieval_chunk c JOIN retrieval_document d ON d.id = c.document_id
            WHERE {ACCESS_SQL}
            ORDER BY distance LIMIT %(limit)s
        )
        SELECT id, 1 - distance FROM hits ORDER BY distance, id
    """
    params = reader.params() | {"vector": vector_literal(query_vector), "limit": limit}
    with transaction.atomic(), connection.cursor() as cursor:
        # Without iterative scan, HNSW finds the nearest rows first and filters
        # after, so a reader with narrow access gets too few results.
        # One round trip for the three settings, local to this transaction.
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, true),"
            " set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', %s, true)",
            [str(SEARCH_TIMEOUT_MS), str(min(1000, max(40, limit)))],
        )
        cursor.execute(sql, params)
        return [Ranked(id=row[0], score=float(row[1])) for row in cursor.fetchall()]


def keyword_candidates(
    reader: Reader, query: str, *, limit: int, exact: bool = False, lexemes: list[str] | None = None
) -> list[Ranked]:
    """Best BM25 matches among the chunks the reader may see.

    Pruned by default (bm25.pruned_score_sql: exact scores, candidates from the best postings of
    each common lexeme); exact when asked, or when pruning left fewer than `limit` readable chunks.
    `lexemes`: the query's (bm25.query_lexemes), when the caller has read them already.
    """
    lexemes = bm25.query_lexemes(query) if lexemes is None else lexemes
    if not lexemes:
        return []
    params = reader.params() | {
        "lexemes": lexemes,
        "limit": limit,
        "depth": settings.KEYWORD_PRUNE_DEPTH,
        "rescore": max(limit, settings.KEYWORD_RESCORE),
        # Access is checked on the best candidates only: enough for a reader of a third of the collection.
        "screen": 3 * max(limit, settings.KEYWORD_RESCORE),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = %s", [SEARCH_TIMEOUT_MS])
        rows: list[Any] = []
        if not exact and settings.KEYWORD_PRUNE_DEPTH:
            cursor.execute(bm25.pruned_score_sql(ACCESS_SQL), params)
            rows = cursor.fetchall()
        if len(rows) < limit:
            cursor.execute(bm25.score_sql(ACCESS_SQL), params)
            rows = cursor.fetchall()
        return [Ranked(id=row[0], score=float(row[1])) for row in rows]


# Embeds the query, and reads the vector list, while the keyword list is read from the database: the model
# releases the GIL, and each thread of the pool has a database connection of its own.
_SIDE_THREADS = 4
_vector_side = ThreadPoolExecutor(max_workers=_SIDE_THREADS, thread_name_prefix="query-embedding")


def close_side_connections() -> None:
    """Close the database connections of the vector side's threads (before the database they point at is
    dropped: a benchmark's throwaway one, the tests'). Each thread takes one task: they wait for each other."""
    together = threading.Barrier(_SIDE_THREADS)

    def close() -> None:
        # A thread still busy with a search breaks the wait: the others close theirs all the same.
        with contextlib.suppress(threading.BrokenBarrierError):
            together.wait(timeout=10)
        connection.close()

    for done in [_vector_side.submit(close) for _ in range(_SIDE_THREADS)]:
        done.result()


def rank_chunks(reader: Reader, query: str, *, mode: SearchMode, candidates: int) -> list[Fused]:
    """Chunk ids ranked for `query` by one list or by both fused, best first.

    Outside a transaction the vector list is read on a pool thread's own connection at the same time as the
    keyword list on this one. Inside one (a test's, an admin action's) another connection would not see its
    uncommitted rows, so only the embedding runs beside the keyword list and the vector list follows here."""
    query = as_searched(reader, query)
    vector: list[Ranked] = []
    keyword: list[Ranked] = []
    vector_list: Future[list[Ranked]] | None = None
    embedding: Future[list[float]] | None = None
    if mode in ("hybrid", "vector") and connection.in_atomic_block:
        embedding = _vector_side.submit(get_embedder().embed, query)
    elif mode in ("hybrid", "vector"):
        vector_list = _vector_side.submit(_vector_list, reader, query, candidates)
    lexemes: list[str] = []
    if mode in ("hybrid", "keyword"):
        lexemes = bm25.query_lexemes(query)
        keyword = keyword_candidates(reader, query, limit=candidates, lexemes=lexemes)
    if vector_list is not None:
        vector = vector_list.result()
    elif embedding is not None:
        vector = vector_candidates(reader, embedding.result(), limit=candidates)
    # The number of distinct lexemes: a short query with a confident dense list leans on it (fusion).
    return fuse(vector, keyword, query_terms=len(lexemes) if vector and keyword else None)


def as_searched(reader: Reader, query: str) -> str:
    """The text both lists read for `query`: shorthand ("prod db", "k8s creds") with what it stands for beside it,
    and a mistyped word that no document the reader may read holds with the word it was meant to be
    ("certficate certificate", retrieval.spelling)."""
    return with_corrections(with_expansions(query), readable=lambda words: readable_words(reader, words))


def readable_words(reader: Reader, words: Collection[str]) -> set[str]:
    """Those of `words` that a chunk the reader may read holds, compared as keyword search compares them (by
    PostgreSQL's lexeme). Inside the access filter: what a reader may not read never decides what is searched."""
    if not words:
        return set()
    sql = f"""
        SELECT w FROM unnest(%(words)s::text[]) AS w
        WHERE EXISTS (
            SELECT 1
            FROM unnest(tsvector_to_array(to_tsvector(%(config)s::regconfig, w))) AS typed(lexeme)
            JOIN retrieval_posting p ON p.collection = %(collection)s AND p.lexeme = typed.lexeme
            JOIN retrieval_document d ON d.id = p.document_id
            WHERE {ACCESS_SQL}
        )
    """
    params = reader.params() | {"words": list(words), "config": bm25.TEXT_SEARCH_CONFIG}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = %s", [SEARCH_TIMEOUT_MS])
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def _vector_list(reader: Reader, query: str, candidates: int) -> list[Ranked]:
    """The vector list, on this pool thread's own connection, kept open between searches (no request cycle
    closes it here). A connection that broke while idle (the server restarted) is replaced once."""
    embedding = get_embedder().embed(query)
    try:
        return vector_candidates(reader, embedding, limit=candidates)
    except (InterfaceError, OperationalError) as exc:
        if isinstance(exc.__cause__, QueryCanceled):
            raise  # the search took too long: another try would too
        connection.close()
        return vector_candidates(reader, embedding, limit=candidates)


def search_passages(reader: Reader, query: str, *, k: int = 10, mode: SearchMode = "hybrid") -> SearchResponse:
    """The k best passages for `query` that the reader may read, with their documents."""
    started = time.perf_counter()
    ranked = rank_chunks(reader, query, mode=mode, candidates=max(k, settings.SEARCH_CANDIDATES))[:k]
    by_id = {p.chunk_id: p for p in _passages(reader, [f.id for f in ranked])}
    passages = [replace(by_id[f.id], score=round(f.score, 6)) for f in ranked if f.id in by_id]
    return SearchResponse(passages=passages, ms=(time.perf_counter() - started) * 1000)


# What _passage() reads: a chunk `c` and its document `d`.
_PASSAGE_COLUMNS = (
    "c.id, d.id, d.title, d.source_name, d.classification, c.heading_path, c.text, c.findings, c.findings_version, "
    "c.injection_score, c.injection_cues, c.injection_cleared_by <> ''"
)


def neighbour_passages(reader: Reader, passage: Passage, *, around: int = 1) -> list[Passage]:
    """The chunks up to `around` before and after `passage` in its document that the reader may read, marked
    `neighbour`: a fact is often in the paragraph next to the one that matched (the figure after
    "Eligibility:"). Those after it come first, nearest first, so that a policy's passage limit that cuts
    the list keeps the paragraph that follows the match."""
    sql = f"""
        SELECT {_PASSAGE_COLUMNS}
        FROM retrieval_chunk m
        JOIN retrieval_chunk c ON c.document_id = m.document_id AND c.id <> m.id
            AND c.ordinal BETWEEN m.ordinal - %(around)s AND m.ordinal + %(around)s
        JOIN retrieval_document d ON d.id = c.document_id
        WHERE m.id = %(id)s AND {ACCESS_SQL}
        ORDER BY c.ordinal < m.ordinal, abs(c.ordinal - m.ordinal)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, reader.params() | {"id": passage.chunk_id, "around": around})
        return [replace(_passage(row), neighbour=True) for row in cursor.fetchall()]


def list_passages(reader: Reader, chunk_ids: Sequence[int]) -> list[Passage]:
    """The passages of these chunks that the reader may read now, in the order given (access is checked
    again: a document reclassified since it was cited is left out)."""
    by_id = {p.chunk_id: p for p in _passages(reader, list(chunk_ids))}
    return [by_id[i] for i in chunk_ids if i in by_id]


def _passages(reader: Reader, chunk_ids: list[int]) -> list[Passage]:
    if not chunk_ids:
        return []
    sql = f"""
        SELECT {_PASSAGE_COLUMNS}
        FROM retrieval_chunk c JOIN retrieval_document d ON d.id = c.document_id
        WHERE c.id = ANY(%(ids)s) AND {ACCESS_SQL}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, reader.params() | {"ids": chunk_ids})
        return [_passage(row) for row in cursor.fetchall()]


def _passage(row: tuple[Any, ...]) -> Passage:
    # jsonb arrives as text (Django leaves JSON to its fields). Anything but a list of rows is not
    # trusted: the passage then has no findings version, and the gate inspects it live.
    findings = json.loads(row[7]) if isinstance(row[7], str) else row[7]
    trusted = isinstance(findings, list)
    cues = json.loads(row[10]) if isinstance(row[10], str) else row[10]
    return Passage(
        chunk_id=row[0],
        document_id=row[1],
        title=row[2],
        source_name=row[3],
        classification=row[4],
        heading_path=row[5],
        text=row[6],
        score=0.0,
        findings=tuple(tuple(f) if isinstance(f, list) else f for f in findings) if trusted else (),
        findings_version=row[8] if trusted else "",
        # Scored only with current findings: a stale version is scored again live, as it is inspected again.
        injection_score=row[9] if trusted else None,
        injection_cues=tuple(cue for cue in cues if isinstance(cue, str)) if isinstance(cues, list) else (),
        injection_cleared=bool(row[11]),
    )


def get_chunk(reader: Reader, chunk_id: int) -> Chunk | None:
    """The chunk, with its document, if the reader may read it; else None (never a hint it exists)."""
    sql = f"""
        SELECT c.id FROM retrieval_chunk c JOIN retrieval_document d ON d.id = c.document_id
        WHERE c.id = %(id)s AND {ACCESS_SQL}
    """
    return (
        Chunk.objects.select_related("document")
        .defer("embedding", "search_vector")
        .filter(id__in=_raw_ids(sql, reader.params() | {"id": chunk_id}))
        .first()
    )


def list_document_chunks(document: Document) -> list[Chunk]:
    """All chunks of a document the caller already may read, in order."""
    return list(document.chunks.defer("embedding", "search_vector").order_by("ordinal"))


def _raw_ids(sql: str, params: dict[str, Any]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


# PDF pages become "Page N" sections: no subject to ask about.
_PAGE_HEADING = r"^Page [0-9]+$"


def list_recent_document_headings(reader: Reader, *, limit: int) -> list[tuple[str, str]]:
    """(title, first section heading or "") of the `limit` most recently updated documents the reader
    may read, newest first; the access filter is in the SQL."""
    sql = f"""
        SELECT d.title, coalesce(h.heading_path, '')
        FROM retrieval_document d
        LEFT JOIN LATERAL (
            SELECT c.heading_path FROM retrieval_chunk c
            WHERE c.document_id = d.id AND c.heading_path <> '' AND c.heading_path <> d.title
                AND c.heading_path !~ %(page_heading)s
            ORDER BY c.ordinal LIMIT 1
        ) h ON TRUE
        WHERE {ACCESS_SQL}
        ORDER BY d.updated_at DESC, d.id DESC
        LIMIT %(limit)s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, reader.params() | {"limit": limit, "page_heading": _PAGE_HEADING})
        return [(title, heading) for title, heading in cursor.fetchall()]


def readable_documents(reader: Reader) -> QuerySet[Document]:
    """Documents of the reader's collection that the reader may read (the rule of ACCESS_SQL, in the ORM)."""
    links = Document.reader_groups.through.objects.filter(document_id=OuterRef("pk"))
    return Document.objects.filter(collection=reader.collection, classification__lte=reader.clearance).filter(
        ~Exists(links) | Exists(links.filter(group_id__in=reader.group_ids))
    )


def readable_document_ids(reader: Reader, document_ids: Sequence[int]) -> set[int]:
    """Which of `document_ids` the reader may read (the access filter in the SQL)."""
    if not document_ids:
        return set()
    sql = f"SELECT d.id FROM retrieval_document d WHERE d.id = ANY(%(ids)s) AND {ACCESS_SQL}"
    with connection.cursor() as cursor:
        cursor.execute(sql, reader.params() | {"ids": list(document_ids)})
        return {row[0] for row in cursor.fetchall()}


def documents_holding_flagged(document_ids: Collection[int], *, threshold: float) -> set[int]:
    """Those of `document_ids` that hold a passage scored as injected instructions at or above `threshold`
    that no admin cleared (the policy's quarantine). The caller may read the documents: only ids are read."""
    if not document_ids:
        return set()
    found = (
        Chunk.objects.filter(
            document_id__in=list(document_ids), injection_score__gte=threshold, injection_cleared_by=""
        )
        .values_list("document_id", flat=True)
        .distinct()
    )
    return set(found)
