"""Retrieval quality on a BEIR data set, measured with the product's own ingestion and ranking.

The corpus goes into a throwaway collection that no user can search, and is
dropped afterwards. Metrics come from ir-measures (pytrec_eval underneath),
with BEIR's definitions: nDCG@10, Recall@100, MRR@10 (RR@10).
"""

from __future__ import annotations

import json
import logging
import statistics
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ir_measures
from django.conf import settings
from ir_measures import RR, R, nDCG

from accounts.clearance import Classification
from retrieval.bm25 import query_lexemes
from retrieval.embedders import get_embedder
from retrieval.fusion import Ranked, fuse
from retrieval.parsing import Section
from retrieval.selectors import Reader, as_searched, keyword_candidates, vector_candidates
from retrieval.services import PreparedChunk, drop_collection, prepare_chunks, store_document

logger = logging.getLogger(__name__)

MEASURES = {"ndcg@10": nDCG @ 10, "recall@100": R @ 100, "mrr@10": RR @ 10}
EMBED_BLOCK = 1024


class BeirError(Exception):
    """The BEIR folder is missing a file or a file is malformed."""


@dataclass
class BeirSet:
    corpus: dict[str, tuple[str, str]]  # doc id -> (title, text)
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


@dataclass(frozen=True)
class QueryLists:
    """A query's two candidate lists, read as search reads them, and how long each took."""

    text: str  # the query as searched: shorthand spelled out beside it
    vector: list[Ranked]
    keyword: list[Ranked]
    query_terms: int  # distinct lexemes the keyword list searched for (the fusion reads the query's length)
    vector_s: float
    keyword_s: float

    def dumped(self, query_id: str, chunk_docs: dict[int, str]) -> str:
        """One line of `eval_retrieval --dump-lists` (scripts/fusion_study.py): each list as [doc, chunk, score]."""
        lists = {
            name: [[chunk_docs.get(r.id), r.id, r.score] for r in items]
            for name, items in (("vector", self.vector), ("keyword", self.keyword))
        }
        return json.dumps({"query_id": query_id, **lists})


def read_lists(reader: Reader, query: str, *, candidates: int) -> QueryLists:
    """Both lists for `query` as rank_chunks reads them (shorthand and mistyped words with their meaning beside
    them, selectors.as_searched), one after the other so that each is timed alone."""
    text = as_searched(reader, query)
    t0 = time.perf_counter()
    vector = vector_candidates(reader, get_embedder().embed(text), limit=candidates)
    t1 = time.perf_counter()
    lexemes = query_lexemes(text)
    keyword = keyword_candidates(reader, text, limit=candidates, lexemes=lexemes)
    return QueryLists(text, vector, keyword, len(lexemes), t1 - t0, time.perf_counter() - t1)


@dataclass
class ModeResult:
    run: dict[str, dict[str, float]] = field(default_factory=dict)
    query_ms: list[float] = field(default_factory=list)


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise BeirError(f"{path}:{number}: not JSON ({exc.msg})") from None
    except FileNotFoundError:
        raise BeirError(
            f"{path} is missing: a BEIR folder has corpus.jsonl, queries.jsonl and qrels/test.tsv"
        ) from None


