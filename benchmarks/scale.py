"""How cost grows: one retrieval collection grown step by step (10,000 to 300,000 chunks by default),
measured at each size. `manage.py bench --scale` runs it in a throwaway database.

The collection is the retrieval benchmark's (benchmarks.retrieval, benchmarks.corpus): the real
documents ingested by the product, then synthetic chunks added in bulk up to each size in turn, so a
larger size holds the smaller one's chunks plus new ones (the same chunks one load of that size would
hold). At each size the chunk and posting indexes are built anew, so their build time is that of a
collection of that size, and the tables are vacuumed: a live collection's autovacuum keeps the
visibility map that the keyword list's index-only scans rely on, and one running in the middle of a
measurement would make it noisier. Then: search latency through search_passages and its parts, one
at a time (retrieval.latency), quality per mode with the keyword list pruned and exact (retrieval.quality:
the synthetic chunks are distractors, so more of them make the judged documents harder to find), the
build time of each index, and the size on disk of every table and index.

A figure's growth exponent is the slope of the least-squares line through log(figure) against
log(chunks): 1 is linear, 0 flat.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from django.db import connection

from benchmarks import retrieval
from benchmarks.corpus import BUILD_MEMORY, load_sources

SIZES = (10_000, 30_000, 100_000, 300_000)
BUILD_MEMORY_SETTING = "maintenance_work_mem during index builds"  # the benchmark's own, reported with them
TABLES = ("retrieval_chunk", "retrieval_posting", "retrieval_term", "retrieval_document")
# The embedded server's settings that decide what stays in memory; reported, never changed here.
SERVER_SETTINGS = (
    "shared_buffers",
    "effective_cache_size",
    "work_mem",
    "maintenance_work_mem",
    "max_parallel_maintenance_workers",
    "max_parallel_workers_per_gather",
)


def _latency(*keys: str) -> Callable[[dict[str, Any]], float | None]:
    def read(step: dict[str, Any]) -> float | None:
        value: Any = step["latency"]
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    return read


def _index_mb(*names: str) -> Callable[[dict[str, Any]], float | None]:
    def read(step: dict[str, Any]) -> float | None:
        sizes = [step["disk_bytes"]["indexes"].get(name) for name in names]
        return sum(sizes) / 2**20 if all(s is not None for s in sizes) else None

    return read


def _table_mb(name: str) -> Callable[[dict[str, Any]], float | None]:
    return lambda step: step["disk_bytes"]["tables"][name]["total"] / 2**20


def _build_s(*names: str) -> Callable[[dict[str, Any]], float | None]:
    def read(step: dict[str, Any]) -> float | None:
        seconds = [step["index_build_s"].get(name) for name in names]
        return sum(seconds) if all(s is not None for s in seconds) else None

    return read


POSTING_INDEXES = ("posting_lexeme_impact", "posting_chunk_covering", "retrieval_posting_pkey")
# Every figure whose growth is fitted: (name, unit, how to read it from one size's step).
SERIES: tuple[tuple[str, str, Callable[[dict[str, Any]], float | None]], ...] = (
    ("hybrid search p50", "ms", _latency("hybrid", "median")),
    ("hybrid search p95", "ms", _latency("hybrid", "p95")),
    ("query embedding p50", "ms", _latency("query_embedding_ms", "median")),
    ("vector list p50", "ms", _latency("vector_list_ms", "median")),
    ("vector list p95", "ms", _latency("vector_list_ms", "p95")),
    ("pruned keyword list p50", "ms", _latency("keyword_list", "pruned_ms", "median")),
    ("pruned keyword list p95", "ms", _latency("keyword_list", "pruned_ms", "p95")),
    ("exact keyword list p50", "ms", _latency("keyword_list", "exact_ms", "median")),
    ("exact keyword list p95", "ms", _latency("keyword_list", "exact_ms", "p95")),
    ("HNSW build", "s", _build_s("chunk_embedding_hnsw")),
    ("posting indexes build", "s", _build_s("posting_lexeme_impact", "posting_chunk_covering")),
    ("tsvector GIN build", "s", _build_s("chunk_search_vector_gin")),
    ("HNSW index", "MB", _index_mb("chunk_embedding_hnsw")),
    ("postings with their indexes", "MB", _table_mb("retrieval_posting")),
    ("chunks with their indexes", "MB", _table_mb("retrieval_chunk")),
    ("posting indexes", "MB", _index_mb(*POSTING_INDEXES)),
    ("database", "MB", lambda step: step["disk_bytes"]["database"] / 2**20),
)


def scale_benchmark(
    *, sizes: Sequence[int], documents: int, queries: int, progress: Callable[[str], None] = print
) -> dict[str, Any]:
    """Grow the benchmark collection through `sizes` (chunks, increasing) and measure it at each.

    Returns the JSON of the run: the PostgreSQL settings in effect, one step per size (its chunks,
    load and index build seconds, latencies, quality, sizes on disk, the load average when measured) and
    each figure's growth exponent. A size below what the collection already holds measures it as it is.
    `progress` is told what each size took, as it goes."""
    sources = load_sources(documents=documents, queries=queries)
    retrieval.ingest_sources(retrieval.source_files(sources))
    texts = list(sources.queries.values())
    steps = []
    for size in sizes:
        grown = retrieval.grow_collection(sources, total_chunks=size)
        vacuum_s = vacuum()
        reader = retrieval.bench_reader()
        latency = retrieval.latency(reader, texts, compared=len(texts))
        steps.append(
            grown.as_json()
            | {
                "vacuum_s": vacuum_s,
                "latency": _without_samples(latency),
                "quality": retrieval.quality(reader, sources).get("modes"),
                "disk_bytes": disk_usage(),
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
        )
        progress(
            f"bench --scale: {grown.chunks:,} chunks: load {grown.load_s} s, indexes {grown.index_s} s, "
            f"hybrid p50 {steps[-1]['latency']['hybrid']['median']} ms"
        )
    return {
        "sources": sources.name,
        "queries": len(texts),
        "postgres_settings": server_settings() | {BUILD_MEMORY_SETTING: BUILD_MEMORY},
        "steps": steps,
        "exponents": exponents(steps),
    }


def vacuum() -> float:
    """VACUUM ANALYZE the collection's tables; returns the seconds it took. Needs autocommit."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(TABLES)}")
    return round(time.perf_counter() - started, 1)


