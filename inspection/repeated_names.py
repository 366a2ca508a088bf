"""A name found once is the same name wherever else the text writes it.

"Dana Cho called about the refund … Cho says the card was charged twice": the detectors find "Dana Cho" from
the given name and the model, but the lone "Cho" later has nothing around it that says it is a name, and
redacting the full name while leaving the surname in the clear is a leak. So each word of a person found in a
text is looked for again in the same text, as a whole word written the same way, and every other occurrence
outside a finding is a person too.

Only full names are read this way (two words or more: "Dana Cho", not a lone "Apollo", which may be a false
alarm that would then be repeated), and only their words that the name lists hold (`gazetteer.name_lists`,
the given names and surnames of Faker's locales): a product in a two-word finding ("Citrix Workspace") is not
sought again. A word that is also an everyday word ("Will", "Grant", "Cho", "Ortiz": the embedding model's
vocabulary holds many surnames) is not sought when the text also writes it in lower case ("will", "grant"),
and is not taken after an article or a possessive ("the Council"). On the 18F handbook read as documents this
adds 14 person findings to the 461 found before, most of them false ("Rails", "Council"); on the generated
sets it adds 1 to 2 points of person recall (docs/inspection.md).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from inspection.findings import Finding
from inspection.gazetteer import common_words, name_lists

DETECTOR = "name_repeated"
CONFIDENCE = 0.6
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# An article or a possessive before an everyday word makes it a thing, not a person ("the Council", "our Metro").
_ARTICLE_BEFORE = re.compile(
    r"(?<![\w'’-])(?:the|a|an|this|that|these|those|our|your|their|its|his|her|my)[ \t]+$", re.I
)


def repeated_names(text: str, findings: Sequence[Finding]) -> list[Finding]:
    """Person findings for the other occurrences, outside every finding, of the words of the people found."""
    return name_occurrences(text, name_words(text, findings), findings)


def name_words(text: str, findings: Sequence[Finding]) -> set[str]:
    """The words of the full names found in `text` worth seeking elsewhere: capitalised, three letters or more,
    held by the name lists."""
    names = name_lists()
    return {
        w
        for f in findings
        if f.kind == "person" and len(found_words := _WORD.findall(text[f.start : f.end])) >= 2
        for w in found_words
        if len(w) >= 3 and w[0].isupper() and not w.isupper() and names.is_name(w)
    }


def name_occurrences(text: str, words: set[str], findings: Sequence[Finding]) -> list[Finding]:
    """Person findings for the occurrences of `words` in `text` outside its `findings` (which do not overlap,
    as resolve_overlaps leaves them: whether a match falls inside one is a binary search). All the words are
    matched in one pass, so a long contact list costs one scan of the text."""
    if not words:
        return []
    common = common_words()
    # An everyday word the text itself uses as a word ("will", "grant") is not sought.
    in_lower_case = {w for w in _WORD.findall(text) if w.islower()}
    everyday = {w for w in words if w.casefold() in common}
    sought = words - {w for w in everyday if w.lower() in in_lower_case}
    if not sought:
        return []
    taken = sorted((f.start, f.end) for f in findings)
    starts = [start for start, _ in taken]
    alternatives = "|".join(re.escape(w) for w in sorted(sought, key=len, reverse=True))
    found: list[Finding] = []
    for m in re.finditer(rf"(?<![\w'’-])(?:{alternatives})(?![\w-])", text):
        i = bisect_right(starts, m.start()) - 1  # the last finding starting at or before the match
        inside = (i >= 0 and taken[i][1] > m.start()) or (i + 1 < len(taken) and taken[i + 1][0] < m.end())
        if inside:
            continue
        if m.group() in everyday and _ARTICLE_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue
        found.append(Finding("person", m.start(), m.end(), CONFIDENCE, DETECTOR))
    return found
