"""A numbered thing the question names that the passages sent do not name, though they name others of its kind.

"What's the seal temperature on Line 2?" retrieves the page that gives Line 3's; "the blowdown time at Plant 2"
the page of Plant 1; "how many SEV1 incidents…" a page of SEV2 rules. The passages are on the topic and state a
detail of the kind asked, so the evidence says they answer, and the answer would quote another line's figure. When
the passages name the same kind of thing with other numbers ("Line 1", "Lines 3-5", "Plant 1") and never with the
question's, they are about the others: the answer says so instead (like a year no passage names: asked_details).

A numbered thing is a word and a number written as a name ("Line 2", "plant 2", "Gate B12", "Ward 7A", "Stand
14") or letters and digits run together ("SEV1", "P2", "T2"). In the passages the word must be capitalised
("Line 3", not "within 3 days"), so that quantities are not read as names. Not read as names: a word that only
measures or places a number (function words, "within", "every", "per", "about", months, weekdays), the codes
whose numbers go by class ("HTTP 503" is answered by a page on 502s), ports, phone extensions, versions, and
years (asked_details.year_missing reads those). Passages that name the word with no number, or name none of its
kind, may state a rule for all of them ("on every line…"), and are left to answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from retrieval.terms import STOPWORDS

_NOT_NAMES = STOPWORDS | frozenset(
    re.findall(
        r"\w+",
        """within over under about after before every each per around approximately nearly almost least most only than
    between from until till since via first last next past top level age aged
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
    http https status error code codes port ports ext extension extensions tel phone fax mobile version versions
    v rev revision release python java node ipv tls ssl sha aes rsa utf iso rfc pci""",
    )
)
# A word and its number: "Line 2", "Lines 3-5", "Gate B12", "Ward 7A", "Plant 1 and 2".
_NUMBER = r"[A-Za-z]?\d{1,4}[A-Za-z]?"
_LIST = rf"{_NUMBER}(?:\s*(?:,|/|&|\band\b|\bor\b|\bto\b|\bthrough\b|-|–)\s*{_NUMBER})*"
_SPACED = re.compile(rf"\b([A-Za-z][a-z]{{1,19}}|[A-Z]{{2,6}})s?\s?(?:#|No\.?\s?)?({_LIST})\b")
# Letters and digits run together: "SEV1", "P2", "DC3".
_JOINED = re.compile(r"\b([A-Z]{1,5})-?(\d{1,3})\b")
_YEAR = re.compile(r"^(?:199\d|20[0-3]\d)$")
_RANGE = re.compile(r"(\d+)\s*(?:-|–|\bto\b|\bthrough\b)\s*(\d+)")


def _numbers(listed: str) -> set[str]:
    """The numbers a list names, a range's in full ("3-5" is 3, 4 and 5), lower-cased."""
    found = {n.lower() for n in re.findall(_NUMBER, listed)}
    for start, end in _RANGE.findall(listed):
        if int(start) < int(end) <= int(start) + 50:
            found |= {str(n) for n in range(int(start), int(end) + 1)}
    return found


def _names(text: str, *, capitalised: bool) -> dict[str, tuple[set[str], str]]:
    """The numbered things of `text`: each word (lower case, without a plural s) with the numbers it is named by and
    the first name as written."""
    named: dict[str, tuple[set[str], str]] = {}
    for pattern in (_SPACED, _JOINED):
        for match in pattern.finditer(text):
            word, listed = match.group(1), match.group(2)
            low = word.lower()
            if low in _NOT_NAMES or (capitalised and not word[0].isupper()):
                continue
            numbers = {n for n in _numbers(listed) if not _YEAR.match(n)}
            if numbers:
                key = low.removesuffix("s") if len(low) > 3 else low
                named.setdefault(key, (set(), match.group(0).strip()))[0].update(numbers)
    return named


def numbered_missing(question: str, texts: Iterable[str]) -> str | None:
    """The numbered thing `question` names ("Line 2"), as written there, when the `texts` sent name others of its
    kind ("Line 3") and not it; else None."""
    asked = _names(question, capitalised=False)
    if not asked:
        return None
    named: dict[str, set[str]] = {}
    for text in texts:
        for word, (numbers, _) in _names(text, capitalised=True).items():
            named.setdefault(word, set()).update(numbers)
    for word, (numbers, written) in asked.items():
        others = named.get(word)
        if others and not numbers & others:
            return written
    return None