def disk_usage() -> dict[str, Any]:
    """Bytes on disk: each table (heap with TOAST, its indexes, both), each of their indexes, the database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_table_size(oid), pg_indexes_size(oid), pg_total_relation_size(oid)"
            " FROM pg_class WHERE relkind = 'r' AND relname = ANY(%s)",
            [list(TABLES)],
        )
        tables = {name: {"table": t, "indexes": i, "total": total} for name, t, i, total in cursor.fetchall()}
        cursor.execute(
            "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes WHERE relname = ANY(%s)",
            [list(TABLES)],
        )
        indexes = dict(sorted(cursor.fetchall()))
        cursor.execute("SELECT pg_database_size(current_database())")
        database = cursor.fetchone()[0]
    return {"tables": tables, "indexes": indexes, "database": database}


def server_settings() -> dict[str, str]:
    """The PostgreSQL settings that decide what stays in memory, as the server reports them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)", [list(SERVER_SETTINGS)]
        )
        found = dict(cursor.fetchall())
    return {name: found[name] for name in SERVER_SETTINGS if name in found}


def growth_exponent(sizes: Sequence[float], values: Sequence[float | None]) -> float | None:
    """Slope of the least-squares line through (log size, log value); None without two sizes to fit
    (a figure missing or not positive at a size leaves that size out)."""
    points = [(n, v) for n, v in zip(sizes, values, strict=True) if n > 0 and v is not None and v > 0]
    if len({n for n, _ in points}) < 2:
        return None
    slope = np.polyfit(np.log([n for n, _ in points]), np.log([v for _, v in points]), 1)[0]
    return round(float(slope), 3) if math.isfinite(slope) else None


def exponents(steps: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """Each SERIES figure's growth exponent over the steps."""
    sizes = [step["chunks"] for step in steps]
    return {name: growth_exponent(sizes, [read(step) for step in steps]) for name, _, read in SERIES}


def _without_samples(latency: dict[str, Any]) -> dict[str, Any]:
    return {
        key: {k: v for k, v in value.items() if k != "samples"} if isinstance(value, dict) else value
        for key, value in latency.items()
    }
