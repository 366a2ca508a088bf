from __future__ import annotations

from retrieval.fusion import MAX_KEYWORD_WEIGHT, MIN_KEYWORD_WEIGHT, Ranked, agreement, fuse, keyword_weight


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
