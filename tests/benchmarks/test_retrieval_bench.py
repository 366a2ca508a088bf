"""The retrieval benchmark's corpus, measurements and throwaway database, at a small scale."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection

from benchmarks import ingest_cpu, retrieval
from benchmarks.candidates import candidates_sweep
from benchmarks.corpus import SourceDocument, Sources, sentences_of, synthetic_chunks
from benchmarks.database import throwaway_database
from benchmarks.e2e import cpu_seconds
from retrieval.models import Chunk, Document

SENTENCES = [
    f"Sentence {n} says that the {word} protocol needs {n % 7} approvals before the change window."
    for n, word in enumerate(["rollback", "paging", "backup", "escalation", "vendor", "audit"] * 20)
]


def test_sentences_are_cut_at_sentence_ends_and_odd_lengths_dropped():
    text = "Short. This sentence is long enough to keep around. And this one is kept as well, yes! Ok."

    assert sentences_of(text) == ["This sentence is long enough to keep around.", "And this one is kept as well, yes!"]


def test_synthetic_chunks_are_unit_vectors_near_their_parents_mix():
    rng = np.random.default_rng(0)
    parents = rng.normal(size=(12, 384))
    parents /= np.linalg.norm(parents, axis=1, keepdims=True)

    chunks = list(synthetic_chunks(SENTENCES, parents, count=50))

    assert len(chunks) == 50 and len({text for text, _ in chunks}) == 50
    norms = [np.linalg.norm(v) for _, v in chunks]
    assert np.allclose(norms, 1.0)
    # Each vector stays close to some mix of parents: its best parent is far closer than a random vector.
    best = [max(parents @ v) for _, v in chunks]
    assert np.median(best) > 0.4
    assert all(text.count("Sentence ") == 6 for text, _ in chunks)  # six sentences of the pool


@pytest.mark.slow
def test_ingest_grow_search_and_judge_a_small_collection(db):
    docs = [
        SourceDocument(f"d{n}", f"Runbook {n}", f"The {topic} runbook explains step {n}. " * 3)
        for n, topic in enumerate(["database failover", "certificate renewal", "disk cleanup", "vendor escalation"])
    ]
    sources = Sources(
        name="a test set",
        documents=docs,
        queries={"q1": "how do I fail over the database", "q2": "renew a certificate"},
        qrels={"q1": {"d0": 1}, "q2": {"d1": 1}},
        sentences=SENTENCES,
    )

    ingest = retrieval.ingestion(sources)
    grown = retrieval.grow_collection(sources, total_chunks=300)
    reader = retrieval.bench_reader()
    latency = retrieval.latency(reader, list(sources.queries.values()), warmup=1)
    quality = retrieval.quality(reader, sources)
    sweep = candidates_sweep(reader, sources, retrieval.COLLECTION, counts=(200, 10))

    assert ingest["chunks"] == 4 and ingest["ingest_chunks_per_s"] > 0 and ingest["embed_chunks_per_s"] > 0
    # Where the CPU went: every stage measured, the model's CPU the largest; the database server's CPU read (a
    # few chunks may cost it less than the clock's tick of 10 ms).
    cpu = ingest["cpu"]
    assert cpu["chunks"] == 4
    assert set(cpu["ms_per_chunk"]) == {"parse_and_chunk", "detectors", "name_model", "injection_cues", "model"}
    assert cpu["ms_per_chunk"]["model"] > cpu["ms_per_chunk"]["parse_and_chunk"] > 0
    assert cpu["process_ms_per_chunk"] > 0 and cpu["database_ms_per_chunk"] >= 0
    assert grown.chunks == 300 == Chunk.objects.filter(document__collection=retrieval.COLLECTION).count()
    assert Document.objects.filter(collection=retrieval.COLLECTION).count() == grown.documents
    # The indexes dropped for the bulk load are back.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = ANY(%s)", [["chunk_embedding_hnsw"]])
        assert cursor.fetchone()[0] == 1
    assert latency["hybrid"]["n"] == 2 and latency["hybrid"]["p95"] > 0
    assert latency["prewarmed"] is True  # the embedded server has pg_prewarm
    assert latency["keyword_list"]["exact_top10_kept"] == 1.0  # nothing is truncated at this size
    # The judged runbooks are public and match their query: they come first among 300 chunks.
    assert quality["modes"]["hybrid"]["ndcg@10"] == 1.0
    assert set(quality["modes"]) == set(retrieval.QUALITY_MODES)
    assert sweep["counts"]["200"]["ndcg@10"] == 1.0 == sweep["counts"]["10"]["ndcg@10"]
    assert sweep["counts"]["10"]["hybrid_ms"]["n"] == 2


def test_the_throwaway_database_exists_only_while_in_use(django_db_blocker):
    def databases() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database")
            return {row[0] for row in cursor.fetchall()}

    with django_db_blocker.unblock():
        before = connection.settings_dict["NAME"]
        with throwaway_database() as name:
            assert connection.settings_dict["NAME"] == name != before
            assert name in databases()
            assert not Chunk.objects.exists()  # migrated and empty
        assert connection.settings_dict["NAME"] == before
        assert name not in databases()


def test_databases_left_by_a_killed_run_are_dropped_and_live_ones_kept(django_db_blocker):
    import os

    from benchmarks.database import PREFIX, drop_abandoned

    dead, alive = f"{PREFIX}_999999999", f"{PREFIX}_{os.getpid()}"
    with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
        for name in (dead, alive):
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            dropped = drop_abandoned()
            cursor.execute("SELECT datname FROM pg_database WHERE datname = ANY(%s)", [[dead, alive]])
            remaining = {row[0] for row in cursor.fetchall()}
        finally:
            for name in (dead, alive):
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    assert dead in dropped and remaining == {alive}


def test_without_the_evaluation_data_the_demo_corpus_stands_in(monkeypatch, tmp_path):
    from benchmarks import corpus

    monkeypatch.setattr(corpus, "SCIFACT", tmp_path / "absent")

    sources = corpus.load_sources(documents=300, queries=5)

    assert "demo corpus" in sources.name and not sources.qrels
    assert len(sources.queries) == 5 and all(q.endswith("?") for q in sources.queries.values())
    assert len(sources.documents) >= 5 and len(sources.sentences) > 100


def test_the_database_servers_cpu_is_read_from_its_own_processes(db):
    """The processes whose CPU counts as the database server's: its postmaster and the postmaster's children,
    this connection's backend among them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    processes = ingest_cpu._server_processes()
    assert backend in processes and len(processes) > 2  # the postmaster, its helpers, this backend
    seconds = cpu_seconds(processes)
    with connection.cursor() as cursor:  # some work for the server: its CPU grows
        cursor.execute("SELECT count(*) FROM generate_series(1, 3000000)")
    assert cpu_seconds(processes)[backend] > seconds[backend]
