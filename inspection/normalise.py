"""Text as the detectors read it: the same characters a person sees, in one spelling.

People (and people dodging a filter) write identifiers with characters the detectors' patterns do not
expect: full-width digits and `＠`, Arabic-Indic or other decimal digits, non-breaking and thin spaces,
Unicode dashes, zero-width characters inside a number or an address, Cyrillic or Greek letters that
look Latin. `normalise` folds each character (Unicode NFKC, then decimal digits to ASCII, dashes to
`-`, look-alike letters to Latin) and drops invisible ones, keeping for every character of the result
the position it came from, so a finding in the normalised text maps back to exactly the characters the
user wrote, invisible ones inside it included. Pure: no Django.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# Letters of other scripts that are drawn like Latin ones (Unicode's confusables, the common part).
_LOOK_ALIKES = str.maketrans(
    "АВЕЅІЈКМНОРСТХУаеіјоросхуѕԁһӏԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧονϲ",
    "ABESIJKMHOPCTXYaeijopocxysdhlqwABEZHIKMNOPTYXovc",
)
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
# Full stops of other scripts that separate the parts of an address or a number as "." does.
_DOTS = frozenset("\u3002\uff61\u2024")
# Invisible but not format characters (Cf, dropped by category): the combining grapheme joiner, the
# variation selectors, the Hangul fillers and the Braille blank.
_INVISIBLE = frozenset("\u034f\u115f\u1160\u3164\uffa0\u2800") | frozenset(map(chr, range(0xFE00, 0xFE10)))


LOOK_ALIKE_LETTERS = frozenset(chr(c) for c in _LOOK_ALIKES)
# A run of letters (the module's notion of a word).
_LETTERS = re.compile(r"[^\W\d_]+")


@functools.lru_cache(maxsize=4096)
def fold(ch: str, *, look_alikes: bool = True) -> str:
    """One character as the detectors read it ("" for an invisible one); `look_alikes`: a letter drawn like a
    Latin one is read as that Latin letter."""
    if ch in _INVISIBLE or unicodedata.category(ch) == "Cf":
        return ""
    if ch in _DASHES:
        return "-"
    if ch in _DOTS:
        return "."
    decimal = unicodedata.decimal(ch, None)
    if decimal is not None:
        return str(decimal)
    folded = unicodedata.normalize("NFKC", ch)
    return folded.translate(_LOOK_ALIKES) if look_alikes else folded


@dataclass(frozen=True)
class Normalised:
    """`text` as the detectors read it; `origin[i]` is the index in the original of its character i
    (None when the two are the same)."""

    text: str
    origin: tuple[int, ...] | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that normalised [start, end) came from (end exclusive)."""
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1


def normalise(text: str) -> Normalised:
    """`text` folded character by character (see the module's docstring); ASCII text is returned as it is."""
    if text.isascii():
        return Normalised(text)
    pieces: list[str] = []
    origin: list[int] = []
    native = _native_words(text)
    for i, ch in enumerate(text):
        folded = fold(ch, look_alikes=i not in native) if ord(ch) > 127 else ch
        if folded:
            pieces.append(folded)
            origin.extend([i] * len(folded))
    normalised = "".join(pieces)
    if normalised == text:
        return Normalised(text)
    return Normalised(normalised, tuple(origin))


def _native_words(text: str) -> set[int]:
    """Positions of the letters of words written in another script than Latin, whose look-alike letters are
    left as they are: a word with no Latin letter and at least one letter drawn like no Latin one ("Омелян",
    "Σταύρος") is that script's word, and a name read as such; a Latin word with a Cyrillic "о" in it, or a
    word made only of look-alikes ("АКІА"), is read in Latin, as a filter-dodger would have it read."""
    positions: set[int] = set()
    for m in _LETTERS.finditer(text):
        word = m.group()
        if word.isascii() or any(c.isascii() for c in word):
            continue
        if any(c not in LOOK_ALIKE_LETTERS for c in word):
            positions.update(range(m.start(), m.end()))
    return positions
