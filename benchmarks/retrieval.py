"""Retrieval benchmarks: ingestion against the raw model, search latency at 100,000+ chunks, and
quality per mode with the synthetic chunks as distractors. Run inside the throwaway database.

The order matters and is the one `run` follows: the real documents are ingested first, through the
product's own path with every index in place (that is the ingestion figure); their vectors then
seed the synthetic chunks (benchmarks.corpus), bulk-loaded without indexes, which are built after.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ir_measures
import numpy as np
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction

from accounts.clearance import Classification
from benchmarks import ingest_cpu
from benchmarks.corpus import SYNTHETIC_PREFIX, Sources, drop_bulk_indexes, load_synthetic, rebuild_indexes
from benchmarks.stats import Latency
from retrieval.bm25 import query_lexemes
from retrieval.embedders import get_embedder
from retrieval.evaluation import MEASURES, documents_run
from retrieval.fusion import fuse
from retrieval.jobs import run_ingestion_job
from retrieval.models import MAIN_COLLECTION, Chunk, Document, IngestionJob
from retrieval.pipeline import ingest_files
from retrieval.selectors import SEARCH_MODES, Reader, keyword_candidates, search_passages, vector_candidates
from retrieval.services import ReadFile, delete_document, read_file

logger = logging.getLogger(__name__)

COLLECTION = "bench"
CANDIDATES = 200  # the product's SEARCH_CANDIDATES
QUALITY_MODES = ("hybrid", "vector", "keyword", "hybrid, exact keyword list", "keyword, exact")
GROUPS = ("bench-finance", "bench-legal", "bench-engineering")


def _as_file(title: str, text: str) -> bytes:
    return f"# {title}\n\n{text}\n".encode()


def _chunk_texts(name: str, content: bytes) -> list[str]:
    """The texts ingestion embeds for this file: read by the product's own read_file (parse, chunk,
    inspect; nothing is stored), so the model alone is timed on exactly those texts."""
    read = read_file(
        filename=name, content=content, classification=Classification.PUBLIC, group_names=[], collection=COLLECTION
    )
    if not isinstance(read, ReadFile):
        raise RuntimeError(f"{name} is already in the benchmark collection: run the benchmark in a fresh database")
    return [c.index_text for c in read.chunks]


def source_files(sources: Sources) -> list[tuple[str, bytes]]:
    """The real documents as the files ingestion reads: (name, content)."""
    return [(f"{d.doc_id}.md", _as_file(d.title or d.doc_id, d.text)) for d in sources.documents]


def ingest_sources(files: Sequence[tuple[str, bytes]]) -> None:
    """Ingest the real documents into the benchmark collection as the `ingest` command does."""
    results = ingest_files(files, classification=Classification.PUBLIC, group_names=[], collection=COLLECTION)
    failed = [str(r) for r in results if isinstance(r, Exception)]
    if failed:
        raise RuntimeError(f"benchmark documents failed to ingest: {failed[:3]}")


def ingestion(sources: Sources, *, uploads: int = 100) -> dict[str, Any]:
    """Chunks per second through ingestion and through the model alone on the same texts.

    Ingestion is measured the way the `ingest` command runs it (ingest_files: each file read beside the
    model, several files' chunks per call, one transaction per document that stores chunks, vectors and
    BM25 postings); and, on the first `uploads` files, the way the upload worker runs it: queued as
    upload jobs, each job's task run in turn (run_ingestion_job: the first takes the others into its run),
    into the main collection, emptied afterwards."""
    files = source_files(sources)
    per_file = [_chunk_texts(name, content) for name, content in files]
    texts = [t for file_texts in per_file for t in file_texts]
    embedder = get_embedder()
    embedder.embed_batch(texts[:8])  # load the model outside the timings
    started = time.perf_counter()
    embedder.embed_batch(texts)
    embed_rate = len(texts) / (time.perf_counter() - started)
    worker_rate = _upload_worker(files[:uploads], chunks=sum(len(file_texts) for file_texts in per_file[:uploads]))
    cpu = ingest_cpu.reading_cpu(files)  # each stage alone, before the run it explains
    started = time.perf_counter()
    with ingest_cpu.cpu_of_run(cpu, chunks=len(texts)):
        ingest_sources(files)
    bulk_rate = len(texts) / (time.perf_counter() - started)
    return {
        "documents": len(files),
        "chunks": len(texts),
        "embed_chunks_per_s": round(embed_rate, 2),
        "ingest_chunks_per_s": round(bulk_rate, 2),
        "ratio": round(bulk_rate / embed_rate, 3),
        "upload_worker": {
            "documents": len(files[:uploads]),
            "chunks_per_s": round(worker_rate, 2),
            "ratio": round(worker_rate / embed_rate, 3),
        },
        "cpu": cpu,
    }


def _upload_worker(files: Sequence[tuple[str, bytes]], *, chunks: int) -> float:
    """Chunks per second of the upload worker over `files` (`chunks` chunks in all) queued as upload jobs;
    their documents and jobs are deleted afterwards."""
    jobs = IngestionJob.objects.bulk_create(
        IngestionJob(
            filename=name, content=content, size=len(content), classification=Classification.PUBLIC, group_names=[]
        )
        for name, content in files
    )
    started = time.perf_counter()
    finished = [run_ingestion_job(job_id=job.id, final_attempt=True) for job in jobs]
    rate = chunks / (time.perf_counter() - started)
    failed = [job.error for job in finished if job.status != IngestionJob.Status.DONE]
    if failed:
        raise RuntimeError(f"benchmark uploads failed to ingest: {failed[:3]}")
    for document in Document.objects.filter(collection=MAIN_COLLECTION):
        delete_document(document=document)
    IngestionJob.objects.filter(id__in=[job.id for job in jobs]).delete()
    return rate


@dataclass(frozen=True)
class LargeCollection:
    chunks: int
    documents: int
    load_s: float
    index_s: float
    index_build_s: dict[str, float]  # each index's share of index_s

    def as_json(self) -> dict[str, Any]:
        return {
            "chunks": self.chunks,
            "documents": self.documents,
            "load_s": self.load_s,
            "index_s": self.index_s,
            "index_build_s": self.index_build_s,
        }


def grow_collection(sources: Sources, *, total_chunks: int) -> LargeCollection:
    """Add synthetic chunks to the benchmark collection until it holds `total_chunks`. Called again
    with a larger total, it adds the chunks a single load of that total would have held beyond the
    first (benchmarks.scale grows one collection this way); the indexes are built anew each time."""
    in_collection = "FROM retrieval_chunk c JOIN retrieval_document d ON d.id = c.document_id WHERE d.collection = %s"
    synthetic = [COLLECTION, f"{SYNTHETIC_PREFIX}%"]
    with connection.cursor() as cursor:
        # Only the real chunks' vectors are parents: the synthetic ones are mixes of these already.
        cursor.execute(
            f"SELECT c.embedding::text {in_collection} AND d.source_name NOT LIKE %s ORDER BY c.id", synthetic
        )
        parents = np.array([np.fromstring(row[0].strip("[]"), sep=",") for row in cursor.fetchall()])
        cursor.execute(f"SELECT count(*) {in_collection} AND d.source_name LIKE %s", synthetic)
        loaded = cursor.fetchone()[0]
    groups = [Group.objects.get_or_create(name=name)[0].id for name in GROUPS]
    started = time.perf_counter()
    definitions = drop_bulk_indexes()
    load_synthetic(
        COLLECTION,
        sources.sentences,
        parents,
        chunks=max(0, total_chunks - len(parents) - loaded),
        group_ids=groups,
        loaded=loaded,
    )
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    index_build_s = rebuild_indexes(definitions)
    index_s = time.perf_counter() - started
    documents = Document.objects.filter(collection=COLLECTION)
    chunks = Chunk.objects.filter(document__collection=COLLECTION).count()
    return LargeCollection(chunks, documents.count(), round(load_s, 1), round(index_s, 1), index_build_s)


def bench_reader() -> Reader:
    """An employee's view: cleared for internal documents, in one of the three groups."""
    group = Group.objects.get(name=GROUPS[0])
    return Reader(clearance=Classification.INTERNAL, group_ids=(group.id,), collection=COLLECTION)


