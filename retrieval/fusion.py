"""Fusing the vector and keyword lists into one ranking (pure, no I/O).

Scores are min-max normalised per list and mixed with a keyword weight set
per query. A fixed 50/50 mix helps where both lists are good (SciFact: 0.73
nDCG@10 against 0.64 dense and 0.69 BM25) but falls below the dense list alone
where BM25 is much weaker (measured by weakening SciFact's keyword queries to
their common words: BM25 0.31, dense 0.64, 50/50 mix 0.61). Three signals,
all available at query time, say how much to trust the keyword list:

- the dense list's best cosine: when even the best passage is a weak semantic
  match, the question hinges on rare terms that BM25 matches exactly (on
  SciFact, the per-query advantage of BM25 over dense correlates -0.27 with
  the dense top-1 cosine);
- agreement between the two top-10s: a keyword list that shares nothing with
  the dense list is more often noise, but only where the dense list knows
  what it is doing. The penalty fades as the dense top-1 cosine falls from
  0.45 to 0.35: a dense list that weak is no evidence against an exact match
  ("Can I just use ngrok to show a partner the app?": the one passage naming
  ngrok was BM25's first, outside the dense 200, and fused 17th when
  disagreement still cost it);
- the number of distinct query terms, when the dense list is confident. A
  query of two or three terms ("Okafor lawyer") gives BM25 little to rank
  with: a few tiers (passages with every term, with the rare one, with the
  common one) ordered by passage length, and on an entity collection the top
  tier is full of passages that name the entity in passing. A confident dense
  list already matched the name and what the words mean, so the keyword weight
  shrinks with fewer terms, by as much as the dense top-1 cosine is confident
  (0 at 0.45, full at 0.60). A short query whose best dense match is weak
  (an error code, a name the model has never seen) keeps the keyword weight.

Before the third signal the hybrid fell 0.026 below dense alone on short
name-and-attribute queries (scripts/make_entity_set.py, "name" queries: dense
0.627, BM25 0.362, hybrid 0.601), as it did on issue 13's held-out entity set
(dense 0.513, hybrid 0.487; not in this repository, so not measured again).
With it, it is 0.627 there, SciFact keeps 0.723 (0.725 with the fading
penalty of the second signal) and the weakened SciFact
conditions of scripts/fusion_study.py stay above dense. docs/retrieval-evaluation.md has
every set measured. The cosine levels belong to all-MiniLM-L6-v2: revisit
them with another model.
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
# Dense top-1 cosines between which the dense list goes from unsure to confident (SciFact's p10 is 0.48).
UNSURE_COSINE = 0.45
CONFIDENT_COSINE = 0.60
# Queries of this many distinct terms or more get the keyword weight in full.
FULL_QUERY_TERMS = 5
# Dense top-1 cosine at which the two lists' disagreement no longer counts against the keyword list.
WEAK_COSINE = 0.35


def short_query_damping(vector: Sequence[Ranked], query_terms: int | None) -> float:
    """Share of the keyword weight taken away for a short query with a confident dense list, in [0, 1]."""
    if query_terms is None or not vector:
        return 0.0
    shortness = min(1.0, max(0.0, (FULL_QUERY_TERMS - query_terms) / (FULL_QUERY_TERMS - 1)))
    confidence = (vector[0].score - UNSURE_COSINE) / (CONFIDENT_COSINE - UNSURE_COSINE)
    return shortness * min(1.0, max(0.0, confidence))


def disagreement_penalty(vector: Sequence[Ranked], keyword: Sequence[Ranked]) -> float:
    """The factor (0.6 to 1.6) by which the keyword weight follows the lists' top-10 agreement.

    Below 1 when they disagree, as long as the dense list is at least unsure; as its top-1 cosine falls
    from UNSURE_COSINE to WEAK_COSINE, a disagreeing keyword list is penalised less and less, then not."""
    shared = agreement(vector, keyword)
    weakness = min(1.0, max(0.0, (UNSURE_COSINE - vector[0].score) / (UNSURE_COSINE - WEAK_COSINE)))
    return 0.6 + shared + max(0.0, 0.4 - shared) * weakness


def keyword_weight(vector: Sequence[Ranked], keyword: Sequence[Ranked], *, query_terms: int | None = None) -> float:
    """Weight of the keyword list for this query, in [0, 1]; the vector list gets the rest.

    `query_terms` is the number of distinct lexemes the keyword list searched for
    (bm25.query_lexemes); without it, the query's length plays no part.
    """
    if not keyword:
        return 0.0
    if not vector:
        return 1.0
    weight = (0.4 + COSINE_PIVOT - vector[0].score) * disagreement_penalty(vector, keyword)
    weight *= 1 - short_query_damping(vector, query_terms)
    return min(MAX_KEYWORD_WEIGHT, max(MIN_KEYWORD_WEIGHT, weight))


def fuse(vector: Sequence[Ranked], keyword: Sequence[Ranked], *, query_terms: int | None = None) -> list[Fused]:
    """Merge two ranked lists, best first; an id missing from a list scores 0 there.

    `query_terms`: see keyword_weight.
    """
    w_keyword = keyword_weight(vector, keyword, query_terms=query_terms)
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
