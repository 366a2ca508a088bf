from __future__ import annotations

from retrieval.fusion import (
    MAX_KEYWORD_WEIGHT,
    MIN_KEYWORD_WEIGHT,
    Ranked,
    agreement,
    disagreement_penalty,
    fuse,
    keyword_weight,
    short_query_damping,
)


def ranked(*ids: int, top: float = 0.5) -> list[Ranked]:
    return [Ranked(id=i, score=top - n / 20) for n, i in enumerate(ids)]


def test_an_item_high_in_both_lists_beats_one_high_in_a_single_list():
    fused = fuse(ranked(1, 2, 3, 4), ranked(2, 5, 6, 7, top=12.0))

    assert fused[0].id == 2
    assert fused[0].vector_rank == 2 and fused[0].keyword_rank == 1


def test_one_list_alone_keeps_its_order():
    assert [f.id for f in fuse(ranked(3, 1, 2), [])] == [3, 1, 2]
    assert [f.id for f in fuse([], ranked(9, 8))] == [9, 8]
    assert fuse([], []) == []


def test_agreement_is_the_share_of_common_top_ids():
    assert agreement(ranked(1, 2, 3, 4), ranked(4, 3, 9, 8), depth=4) == 0.5
    assert agreement(ranked(1, 2), [], depth=4) == 0.0


def test_keywords_weigh_more_when_the_best_dense_match_is_weak():
    keyword = ranked(1, 2, 3, top=9.0)

    assert keyword_weight(ranked(1, 2, 3, top=0.45), keyword) > keyword_weight(ranked(1, 2, 3, top=0.75), keyword)


def test_keywords_weigh_more_when_the_lists_agree():
    vector = ranked(1, 2, 3, 4, top=0.6)

    agreeing = keyword_weight(vector, ranked(1, 2, 3, 4, top=9.0))
    disagreeing = keyword_weight(vector, ranked(5, 6, 7, 8, top=9.0))

    assert agreeing > disagreeing


def test_the_keyword_weight_stays_within_its_bounds():
    assert keyword_weight(ranked(1, top=0.99), ranked(2, top=3.0)) == MIN_KEYWORD_WEIGHT
    assert keyword_weight(ranked(1, top=0.05), ranked(1, top=3.0)) == MAX_KEYWORD_WEIGHT
    assert keyword_weight([], ranked(1)) == 1.0
    assert keyword_weight(ranked(1), []) == 0.0


def test_equal_scores_are_ordered_by_id_so_results_are_stable():
    flat = [Ranked(id=i, score=0.5) for i in (5, 3, 4)]

    assert [f.id for f in fuse(flat, [])] == [3, 4, 5]


def test_a_confident_dense_list_keeps_its_top_on_a_short_entity_query():
    # "Okafor lawyer": dense found Okafor's own page (1); BM25's top tier (5, 6) is pages that name
    # an Okafor in passing and use the word "lawyer", and Okafor's page is in its name-only tier.
    vector = ranked(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, top=0.66)
    keyword = [Ranked(id=i, score=s) for i, s in [(5, 10.0), (6, 10.0), (1, 6.0), (2, 6.0), (3, 6.0), (10, 2.0)]]

    assert fuse(vector, keyword, query_terms=2)[0].id == 1
    # Without the query's length the same lists follow the keyword tier: the failure this guards.
    assert fuse(vector, keyword)[0].id == 5


def test_a_short_query_keeps_its_keyword_weight_when_the_dense_match_is_weak():
    # An error code or an unknown name: the dense model cannot help, the exact match can.
    vector = ranked(1, 2, 3, 4, top=0.40)
    keyword = ranked(1, 5, 6, top=9.0)

    assert keyword_weight(vector, keyword, query_terms=2) == keyword_weight(vector, keyword)


def test_long_queries_keep_the_full_keyword_weight():
    vector = ranked(1, 2, 3, 4, top=0.7)
    keyword = ranked(1, 2, 5, top=9.0)

    assert keyword_weight(vector, keyword, query_terms=9) == keyword_weight(vector, keyword)


def test_the_keyword_weight_shrinks_as_a_query_with_a_confident_dense_match_gets_shorter():
    vector = ranked(1, 2, 3, 4, top=0.62)
    keyword = ranked(1, 2, 3, top=9.0)

    weights = [keyword_weight(vector, keyword, query_terms=n) for n in (1, 2, 3, 4, 5)]

    assert weights == sorted(weights)
    assert weights[0] == MIN_KEYWORD_WEIGHT and weights[0] < weights[-1]
    assert short_query_damping(vector, None) == 0.0


def test_a_weak_dense_list_is_no_evidence_against_an_exact_match():
    # "Can I just use ngrok to show a partner the app?": the one passage naming the tool (99) is the keyword
    # list's first and absent from a dense list whose best match is weak and about something else.
    keyword = [Ranked(id=99, score=15.7)] + [Ranked(id=i, score=14.9 - (i - 20) / 10) for i in range(20, 30)]
    weak = [Ranked(id=i, score=0.40 - (i - 1) / 1000) for i in range(1, 40)]
    unsure = [Ranked(id=i, score=0.45 - (i - 1) / 1000) for i in range(1, 40)]

    assert disagreement_penalty(weak, keyword) > disagreement_penalty(unsure, keyword) == 0.6
    assert [f.id for f in fuse(weak, keyword, query_terms=7)].index(99) < 3
    # The same disagreement still costs the keyword list where the dense list is sure of itself.
    sure = [Ranked(id=i, score=0.70 - (i - 1) / 1000) for i in range(1, 40)]
    assert disagreement_penalty(sure, keyword) == 0.6
    assert [f.id for f in fuse(sure, keyword, query_terms=7)][0] == 1
