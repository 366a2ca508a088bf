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


@functools.lru_cache(maxsize=4096)
def fold(ch: str) -> str:
    """One character as the detectors read it ("" for an invisible one)."""
    if ch in _INVISIBLE or unicodedata.category(ch) == "Cf":
        return ""
    if ch in _DASHES:
        return "-"
    if ch in _DOTS:
        return "."
    decimal = unicodedata.decimal(ch, None)
    if decimal is not None:
        return str(decimal)
    return unicodedata.normalize("NFKC", ch).translate(_LOOK_ALIKES)


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
    for i, ch in enumerate(text):
        folded = fold(ch) if ord(ch) > 127 else ch
        if folded:
            pieces.append(folded)
            origin.extend([i] * len(folded))
    normalised = "".join(pieces)
    if normalised == text:
        return Normalised(text)
    return Normalised(normalised, tuple(origin))
