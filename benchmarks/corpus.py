"""Texts for the retrieval benchmarks, and a synthetic collection of 100,000+ chunks loaded in bulk.

Where the evaluation data is there (../shared/eval/beir/scifact), the texts are SciFact's: its test
queries, the abstracts they judge, and sentences of the other abstracts. Without it, the demo corpus
and its questions stand in (no quality figures then). Embedding 100,000 passages takes hours on two
CPU cores, so the large collection is synthetic, built from texts and vectors that are real:

- each synthetic chunk is six sentences drawn from abstracts no query judges (so the chunks are true
  distractors and the judged documents keep their relevance), mostly from two or three "parent"
  abstracts and one from anywhere, which keeps the vocabulary and its document frequencies natural;
- its vector is a random mix of the real MiniLM vectors of its parents' chunks plus Gaussian noise
  (cosine ~0.9 to the mix), so the vectors cluster the way real ones do.

The texts are SciFact's or ours; the query embedding and every search are the product's own.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection
from pgvector.psycopg.vector import register_vector_info
from psycopg.types import TypeInfo

from retrieval import bm25

SCIFACT = settings.BASE_DIR.parent / "shared" / "eval" / "beir" / "scifact"
DEMO_DIR = settings.BASE_DIR / "demo"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


@dataclass(frozen=True)
class SourceDocument:
    doc_id: str
    title: str
    text: str


@dataclass(frozen=True)
class Sources:
    """Where the benchmark texts come from: documents to ingest, queries, judgements, a sentence pool."""

    name: str
    documents: list[SourceDocument]  # ingested for real: judged ones first
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]  # empty without judgements
    sentences: list[str]  # the synthetic chunks' material, from documents nobody judges


def sentences_of(text: str) -> list[str]:
    """A text cut into sentences of 30 to 400 characters (a regex is enough for synthetic material)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if 30 <= len(s.strip()) <= 400]


def load_sources(*, documents: int, queries: int, seed: int = 5) -> Sources:
    """SciFact when present (its first `queries` test queries, the abstracts they judge, and random
    others up to `documents`), else the demo corpus and its questions."""
    rng = random.Random(seed)
    if (SCIFACT / "corpus.jsonl").exists():
        from retrieval.evaluation import load_beir

        data = load_beir(SCIFACT)
        chosen = dict(sorted(data.queries.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else kv[0])[:queries])
        qrels = {q: data.qrels[q] for q in chosen}
        judged = sorted({d for judgements in qrels.values() for d in judgements if d in data.corpus})
        all_judged = {d for judgements in data.qrels.values() for d in judgements}
        others = sorted(set(data.corpus) - all_judged)
        rng.shuffle(others)
        extra = others[: max(0, documents - len(judged))]
        docs = [SourceDocument(d, *data.corpus[d]) for d in judged + extra]
        pool = [s for d in others[len(extra) :] for s in sentences_of(data.corpus[d][1])]
        return Sources("SciFact (BEIR test split)", docs, chosen, qrels, pool)
    docs = [
        SourceDocument(path.stem, path.stem.replace("-", " "), path.read_text())
        for path in sorted((DEMO_DIR / "corpus").iterdir())
        if path.suffix in (".md", ".txt")
    ]
    questions = dict(list(_demo_questions().items())[:queries])
    pool = [s for d in docs for s in sentences_of(re.sub(r"[#*`|>-]+", " ", d.text))]
    return Sources("the demo corpus (no judgements: no quality figures)", docs, questions, {}, pool)


def _demo_questions() -> dict[str, str]:
    import yaml

    loaded = yaml.safe_load((DEMO_DIR / "questions.yaml").read_text())
    items = loaded.get("questions", loaded) if isinstance(loaded, dict) else loaded
    texts = [item["question"] if isinstance(item, dict) else str(item) for item in items]
    return {str(n): text for n, text in enumerate(texts, 1)}


@dataclass(frozen=True)
class SyntheticCorpus:
    collection: str
    documents: int
    chunks: int
    build_s: float
    index_s: float


# Classification mix of the synthetic documents (public .. restricted) and the share limited to a group.
CLASS_MIX = (0.3, 0.4, 0.2, 0.1)
GROUP_SHARE = 0.2
CHUNKS_PER_DOCUMENT = 10
SYNTHETIC_PREFIX = "synthetic-"  # the synthetic documents' source names
NOISE = 0.35  # per-dimension noise relative to a unit vector's 1/sqrt(384): cosine ~0.9 to the mix


def synthetic_chunks(
    sentences: Sequence[str], parent_vectors: np.ndarray, *, count: int, skip: int = 0, seed: int = 7
) -> Iterator[tuple[str, np.ndarray]]:
    """(text, unit vector) for `count` synthetic chunks: see the module docstring. After `skip` of
    them: a collection grown in steps holds the same chunks as one loaded at once."""
    rng = np.random.default_rng(seed)
    n_parents, dims = parent_vectors.shape
    # Sentences grouped into pseudo-documents of 8, the "parents" whose neighbourhoods the chunks share.
    groups = [sentences[i : i + 8] for i in range(0, len(sentences) - 8, 8)]
    for n in range(skip + count):
        picks = rng.choice(len(groups), size=3, replace=False)
        words = [groups[p][rng.integers(len(groups[p]))] for p in picks for _ in range(2)][:5]
        words.append(sentences[rng.integers(len(sentences))])
        weights = rng.dirichlet((1.0, 1.0, 1.0))
        mix = weights @ parent_vectors[picks % n_parents]
        vector = mix / np.linalg.norm(mix) + rng.normal(0, NOISE / np.sqrt(dims), dims)
        if n >= skip:
            yield " ".join(words), vector / np.linalg.norm(vector)


