from __future__ import annotations

import math
from collections import Counter

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.clearance import Classification
from retrieval import bm25
from retrieval.models import Chunk
from retrieval.selectors import SEARCH_MODES, Reader, get_chunk, get_reader, keyword_candidates, search_passages

DOCS = {
    "public-status.md": ("public", [], "# Status page\n\nThe public status page is updated within fifteen minutes."),
    "internal-deploys.md": ("internal", [], "# Deploys\n\nRoll back a bad deploy with the rollback button."),
    "eng-oncall.md": ("internal", ["engineering"], "# On-call\n\nThe on-call engineer hands over at ten every Monday."),
    "fin-close.md": ("internal", ["finance"], "# Month-end close\n\nThe ledger closes on the third business day."),
    "conf-keys.md": ("confidential", [], "# Keys\n\nRoll back database credentials through the vault."),
    "restr-dr.md": ("restricted", ["security"], "# Recovery\n\nThe recovery keys are split among five officers."),
}


@pytest.fixture
def corpus(ingest):
    return {name: ingest(name, text, cls, groups).document for name, (cls, groups, text) in DOCS.items()}


def visible_sources(reader: Reader, query: str, mode: str) -> set[str]:
    return {p.source_name for p in search_passages(reader, query, k=20, mode=mode).passages}


@pytest.mark.parametrize("mode", SEARCH_MODES)
def test_an_employee_sees_only_what_their_clearance_and_groups_allow(corpus, employee, mode):
    seen = set()
    for query in ("roll back", "keys and credentials", "ledger close", "status page", "on-call handover"):
        seen |= visible_sources(get_reader(employee), query, mode)

    assert seen <= {"public-status.md", "internal-deploys.md", "eng-oncall.md"}
    assert "eng-oncall.md" in seen


@pytest.mark.parametrize("mode", SEARCH_MODES)
def test_a_public_reader_never_sees_internal_passages(corpus, contractor, mode):
    assert visible_sources(get_reader(contractor), "roll back a bad deploy", mode) <= {"public-status.md"}


def test_a_cleared_reader_outside_the_group_does_not_see_group_documents(corpus, admin):
    seen = visible_sources(get_reader(admin), "recovery keys officers", "hybrid")

    assert "restr-dr.md" not in seen  # the admin is cleared for restricted, but not in "security"
    assert "conf-keys.md" in seen


def test_a_reader_with_narrow_access_still_gets_a_full_list(ingest, contractor):
    for i in range(12):
        ingest(f"internal-{i}.md", f"# Parking {i}\n\nParking permits for garage level {i} are renewed yearly.")
    for i in range(6):
        ingest(f"public-{i}.md", f"# Visitors {i}\n\nVisitor parking at gate {i} is free for two hours.", "public")

    for mode in SEARCH_MODES:
        passages = search_passages(get_reader(contractor), "parking permits", k=5, mode=mode).passages
        assert len(passages) == 5, mode
        assert all(p.classification == Classification.PUBLIC for p in passages)


def test_the_best_passage_comes_first(corpus, admin):
    passages = search_passages(get_reader(admin), "how do I roll back a bad deploy", k=3).passages

    assert passages[0].source_name == "internal-deploys.md"


def test_get_chunk_hides_passages_the_reader_may_not_read(corpus, employee):
    secret = corpus["conf-keys.md"].chunks.get()
    allowed = corpus["internal-deploys.md"].chunks.get()
    reader = get_reader(employee)

    assert get_chunk(reader, allowed.id) == allowed
    assert get_chunk(reader, secret.id) is None
    assert get_chunk(reader, 10**9) is None


