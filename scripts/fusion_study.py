"""How the hybrid fusion holds up when the keyword list is weak (docs/retrieval-evaluation.md).

Usage:
  python manage.py eval_retrieval BEIR_DIR --mode vector --dump-lists lists.jsonl
  python scripts/fusion_study.py BEIR_DIR lists.jsonl
  python scripts/fusion_study.py BEIR_DIR lists.jsonl --replay

Takes each query's dense list from the dump (documents score as their best
passage), computes BM25 over whole documents in Python from PostgreSQL's own
lexemes, and weakens the keyword side by dropping the query's rarest terms.
Prints nDCG@10 of dense, BM25, fixed mixes and Sluice's per-query weight.

With --replay, fuses the dumped passage lists themselves, as eval_retrieval
does (a document scores as its best fused passage), so its figures for the
current weight are the command's own; queries are also reported by the part
of their id before the last "-" (scripts/make_entity_set.py's query shapes).
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import ir_measures  # noqa: E402
from django.db import connection  # noqa: E402
from ir_measures import nDCG  # noqa: E402

from retrieval.bm25 import K1, B  # noqa: E402
from retrieval.evaluation import BeirSet, documents_run, load_beir  # noqa: E402
from retrieval.fusion import Ranked, _normalised, keyword_weight  # noqa: E402

# Each takes the two lists and the number of distinct terms in the query as the product saw it. "previous"
# is the weight before issue 13's entity sets: the dense top-1 cosine and top-10 agreement only, which is
# Sluice's weight without the query's length.
STRATEGIES = {
    "fixed 50/50": lambda v, k, query_terms: 0.5,
    "fixed 30/70": lambda v, k, query_terms: 0.3,
    "previous": lambda v, k, query_terms: keyword_weight(v, k),
    "sluice": keyword_weight,
}
# How many documents of a fused list are ranked (eval_retrieval ranks at least 100; nDCG@10 reads ten).
DEPTH = 100


def lexemes(texts: list[str], *, counts: bool) -> list[Counter[str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.ord, x.lexeme, coalesce(array_length(x.positions, 1), 1)"
            " FROM unnest(%s::text[]) WITH ORDINALITY u(t, ord), unnest(to_tsvector('english', u.t)) x",
            [texts],
        )
        found: list[Counter[str]] = [Counter() for _ in texts]
        for ordinal, lexeme, n in cursor.fetchall():
            found[ordinal - 1][lexeme] = n if counts else 1
    return found


def mixed(v: list[Ranked], k: list[Ranked], weight: float) -> list:
    vn, kn = _normalised(v), _normalised(k)
    return sorted(vn.keys() | kn.keys(), key=lambda i: (-((1 - weight) * vn.get(i, 0) + weight * kn.get(i, 0)), i))


def replay(data: BeirSet, rows: dict[str, dict]) -> None:
    """nDCG@10 of each strategy on the dumped passage lists, for all queries and for each shape."""
    doc_of: dict[int, str] = {}
    lists = {}
    for q, row in rows.items():
        for name in ("vector", "keyword"):
            doc_of.update((chunk, doc) for doc, chunk, _ in row[name])
        lists[q] = tuple(
            [Ranked(id=chunk, score=score) for _, chunk, score in row[name]] for name in ("vector", "keyword")
        )

    terms = dict(zip(rows, (len(c) for c in lexemes([data.queries[q] for q in rows], counts=False)), strict=True))
    weights = {"dense": lambda v, k, query_terms: 0.0, "keyword": lambda v, k, query_terms: 1.0, **STRATEGIES}
    runs = {
        name: {
            q: documents_run(mixed(v, k, weigh(v, k, query_terms=terms[q]) if v and k else float(not v)), doc_of, DEPTH)
            for q, (v, k) in lists.items()
        }
        for name, weigh in weights.items()
    }
    groups: dict[str, list[str]] = {"all queries": list(rows)}
    for q in rows:
        if "-" in q:
            groups.setdefault(q.rsplit("-", 1)[0], []).append(q)
    for group, queries in groups.items():
        qrels = {q: data.qrels[q] for q in queries}
        line = {"queries": group, "n": len(queries)}
        for name, run in runs.items():
            as_run = {q: run[q] for q in queries}
            line[name] = round(ir_measures.calc_aggregate([nDCG @ 10], qrels, as_run)[nDCG @ 10], 4)
        print(json.dumps(line))


def main() -> None:
    data = load_beir(Path(sys.argv[1]))
    rows = {row["query_id"]: row for row in map(json.loads, Path(sys.argv[2]).read_text().splitlines())}
    if "--replay" in sys.argv[3:]:
        replay(data, rows)
        return
    doc_ids = list(data.corpus)
    tf = dict(zip(doc_ids, lexemes([f"{t}\n{x}" for t, x in data.corpus.values()], counts=True), strict=True))
    query_terms = dict(zip(rows, lexemes([data.queries[q] for q in rows], counts=False), strict=True))
    n_docs = len(tf)
    length = {d: sum(c.values()) for d, c in tf.items()}
    avgdl = sum(length.values()) / n_docs
    postings: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for doc, counts in tf.items():
        for term, n in counts.items():
            postings[term].append((doc, n))
    idf = {t: math.log(1 + (n_docs - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}

    def bm25(terms: list[str]) -> list[Ranked]:
        scores: Counter[str] = Counter()
        for t in terms:
            for doc, n in postings.get(t, ()):
                scores[doc] += idf[t] * n * (K1 + 1) / (n + K1 * (1 - B + B * length[doc] / avgdl))
        return [Ranked(id=d, score=s) for d, s in scores.most_common(100)]  # type: ignore[arg-type]

    def dense(query_id: str) -> list[Ranked]:
        seen: dict[str, float] = {}
        for doc, _chunk, score in rows[query_id]["vector"]:
            seen.setdefault(doc, score)
        return [Ranked(id=d, score=s) for d, s in list(seen.items())[:100]]  # type: ignore[arg-type]

    def ndcg(run: dict[str, list]) -> float:
        as_scores = {q: {str(r): 1000.0 - i for i, r in enumerate(items)} for q, items in run.items()}
        return round(ir_measures.calc_aggregate([nDCG @ 10], data.qrels, as_scores)[nDCG @ 10], 4)

    dense_lists = {q: dense(q) for q in rows}
    for drop, label in ((0, "full query"), (1, "less rarest term"), (2, "less two rarest"), (None, "common words")):
        keyword_lists = {}
        for q, counts in query_terms.items():
            terms = sorted(counts, key=lambda t: (-idf.get(t, 0), t))
            terms = [t for t in terms if idf.get(t, 0) < 4.0] if drop is None else terms[drop:]
            keyword_lists[q] = bm25(terms)
        line = {
            "dense": ndcg({q: [r.id for r in v] for q, v in dense_lists.items()}),
            "bm25": ndcg({q: [r.id for r in k] for q, k in keyword_lists.items()}),
        }
        for name, strategy in STRATEGIES.items():
            line[name] = ndcg(
                {
                    # The product sees the whole query: its length is the full query's.
                    q: mixed(
                        v,
                        keyword_lists[q],
                        strategy(v, keyword_lists[q], query_terms=len(query_terms[q])) if keyword_lists[q] else 0.0,
                    )
                    for q, v in dense_lists.items()
                }
            )
        print(json.dumps({"keyword list from": label, **line}))


if __name__ == "__main__":
    main()
