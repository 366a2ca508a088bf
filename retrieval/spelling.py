"""Mistyped question words, searched with the word they were meant to be beside them.

"how do i renw my certficate" finds nothing in the keyword list: no document holds "renw" or "certficate", and
PostgreSQL's stemmer does not mend them. Search reads the question with the one English word each mistyped word
is a slip away from written after it (`with_corrections`), both forms kept, as it reads shorthand.

A word is a slip only when two word lists both lack it:

- the embedding model's own word list (about 20,000 English words, `wordpiece_vocabulary`), which is also the
  dictionary corrections are taken from. A correction is never a document's word, so what search adds tells a
  reader nothing about documents they may not read;
- the words of the documents the asker may read (`readable`, an indexed lookup inside the access filter, see
  retrieval.selectors.readable_words). A term of the documents' own is what the asker meant, however far it is
  from English: "elegans" in a biology collection is a species, not a slip of "elegant", and "kubectl" is a
  command.

Such a word of five letters or more, all letters and not shorthand, is searched with the one word of the model's
list nearest to it, within one slip (two for words of eight letters or more; an adjacent swap is one slip), with
the same first letter. A word with nothing near (a product name, "ngrok") is left alone; so is a tie ("fome":
"form" or "fame"?), since a wrong guess adds a word the question never meant.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection

from rapidfuzz.distance import OSA

from retrieval.embedders import get_embedder
from retrieval.shorthand import SHORTHAND
from retrieval.terms import stem

MIN_LETTERS = 5
# A word of letters alone, not part of a host name, an address, a path or a hyphenated name.
_WORD = re.compile(r"(?<![\w@./-])[A-Za-z]+(?![\w@-]|[./]\w)")

# Given the lower-cased candidate words, returns those the asker's readable documents hold.
Readable = Callable[[Collection[str]], Collection[str]]


@functools.cache
def _by_first_letter() -> dict[str, tuple[str, ...]]:
    # The configured embedder's word list, read without loading its weights (empty for one without a list: then
    # nothing is ever corrected).
    grouped: dict[str, list[str]] = {}
    for word in get_embedder().vocabulary():
        if word.isalpha():
            grouped.setdefault(word[0], []).append(word)
    return {first: tuple(sorted(words)) for first, words in grouped.items()}


@functools.cache
def _stems() -> frozenset[str]:
    return frozenset(stem(w) for words in _by_first_letter().values() for w in words)


@functools.lru_cache(maxsize=8192)
def correction(word: str) -> str | None:
    """The one word of the model's list that `word` (lower case) is a slip away from, or None. A word whose stem
    is a listed word's ("tokens", "staffing", "revoke") is a real word in another form, not a slip."""
    if len(word) < MIN_LETTERS or not word.isalpha() or word in SHORTHAND:
        return None
    words = _by_first_letter().get(word[0], ())
    if word in words or stem(word) in _stems():
        return None
    limit = 1 if len(word) < 8 else 2
    near = [
        (d, w)
        for w in words
        if abs(len(w) - len(word)) <= limit and (d := OSA.distance(word, w, score_cutoff=limit)) <= limit
    ]
    if not near:
        return None
    best = min(d for d, _ in near)
    nearest = [w for d, w in near if d == best]
    return nearest[0] if len(nearest) == 1 else None


def _candidates(text: str) -> dict[str, str]:
    """Each word of `text` (lower case) that the model's list lacks, with the word it is a slip of."""
    found: dict[str, str] = {}
    for match in _WORD.finditer(text):
        word = match.group(0)
        if any(c.isupper() for c in word[1:]):  # "PeopleOps", "GitHub": a name, not a slip
            continue
        if (meant := correction(word.lower())) is not None:
            found[word.lower()] = meant
    return found


def with_corrections(text: str, readable: Readable | None = None) -> str:
    """`text` with the word each mistyped word was meant to be written after it (both forms kept). `readable`
    says which of the candidates the asker's documents hold: those are left as they are. Without it, every
    candidate is corrected (for text no collection is behind)."""
    slips = _candidates(text)
    if not slips:
        return text
    if readable is not None:
        held = set(readable(list(slips)))
        slips = {word: meant for word, meant in slips.items() if word not in held}
        if not slips:
            return text

    def corrected(match: re.Match[str]) -> str:
        word = match.group(0)
        meant = slips.get(word.lower()) if not any(c.isupper() for c in word[1:]) else None
        return word if meant is None else f"{word} {meant}"

    return _WORD.sub(corrected, text)


def in_english(text: str) -> str:
    """`text` with each mistyped word replaced by the word it is a slip of (not written beside it, as
    `with_corrections` writes it for search): for reading what a question asks ("within what time frxme" asks for a
    time frame, not a time of day), never for matching documents."""
    slips = _candidates(text)
    if not slips:
        return text

    def corrected(match: re.Match[str]) -> str:
        word = match.group(0)
        meant = slips.get(word.lower()) if not any(c.isupper() for c in word[1:]) else None
        return word if meant is None else meant

    return _WORD.sub(corrected, text)