def load_synthetic(
    collection: str,
    sentences: Sequence[str],
    parent_vectors: np.ndarray,
    *,
    chunks: int,
    group_ids: Sequence[int],
    loaded: int = 0,
) -> tuple[int, int]:
    """Bulk-load `chunks` synthetic chunks in documents of ten into `collection`, with their BM25
    postings, after the `loaded` synthetic chunks an earlier load put there. Only for a throwaway
    database: the chunk indexes are dropped during the load and built again after (see
    `rebuild_indexes`). Returns (documents, chunks)."""
    # Each later load draws its documents' classifications from a stream of its own.
    rng = random.Random(11 + loaded)
    n_docs = (chunks + CHUNKS_PER_DOCUMENT - 1) // CHUNKS_PER_DOCUMENT
    first_name = (loaded + CHUNKS_PER_DOCUMENT - 1) // CHUNKS_PER_DOCUMENT
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM retrieval_document")
        first_id = cursor.fetchone()[0] + 1
        with cursor.copy(
            "COPY retrieval_document (id, collection, title, source_name, content_hash, media_type, classification,"
            " version, source_sections, created_at, updated_at) FROM STDIN"
        ) as copy:
            for n in range(n_docs):
                level = rng.choices(range(4), weights=CLASS_MIX)[0]
                copy.write_row(
                    (
                        first_id + n,
                        collection,
                        f"Synthetic {first_name + n}",
                        f"{SYNTHETIC_PREFIX}{first_name + n}",
                        "",
                        "text/plain",
                        level,
                        1,
                        "[]",
                        "2026-01-01T00:00:00Z",
                        "2026-01-01T00:00:00Z",
                    )
                )
        cursor.execute("SELECT setval(pg_get_serial_sequence('retrieval_document', 'id'), %s)", [first_id + n_docs])
        if group_ids:
            grouped = [(first_id + n, rng.choice(group_ids)) for n in range(n_docs) if rng.random() < GROUP_SHARE]
            cursor.executemany(
                "INSERT INTO retrieval_document_reader_groups (document_id, group_id) VALUES (%s, %s)", grouped
            )
        cursor.execute(
            "CREATE TEMP TABLE bench_chunk (document_id bigint, ordinal int, text text, embedding vector(%s))",
            [parent_vectors.shape[1]],
        )
        # Binary COPY: formatting 100,000 vectors as text would take most of a minute. The vector type's
        # binary adapter is registered on this cursor only.
        raw = cursor.cursor
        register_vector_info(raw, TypeInfo.fetch(raw.connection, "vector"))
        with raw.copy("COPY bench_chunk FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "int4", "text", "vector"])
            for n, (text, vector) in enumerate(synthetic_chunks(sentences, parent_vectors, count=chunks, skip=loaded)):
                document_id = first_id + n // CHUNKS_PER_DOCUMENT
                copy.write_row((document_id, n % CHUNKS_PER_DOCUMENT, text, vector.astype(np.float32)))
        cursor.execute(
            f"""
            INSERT INTO retrieval_chunk
                (document_id, ordinal, heading_path, text, embedding, search_vector, token_count)
            SELECT document_id, ordinal, '', text, embedding,
                   to_tsvector('{bm25.TEXT_SEARCH_CONFIG}', text), 0
            FROM bench_chunk
            """
        )
        cursor.execute("DROP TABLE bench_chunk")
    bm25.lock_collection(collection)
    bm25.add_postings(collection=collection, document_ids=list(range(first_id, first_id + n_docs)))
    return n_docs, chunks


# The indexes a bulk load is faster without: (name, definition), as the migrations create them.
BULK_INDEXES = ("chunk_embedding_hnsw", "chunk_search_vector_gin", "posting_lexeme_impact", "posting_chunk_covering")
BUILD_MEMORY = "1GB"  # maintenance_work_mem while they are built


def drop_bulk_indexes() -> dict[str, str]:
    """Drop the chunk and posting indexes that slow a bulk load; return their definitions."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [list(BULK_INDEXES)])
        definitions = dict(cursor.fetchall())
        for name in definitions:
            cursor.execute(f'DROP INDEX "{name}"')
    return definitions


def rebuild_indexes(definitions: dict[str, str]) -> dict[str, float]:
    """Build the dropped indexes again, with enough memory for HNSW to build in memory, then analyse.
    Returns the seconds each index took to build, by name."""
    seconds = {}
    with connection.cursor() as cursor:
        # Inside a transaction (the tests), the rows' deferred foreign-key checks must run first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"SET maintenance_work_mem = '{BUILD_MEMORY}'")
        for name, definition in definitions.items():
            started = time.perf_counter()
            cursor.execute(definition)
            seconds[name] = round(time.perf_counter() - started, 3)
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("ANALYZE retrieval_chunk, retrieval_document, retrieval_posting, retrieval_term")
    return seconds