def load_beir(folder: Path) -> BeirSet:
    """Read corpus.jsonl, queries.jsonl and qrels/test.tsv; only queries with judgements are kept."""
    corpus = {str(d["_id"]): (d.get("title") or "", d.get("text") or "") for d in _read_jsonl(folder / "corpus.jsonl")}
    qrels_path = folder / "qrels" / "test.tsv"
    if not qrels_path.exists():
        raise BeirError(f"{qrels_path} is missing")
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(qrels_path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split("\t")
        if number == 1 and not parts[-1].strip().lstrip("-").isdigit():
            continue  # header line
        if len(parts) < 3:
            raise BeirError(f"{qrels_path}:{number}: expected query-id, corpus-id, score")
        qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    queries = {str(q["_id"]): q["text"] for q in _read_jsonl(folder / "queries.jsonl") if str(q["_id"]) in qrels}
    return BeirSet(corpus=corpus, queries=queries, qrels=qrels)


PreparedDocument = tuple[str, str, list[Section], list[PreparedChunk]]  # doc id, title, sections, chunks


def ingest_corpus(corpus: dict[str, tuple[str, str]], collection: str) -> dict[int, str]:
    """Store every document (BEIR text is title + text) and return chunk id -> doc id."""
    prepared = prepare_corpus(corpus)
    texts = [c.index_text for _, _, _, chunks in prepared for c in chunks]
    vectors: list[list[float]] = []
    embedder = get_embedder()
    for start in range(0, len(texts), EMBED_BLOCK):
        vectors.extend(embedder.embed_batch(texts[start : start + EMBED_BLOCK]))
        logger.info("Embedded %d/%d chunks", len(vectors), len(texts))
    return store_corpus(prepared, vectors, collection)


def prepare_corpus(corpus: dict[str, tuple[str, str]]) -> list[PreparedDocument]:
    """Each document's passages as ingestion cuts them (BEIR text is title + text); empty ones left out."""
    prepared: list[PreparedDocument] = []
    for doc_id, (title, text) in corpus.items():
        sections = [Section(heading_path=(), text=text)]
        chunks = prepare_chunks(title=title, sections=sections) if text.strip() else []
        if not chunks and title.strip():
            chunks = [PreparedChunk(heading_path="", text=title, index_text=title)]
        if chunks:
            prepared.append((doc_id, title, sections, chunks))
    return prepared


def store_corpus(prepared: list[PreparedDocument], vectors: list[list[float]], collection: str) -> dict[int, str]:
    """Store prepared documents with their passages' vectors (in order) and return chunk id -> doc id."""
    position = 0
    for doc_id, title, sections, chunks in prepared:
        store_document(
            collection=collection,
            source_name=doc_id,
            title=title or doc_id,
            digest="",
            media_type="text/plain",
            classification=Classification.PUBLIC,
            group_names=[],
            uploaded_by=None,
            sections=sections,
            chunks=chunks,
            vectors=vectors[position : position + len(chunks)],
        )
        position += len(chunks)
    with_ids = _chunk_documents(collection)
    return with_ids


def _chunk_documents(collection: str) -> dict[int, str]:
    from retrieval.models import Chunk

    return dict(Chunk.objects.filter(document__collection=collection).values_list("id", "document__source_name"))


def documents_run(chunk_ids: Iterable[int], chunk_docs: dict[int, str], depth: int) -> dict[str, float]:
    """Document ranking from a chunk ranking (ids, best first): a document scores as its best chunk."""
    run: dict[str, float] = {}
    for rank, chunk_id in enumerate(chunk_ids):
        doc_id = chunk_docs.get(chunk_id)
        if doc_id is not None and doc_id not in run:
            run[doc_id] = float(depth * 10 - rank)  # rank order only; ties impossible
            if len(run) == depth:
                break
    return run


def evaluate(folder: Path, *, modes: list[str], k: int, dump_lists: Path | None = None) -> dict[str, dict[str, Any]]:
    """Ingest the BEIR set at `folder`, rank its test queries in each mode, and measure.

    With `dump_lists`, the raw vector and keyword lists of every query (as
    document ids and scores) are written there as JSON lines, for studying fusion.
    """
    data = load_beir(folder)
    collection = f"eval-{uuid.uuid4().hex[:12]}"
    reader = Reader(clearance=Classification.RESTRICTED, group_ids=(), collection=collection)
    depth = max(k, 100)
    # The product's own candidate depth, unless Recall@100 needs more.
    candidates = max(settings.SEARCH_CANDIDATES, depth)
    dump: IO[str] | None = None
    try:
        started = time.perf_counter()
        chunk_docs = ingest_corpus(data.corpus, collection)
        ingest_seconds = time.perf_counter() - started
        results = {mode: ModeResult() for mode in modes}
        dump = dump_lists.open("w") if dump_lists else None
        for query_id, query in data.queries.items():
            read = read_lists(reader, query, candidates=candidates)
            if dump:
                dump.write(read.dumped(query_id, chunk_docs) + "\n")
            lists: dict[str, tuple[list[Ranked], list[Ranked], float]] = {
                "vector": (read.vector, [], read.vector_s),
                "keyword": ([], read.keyword, read.keyword_s),
                "hybrid": (read.vector, read.keyword, read.vector_s + read.keyword_s),
            }
            for mode in modes:
                v, kw, seconds = lists[mode]
                t3 = time.perf_counter()
                fused = fuse(v, kw, query_terms=read.query_terms)
                results[mode].query_ms.append((seconds + time.perf_counter() - t3) * 1000)
                results[mode].run[query_id] = documents_run((f.id for f in fused), chunk_docs, depth)
    finally:
        if dump:
            dump.close()  # what was written stays readable when the run stops half-way
        drop_collection(collection)
    report = {}
    for mode, result in results.items():
        scores = ir_measures.calc_aggregate(list(MEASURES.values()), data.qrels, result.run)
        report[mode] = {name: round(scores[measure], 4) for name, measure in MEASURES.items()} | {
            "queries": len(data.queries),
            "docs": len(data.corpus),
            "ingest_docs_per_s": round(len(data.corpus) / ingest_seconds, 1),
            "query_ms_p50": round(statistics.median(result.query_ms), 2),
            "query_ms_p95": round(_p95(result.query_ms), 2),
        }
    return report


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
