"""How many candidates each list hands the fusion: quality and speed at each count, in the benchmark's
large collection. Fewer candidates make the vector list faster (the HNSW search widens with them) but give
the fusion less to agree on; SEARCH_CANDIDATES is chosen from this table."""

from __future__ import annotations

import time
from typing import Any

import ir_measures
from django.conf import settings
from django.test.utils import override_settings

from benchmarks.corpus import Sources
from benchmarks.retrieval import chunk_documents
from benchmarks.stats import Latency
from retrieval.bm25 import query_lexemes
from retrieval.embedders import get_embedder
from retrieval.evaluation import MEASURES, documents_run
from retrieval.fusion import fuse
from retrieval.selectors import Reader, keyword_candidates, search_passages, vector_candidates

COUNTS = (200, 100, 50)


def candidates_sweep(
    reader: Reader, sources: Sources, collection: str, counts: tuple[int, ...] = COUNTS
) -> dict[str, Any]:
    """For each count: hybrid nDCG@10 and Recall@100 over the judged queries (both lists cut to the count, as
    SEARCH_CANDIDATES cuts them), and hybrid search latency through search_passages with that setting."""
    chunk_docs = chunk_documents(collection)
    embedder = get_embedder()
    vectors = {query_id: embedder.embed(text) for query_id, text in sources.queries.items()}
    result: dict[str, Any] = {"current": settings.SEARCH_CANDIDATES, "counts": {}}
    for count in counts:
        run = {}
        for query_id, text in sources.queries.items():
            lexemes = query_lexemes(text)
            vector = vector_candidates(reader, vectors[query_id], limit=count)
            keyword = keyword_candidates(reader, text, limit=count, lexemes=lexemes)
            run[query_id] = documents_run(
                (f.id for f in fuse(vector, keyword, query_terms=len(lexemes))), chunk_docs, 100
            )
        scores = ir_measures.calc_aggregate(list(MEASURES.values()), sources.qrels, run)
        samples = []
        with override_settings(SEARCH_CANDIDATES=count):
            for text in sources.queries.values():
                started = time.perf_counter()
                search_passages(reader, text, k=10, mode="hybrid")
                samples.append((time.perf_counter() - started) * 1000)
        result["counts"][str(count)] = {
            "ndcg@10": round(scores[MEASURES["ndcg@10"]], 4),
            "recall@100": round(scores[MEASURES["recall@100"]], 4),
            "hybrid_ms": Latency.of(samples).as_json(),
        }
    return result