# What a search reads: loaded into shared_buffers before the timings, as a server that has been answering
# for a while holds them (right after the bulk load and the index builds they are cold).
WARM_RELATIONS = (
    "retrieval_chunk", "retrieval_document", "retrieval_document_reader_groups", "chunk_embedding_hnsw",
    "retrieval_posting", "posting_lexeme_impact", "posting_chunk_covering", "retrieval_term",
)  # fmt: skip


def prewarm() -> bool:
    """Load WARM_RELATIONS into shared_buffers (pg_prewarm); False where the extension is not available."""
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        except DatabaseError:
            return False
        for relation in WARM_RELATIONS:
            cursor.execute("SELECT pg_prewarm(%s::regclass)", [relation])
    return True


def latency(reader: Reader, queries: Sequence[str], *, warmup: int = 10, compared: int = 100) -> dict[str, Any]:
    """Top-10 search time per mode through search_passages (query embedding, both lists, fusion and
    the passages' rows), over every query after `warmup` unmeasured ones; and the keyword list alone,
    pruned and exact, the query's embedding and the vector list alone, on the first `compared` queries,
    with how much of the exact top 10 pruning keeps."""
    result: dict[str, Any] = {"prewarmed": prewarm()}
    for query in queries[:warmup]:
        search_passages(reader, query, k=10, mode="hybrid")
    for mode in SEARCH_MODES:
        samples = []
        for query in queries:
            started = time.perf_counter()
            search_passages(reader, query, k=10, mode=mode)
            samples.append((time.perf_counter() - started) * 1000)
        result[mode] = Latency.of(samples).as_json(samples=True)
    # The parts, one at a time: where a search's time goes.
    embedder = get_embedder()
    embed_ms, vector_ms, pruned_ms, exact_ms, kept = [], [], [], [], []
    for query in queries[:compared]:
        started = time.perf_counter()
        embedding = embedder.embed(query)
        embed_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        vector_candidates(reader, embedding, limit=CANDIDATES)
        vector_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        pruned = keyword_candidates(reader, query, limit=CANDIDATES)
        pruned_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        exact = keyword_candidates(reader, query, limit=CANDIDATES, exact=True)
        exact_ms.append((time.perf_counter() - started) * 1000)
        top = {r.id for r in exact[:10]}
        if top:
            kept.append(len(top & {r.id for r in pruned[:10]}) / len(top))
    result["query_embedding_ms"] = Latency.of(embed_ms).as_json()
    result["vector_list_ms"] = Latency.of(vector_ms).as_json()
    result["keyword_list"] = {
        "pruned_ms": Latency.of(pruned_ms).as_json(),
        "exact_ms": Latency.of(exact_ms).as_json(),
        "exact_top10_kept": round(statistics.mean(kept), 4) if kept else None,
    }
    return result