def test_keyword_scores_are_exact_bm25(corpus, ingest, admin):
    # Change and delete documents first: df, N and avgdl must follow.
    ingest("internal-deploys.md", "# Deploys\n\nRoll back a broken deploy from the deploy dashboard, then page.")
    reader = Reader(clearance=Classification.RESTRICTED, group_ids=(), collection="main")
    query = "roll back the deploy dashboard"

    scores = {r.id: r.score for r in keyword_candidates(reader, query, limit=50)}

    expected = reference_bm25(query)
    visible = set(Chunk.objects.filter(document__reader_groups__isnull=True).values_list("id", flat=True))
    expected = {cid: s for cid, s in expected.items() if cid in visible and s > 0}
    assert scores.keys() == expected.keys()
    for chunk_id, score in expected.items():
        assert scores[chunk_id] == pytest.approx(score, rel=1e-9)


def reference_bm25(query: str) -> dict[int, float]:
    """BM25 recomputed from scratch from the chunks' tsvectors."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, u.lexeme, coalesce(array_length(u.positions, 1), 1)"
            " FROM retrieval_chunk c, unnest(c.search_vector) u"
        )
        tf: dict[int, Counter[str]] = {}
        for chunk_id, lexeme, count in cursor.fetchall():
            tf.setdefault(chunk_id, Counter())[lexeme] = count
    n = len(tf)
    lengths = {cid: sum(c.values()) for cid, c in tf.items()}
    avgdl = sum(lengths.values()) / n
    terms = set(bm25.query_lexemes(query))
    df = {t: sum(t in c for c in tf.values()) for t in terms}
    scores = {}
    for cid, counts in tf.items():
        score = 0.0
        for t in terms & counts.keys():
            idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
            f = counts[t]
            score += idf * f * (bm25.K1 + 1) / (f + bm25.K1 * (1 - bm25.B + bm25.B * lengths[cid] / avgdl))
        scores[cid] = score
    return scores


def test_the_vector_list_runs_with_its_timeout_iterative_scan_and_search_width(corpus, employee):
    """The three settings are made in one statement, local to the vector query's transaction: a narrow
    reader still gets a full list, a stuck search is cancelled, and the graph is searched wide enough."""
    seen: dict[str, str] = {}

    def record_settings(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if "WITH hits AS MATERIALIZED" in sql:
            cursor = context["cursor"]
            for name in ("statement_timeout", "hnsw.iterative_scan", "hnsw.ef_search"):
                cursor.execute("SELECT current_setting(%s)", [name])
                seen[name] = cursor.fetchone()[0]
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record_settings):
        search_passages(get_reader(employee), "roll back a bad deploy", mode="vector")

    assert seen == {"statement_timeout": "10s", "hnsw.iterative_scan": "relaxed_order", "hnsw.ef_search": "200"}


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_vector_list_is_read_beside_the_keyword_list_with_the_same_results(ingest, employee):
    for name, (cls, groups, text) in DOCS.items():
        ingest(name, text, cls, groups)
    reader = get_reader(employee)
    queries = ("roll back a bad deploy", "who holds the recovery keys", "status page updates", "on-call handover")

    with CaptureQueriesContext(connection) as beside:
        apart = [[p.chunk_id for p in search_passages(reader, q, k=5).passages] for q in queries]
    with transaction.atomic(), CaptureQueriesContext(connection) as inside:
        together = [[p.chunk_id for p in search_passages(reader, q, k=5).passages] for q in queries]

    assert apart == together and all(apart)
    # Outside a transaction this connection never ran the vector list: a pool thread's own connection did.
    assert not any("WITH hits AS MATERIALIZED" in q["sql"] for q in beside.captured_queries)
    assert sum("WITH hits AS MATERIALIZED" in q["sql"] for q in inside.captured_queries) == len(queries)


@pytest.mark.django_db(transaction=True)
def test_a_vector_side_connection_broken_while_idle_is_replaced(ingest, employee):
    ingest("internal-deploys.md", DOCS["internal-deploys.md"][2])
    reader = get_reader(employee)
    assert search_passages(reader, "roll back", mode="vector").passages
    with connection.cursor() as cursor:  # the server ends every other session, as a restart would
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )

    assert [p.source_name for p in search_passages(reader, "roll back", mode="vector").passages] == [
        "internal-deploys.md"
    ]
