"""Holding a model's answer to the passages it was given: citations checked, abstentions recognised,
and sources attributed to an answer that cites nothing.

Pure: no Django, no I/O; the embedder, where one is used, is passed in as a function.

- CitationFilter runs over the model's text as it streams: a [n] that names no passage sent is
  removed (with the space before it) and counted, before anything is shown. It holds back only a
  tail that may still become a citation ("… [", "… [1,"), at most HOLD_LIMIT characters, so the
  stream is delayed by a few characters, never by a sentence. "[1, 2]" and "[passage 2]" become
  "[1][2]" and "[2]", the one form the rest of Sluice reads. Nothing inside `code` is touched:
  `items[0]` in a quoted command is not a citation.
- declines() recognises an answer that says the passages do not answer (the system prompt asks
  for "The documents do not say."): the gate counts it as nothing found and attributes nothing.
- attribute() matches each sentence of an answer that cites nothing to the passage that shares
  most of its words (and, with an embedder, is closest in meaning); the page lists those passages
  marked as attributed, not cited by the model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from routing.similarity import Embed, cosine

# A citation group as models write it: [3], [1, 2], [1 and 2], [passage 2], [Passage 1, 3].
_GROUP = re.compile(r"(\s*)\[\s*(?:passages?\s*)?(\d{1,3}(?:\s*(?:,|and)\s*\d{1,3})*)\s*\]", re.IGNORECASE)
# What may still become a citation group when more text comes: held back until it does or cannot.
_TAIL = re.compile(r"\s*\[[\w\s,]*$|\s+$")
_NUMBER = re.compile(r"\d+")
HOLD_LIMIT = 24


class CitationFilter:
    """Remove and count the citations of passages that were not given, over a stream of deltas.

    feed() returns what can be shown now; flush() the rest at the end. `removed` counts the
    numbers taken out.
    """

    def __init__(self, passages: int, *, check: bool = True) -> None:
        self.passages = passages
        self.check = check  # False: the text passes as it is (a backend that writes its own citations)
        self.removed = 0
        self._pending = ""
        self._ticks = 0  # backticks shown so far: an odd count means inside `code`

    def feed(self, delta: str) -> str:
        if not self.check:
            return delta
        text = self._pending + delta
        tail = _TAIL.search(text)
        cut = tail.start() if tail and len(text) - tail.start() <= HOLD_LIMIT else len(text)
        self._pending = text[cut:]
        return self._checked(text[:cut])

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return self._checked(text)

    def _checked(self, text: str) -> str:
        parts = text.split("`")
        for i, part in enumerate(parts):
            if (self._ticks + i) % 2 == 0:
                parts[i] = _GROUP.sub(self._rewrite, part)
        self._ticks += len(parts) - 1
        return "`".join(parts)

    def _rewrite(self, match: re.Match[str]) -> str:
        numbers = [int(n) for n in _NUMBER.findall(match.group(2))]
        kept = [n for n in numbers if 1 <= n <= self.passages]
        self.removed += len(numbers) - len(kept)
        if not kept:
            return ""
        return match.group(1) + "".join(f"[{n}]" for n in dict.fromkeys(kept))


# How answers say the passages do not answer: the prompt's own sentence and what models write instead.
_DECLINES = re.compile(
    r"\b(?:documents?|passages?|sources?|context|texts?)\s+(?:provided\s+|given\s+)?(?:do|does)\s*(?:not|n't)\s+"
    r"(?:say|mention|contain|cover|include|specify|state|provide|answer|describe|address|explain)"
    r"|\b(?:no|not\s+any)\s+information\s+(?:about|on|regarding|in)\b"
    r"|\bnot\s+(?:mentioned|covered|found|stated|specified|described|addressed)\s+in\s+the\s+"
    r"(?:documents?|passages?|sources?|context|texts?)"
    r"|\b(?:could|can)\s*(?:not|n't)\s+find\s+(?:anything|any\s+information|this|that|an?\s+answer)"
    r"|\bthere\s+is\s+no\s+(?:mention|information)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text: str) -> list[str]:
    """The sentences and lines of an answer, citations and list markers left on."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


_CLAUSE_BREAK = re.compile(r"[,;]?\s+but\s+|;\s+", re.IGNORECASE)
_CITATION = re.compile(r"\[\d+\]")


def declines(text: str, *, cites: bool) -> bool:
    """Whether the answer says the passages do not answer the question: a clause says so, and no clause
    that cites a passage answers anything (an answer that cites a passage for one part, "… but the on-call
    lead approves it [1]", and says another part is not written down has answered that part). `cites`:
    whether the answer cites a passage at all."""
    clauses = [c for s in sentences(text) for c in _CLAUSE_BREAK.split(s) if c.strip()]
    if not any(_DECLINES.search(c) for c in clauses):
        return False
    return not cites or not any(_CITATION.search(c) and not _DECLINES.search(c) for c in clauses)


_WORD = re.compile(r"[a-z0-9]+(?:[-_./][a-z0-9]+)*")
# Words that say nothing about which passage a sentence came from.
_FILLER = frozenset(
    re.findall(
        r"\w+",
        """a about after all also an and any are as at be been by can could do does each for from has have how if in
    into is it its may might must no not of on one or other our should so such than that the their them then there
    these they this those to under up use used using was we were what when where which who will with would you
    your passage passages document documents answer question""",
    )
)
# A sentence names a passage when it shares this share of its words with it (the words alone), or
# this much of the words and meaning together (with the embedder).
WORDS_ALONE = 0.6
WORDS_AND_MEANING = 0.6
MIN_TERMS = 3


def _terms(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _FILLER and len(w) > 1}


@dataclass(frozen=True)
class Source:
    """What attribute() compares an answer with: one passage, by its citation number."""

    n: int
    title: str
    text: str


def attribute(text: str, sources: Sequence[Source], embed: Embed | None = None) -> tuple[int, ...]:
    """The numbers of the passages the answer's sentences come from, in order of first use.

    A sentence of at least MIN_TERMS content words is matched to the passage holding the largest
    share of them; with `embed`, that share is averaged with the sentence's closest similarity to a
    sentence of the passage, which catches a paraphrase and drops a sentence that only reuses
    common words. A sentence that matches no passage well enough (the model's own framing, or
    something the passages do not say) names none.
    """
    claims = [(s, terms) for s in sentences(text) if len(terms := _terms(s)) >= MIN_TERMS]
    if not claims or not sources:
        return ()
    vocabulary = [_terms(f"{p.title}\n{p.text}") for p in sources]
    similarity: list[list[float]] | None = None
    if embed is not None:
        pieces = [sentences(p.text) or [p.text] for p in sources]
        vectors = embed([s for s, _ in claims] + [piece for group in pieces for piece in group])
        claim_vectors, rest = vectors[: len(claims)], iter(vectors[len(claims) :])
        grouped = [[next(rest) for _ in group] for group in pieces]
        similarity = [[max(cosine(c, v) for v in group) for group in grouped] for c in claim_vectors]
    found: list[int] = []
    for i, (_, terms) in enumerate(claims):
        scores = []
        for j, words in enumerate(vocabulary):
            share = len(terms & words) / len(terms)
            scores.append(share if similarity is None else (share + similarity[i][j]) / 2)
        best = max(range(len(sources)), key=scores.__getitem__)
        if scores[best] >= (WORDS_ALONE if similarity is None else WORDS_AND_MEANING):
            found.append(sources[best].n)
    return tuple(dict.fromkeys(found))
