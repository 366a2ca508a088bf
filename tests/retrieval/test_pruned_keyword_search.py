"""Pruned keyword search (bm25.pruned_score_sql): exact scores, bounded reading, the exact fallback."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.clearance import Classification
from retrieval import bm25
from retrieval.bm25_params import IMPACT_REFERENCE_LENGTH, K1, B
from retrieval.models import Posting
from retrieval.selectors import ACCESS_SQL, Reader, keyword_candidates
from tests.retrieval.test_search_passages import reference_bm25

ALL = Reader(clearance=Classification.RESTRICTED, group_ids=(), collection="main")


@pytest.fixture
def rota(ingest):
    """Twenty passages that all say "rota"; a few say it often or also name a rarer word."""
    for i in range(20):
        extra = " rota" * (i % 4) + (" handover" if i % 5 == 0 else "")
        ingest(f"rota-{i}.md", f"# Team {i}\n\nThe rota for team {i} changes weekly{extra}.", "internal")


def pruned(
    lexemes: list[str], *, depth: int, rescore: int, limit: int, reader: Reader = ALL
) -> list[tuple[int, float]]:
    sizes = {"depth": depth, "rescore": rescore, "screen": 3 * rescore, "limit": limit}
    params = reader.params() | sizes | {"lexemes": lexemes}
    with connection.cursor() as cursor:
        cursor.execute(bm25.pruned_score_sql(ACCESS_SQL), params)
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def test_a_common_lexeme_is_read_only_to_the_given_depth(rota):
    rows = pruned(["rota"], depth=3, rescore=10, limit=10)

    assert len(rows) == 3


def test_pruned_results_carry_exact_bm25_scores(rota):
    expected = reference_bm25("rota handover")

    rows = pruned(bm25.query_lexemes("rota handover"), depth=3, rescore=10, limit=10)

    # "handover" (4 chunks) is read whole, "rota" (20) only to depth 3: the chunks found through either
    # are then scored on both, exactly.
    assert len(rows) >= 4
    for chunk_id, score in rows:
        assert score == pytest.approx(expected[chunk_id], rel=1e-9)
    assert [s for _, s in rows] == sorted((s for _, s in rows), reverse=True)


def test_the_best_chunks_by_impact_are_read_first(rota):
    top = pruned(["rota"], depth=3, rescore=10, limit=10)

    # Four passages of the fixture score exactly alike (the same words, as long), so which three of them are read
    # first is a tie either way: what is read is three chunks as good as the best three.
    reference = reference_bm25("rota")
    best = sorted(reference.values(), reverse=True)[:3]
    assert sorted((reference[chunk_id] for chunk_id, _ in top), reverse=True) == pytest.approx(best, rel=1e-9)


def test_without_truncation_pruned_equals_exact(rota):
    for query in ("rota handover", "team weekly", "changes"):
        assert keyword_candidates(ALL, query, limit=50) == keyword_candidates(ALL, query, limit=50, exact=True)


def test_a_reader_left_short_by_pruning_gets_the_exact_list(rota, ingest, contractor, settings):
    for i in range(5):
        ingest(f"public-rota-{i}.md", f"# Public {i}\n\nThe public rota is posted at the gate.", "public")
    settings.KEYWORD_PRUNE_DEPTH = 2  # the two best "rota" postings may well be internal ones
    reader = Reader(clearance=contractor.clearance, group_ids=(), collection="main")

    results = keyword_candidates(reader, "rota", limit=5)

    assert len(results) == 5
    assert results == keyword_candidates(reader, "rota", limit=5, exact=True)


def test_the_stored_impact_is_the_term_frequency_factor_at_the_reference_length(rota):
    for posting in Posting.objects.filter(lexeme="rota")[:5]:
        tf, length = posting.term_frequency, posting.chunk_length
        expected = tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / IMPACT_REFERENCE_LENGTH))
        assert posting.impact == pytest.approx(expected, rel=1e-9)
