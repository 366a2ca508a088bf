"""Running a detector's regex only where a match can start, with the same matches as `finditer`.

Python's regex engine tries a pattern at every position of the text unless the pattern opens with a
literal or a plain character class. Most detectors open with a look-behind, a word boundary or an
alternation of case-insensitive words, so a 2 KB question costs each of them some 2,000 attempts.
`finditer_at` tries only the positions a cheap scan found (`starts`), which must include every position
where the pattern can match: the matches are then exactly those of `pattern.finditer(text)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# Characters that IGNORECASE matches to an ASCII letter although their lower case is not that letter
# (or is longer than one character): dotted and dotless i, long s, Kelvin sign. Where one occurs,
# `folded` gives up and callers scan the text the slow way.
_FOLD_ODD = frozenset("\u0130\u0131\u017f\u212a")


def finditer_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, trying only `starts` (ascending, duplicates allowed).

    `starts` must hold every position where `pattern` can match, and `pattern` must never match the
    empty string. Like `finditer`, it goes on after the end of each match, and look-behinds and word
    boundaries see the text before each start.
    """
    pos = 0
    for start in starts:
        if start < pos:
            continue
        m = pattern.match(text, start)
        if m is not None:
            yield m
            pos = m.end()


def folded(text: str) -> str | None:
    """`text` lower-cased, character for character, for finding where a case-insensitive word can start;
    None when that would not be exact (a character IGNORECASE treats specially)."""
    if text.isascii():
        return text.lower()
    if not _FOLD_ODD.isdisjoint(text):
        return None
    lower = text.lower()
    return lower if len(lower) == len(text) else None


# The commonest letters of running text: where words open with one of them, a regex of the words would
# stop at most characters, and looking for each word in turn is quicker.
_COMMON_LETTERS = frozenset("etaoinshrdlc")


class Words:
    """Finds where any of some words occurs in a text, overlaps included.

    With `ignore_case` the words must be lower case and are looked for in `folded(text)`. Words that open
    with rare characters (capitals, punctuation) are found by one regex of them all, which the regex
    engine skips through to those characters; the others one by one with `str.find`. Both find the same.
    """

    def __init__(self, *words: str, ignore_case: bool = False) -> None:
        self.words = words
        self.ignore_case = ignore_case
        common = any(w[0] in _COMMON_LETTERS for w in words)
        self._regex = None if common else re.compile("|".join(map(re.escape, words)))

    def positions(self, text: str) -> list[int] | None:
        """Every position where one of the words starts, ascending; None when case folding is not exact
        for `text` (see `folded`), so the caller must not rely on it."""
        haystack = folded(text) if self.ignore_case else text
        if haystack is None:
            return None
        if self._regex is not None:
            found = []
            m = self._regex.search(haystack)
            while m is not None:
                found.append(m.start())
                m = self._regex.search(haystack, m.start() + 1)
            return found
        at = set()
        for word in self.words:
            i = haystack.find(word)
            while i != -1:
                at.add(i)
                i = haystack.find(word, i + 1)
        return sorted(at)

    def occur_in(self, text: str) -> bool:
        """Whether one of the words occurs in `text` (True when case folding is not exact for it)."""
        haystack = folded(text) if self.ignore_case else text
        if haystack is None:
            return True
        if self._regex is not None:
            return self._regex.search(haystack) is not None
        return any(word in haystack for word in self.words)


def line_starts(text: str) -> list[int]:
    """Where the lines of `text` start (where `^` matches with re.MULTILINE)."""
    starts = [0]
    i = text.find("\n")
    while i != -1:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    return starts