def chunk_documents(collection: str) -> dict[int, str]:
    """Each chunk's judged document id (its source name less .md), for documents_run."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, d.source_name FROM retrieval_chunk c JOIN retrieval_document d ON d.id = c.document_id"
            " WHERE d.collection = %s",
            [collection],
        )
        return {chunk_id: name.removesuffix(".md") for chunk_id, name in cursor.fetchall()}


def quality(reader: Reader, sources: Sources) -> dict[str, Any]:
    """nDCG@10, Recall@100 and MRR@10 per mode over the judged queries, in the large collection (the
    synthetic chunks are distractors), with the keyword list pruned as in production and exact.
    The lists and their fusion are the product's (vector_candidates, keyword_candidates, fuse)."""
    if not sources.qrels:
        return {"skipped": f"no relevance judgements in {sources.name}"}
    chunk_docs = chunk_documents(COLLECTION)
    embedder = get_embedder()
    runs: dict[str, dict[str, dict[str, float]]] = {mode: {} for mode in QUALITY_MODES}
    for query_id, text in sources.queries.items():
        vector = vector_candidates(reader, embedder.embed(text), limit=CANDIDATES)
        lexemes = query_lexemes(text)  # read once for both keyword lists and the fusion, as search does
        pruned = keyword_candidates(reader, text, limit=CANDIDATES, lexemes=lexemes)
        exact = keyword_candidates(reader, text, limit=CANDIDATES, exact=True, lexemes=lexemes)
        query_terms = len(lexemes)
        lists = {
            "hybrid": (vector, pruned),
            "vector": (vector, []),
            "keyword": ([], pruned),
            "hybrid, exact keyword list": (vector, exact),
            "keyword, exact": ([], exact),
        }
        for mode, (v, k) in lists.items():
            runs[mode][query_id] = documents_run((f.id for f in fuse(v, k, query_terms=query_terms)), chunk_docs, 100)
    report = {}
    for mode, run in runs.items():
        scores = ir_measures.calc_aggregate(list(MEASURES.values()), sources.qrels, run)
        report[mode] = {name: round(scores[measure], 4) for name, measure in MEASURES.items()}
    return {"modes": report, "queries": len(sources.queries), "collection_chunks": len(chunk_docs)}
