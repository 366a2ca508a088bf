"""Fusing the vector and keyword lists into one ranking (pure, no I/O).

Scores are min-max normalised per list and mixed with a keyword weight set
per query. A fixed 50/50 mix helps where both lists are good (SciFact: 0.73
nDCG@10 against 0.64 dense and 0.69 BM25) but falls below the dense list alone
where BM25 is much weaker (measured by weakening SciFact's keyword queries to
their common words: BM25 0.31, dense 0.64, 50/50 mix 0.61). Two signals, both
available at query time, say how much to trust the keyword list:

- the dense list's best cosine: when even the best passage is a weak semantic
  match, the question hinges on rare terms that BM25 matches exactly (on
  SciFact, the per-query advantage of BM25 over dense correlates -0.27 with
  the dense top-1 cosine);
- agreement between the two top-10s: a keyword list that shares nothing with
  the dense list is more often noise.

The weight formula below kept the hybrid above both lists in every condition
tried by scripts/fusion_study.py (full SciFact 0.723; keyword queries without
their rarest term, or two, or with common words only: 0.702, 0.686, 0.676,
each above dense 0.642; docs/retrieval-evaluation.md has the table).
The cosine pivot belongs to all-MiniLM-L6-v2: revisit it with another model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Ranked:
    """One item of a ranked list: an id and the list's own score (higher is better)."""

    id: int
    score: float


@dataclass(frozen=True)
class Fused:
    id: int
    score: float
    vector_rank: int | None
    keyword_rank: int | None


def agreement(vector: Sequence[Ranked], keyword: Sequence[Ranked], *, depth: int = 10) -> float:
    """Share of the top `depth` ids the two lists have in common (0 to 1)."""
    top_v = {r.id for r in vector[:depth]}
    top_k = {r.id for r in keyword[:depth]}
    if not top_v or not top_k:
        return 0.0
    return len(top_v & top_k) / min(depth, len(top_v), len(top_k))


def _normalised(items: Sequence[Ranked]) -> dict[int, float]:
    if not items:
        return {}
    high = max(r.score for r in items)
    low = min(r.score for r in items)
    span = high - low
    if span <= 0:
        return {r.id: 1.0 for r in items}
    return {r.id: (r.score - low) / span for r in items}


# Median best cosine of all-MiniLM-L6-v2 over SciFact's queries (0.64, p10 0.48, p90 0.78).
COSINE_PIVOT = 0.64
MIN_KEYWORD_WEIGHT = 0.05
MAX_KEYWORD_WEIGHT = 0.7


def keyword_weight(vector: Sequence[Ranked], keyword: Sequence[Ranked]) -> float:
    """Weight of the keyword list for this query, in [0, 1]; the vector list gets the rest."""
    if not keyword:
        return 0.0
    if not vector:
        return 1.0
    weight = (0.4 + COSINE_PIVOT - vector[0].score) * (0.6 + agreement(vector, keyword))
    return min(MAX_KEYWORD_WEIGHT, max(MIN_KEYWORD_WEIGHT, weight))


def fuse(vector: Sequence[Ranked], keyword: Sequence[Ranked]) -> list[Fused]:
    """Merge two ranked lists, best first; an id missing from a list scores 0 there."""
    w_keyword = keyword_weight(vector, keyword)
    v_norm = _normalised(vector)
    k_norm = _normalised(keyword)
    v_rank = {r.id: i + 1 for i, r in enumerate(vector)}
    k_rank = {r.id: i + 1 for i, r in enumerate(keyword)}
    fused = [
        Fused(
            id=item_id,
            score=(1 - w_keyword) * v_norm.get(item_id, 0.0) + w_keyword * k_norm.get(item_id, 0.0),
            vector_rank=v_rank.get(item_id),
            keyword_rank=k_rank.get(item_id),
        )
        for item_id in v_norm.keys() | k_norm.keys()
    ]
    fused.sort(key=lambda f: (-f.score, f.id))
    return fused
