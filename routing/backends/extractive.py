"""The in-process backend: answers with the retrieved passages' best sentences, each cited.

No model weights, no network: always available, and the last rung of
`degrade`. A sentence's score is the idf-weighted share of the question's
content words it contains, plus a little for coming from a higher-ranked
passage; sentences that share no content word with the question are never used.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from routing.backends.base import Bundle, ChatBackend

NOTHING_FOUND = (
    "I could not find anything about this in the documents you can read. "
    "Try other words, or ask the document owner whether it is written down."
)
MAX_SENTENCES = 3
MIN_SCORE = 0.2

_STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        """a an and are as at be by can do does for from has have how i if in is it its may me my of on or our should
    so than that the their them then there these they this to up us was we what when where which who why will with
    would you your into about after before over under not no yes any all each also must""",
    )
)
_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])|\n+")


def _stem(word: str) -> str:
    # Crude suffix stripping: enough for "rotating"/"rotation"/"rotate" to meet.
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_terms(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and len(w) > 1}


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) > 20]


@dataclass(frozen=True)
class _Candidate:
    score: float
    passage_rank: int
    order: int
    n: int
    sentence: str


def select_sentences(bundle: Bundle) -> list[_Candidate]:
    """The best sentences for the question, in reading order (passage rank, then position)."""
    question_terms = content_terms(bundle.question)
    if not question_terms or not bundle.passages:
        return []
    sentences = [
        (rank, order, p.n, s)
        for rank, p in enumerate(bundle.passages)
        for order, s in enumerate(split_sentences(p.text))
    ]
    sentence_terms = [content_terms(s) for *_, s in sentences]
    # Inverse frequency over the retrieved sentences: rare question words weigh more.
    weight = {
        t: math.log(1 + len(sentences) / (1 + sum(t in terms for terms in sentence_terms))) for t in question_terms
    }
    total = sum(weight.values())
    candidates = []
    for (rank, order, n, sentence), terms in zip(sentences, sentence_terms, strict=True):
        matched = sum(weight[t] for t in question_terms & terms)
        if not matched:
            continue
        score = matched / total + 0.05 / (1 + rank)
        candidates.append(_Candidate(score, rank, order, n, sentence))
    best = [c for c in sorted(candidates, key=lambda c: -c.score)[:MAX_SENTENCES] if c.score >= MIN_SCORE]
    return sorted(best, key=lambda c: (c.passage_rank, c.order))


class ExtractiveBackend(ChatBackend):
    name = "extractive"
    zone = "onprem"
    model = "extractive-v1"

    def generate(self, bundle: Bundle) -> Iterator[str]:
        chosen = select_sentences(bundle)
        if not chosen:
            yield NOTHING_FOUND
            return
        for i, candidate in enumerate(chosen):
            yield ("" if i == 0 else " ") + f"{candidate.sentence} [{candidate.n}]"
