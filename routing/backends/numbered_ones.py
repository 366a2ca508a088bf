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
# A word and its number: "Line 2", "Lines 3-5", "Gate B12", "Ward 7A", "Plant 1 and 2", "Conveyors #1–#4",
# "Phase II", "Line Two".
_SPELLED = re.findall(
    r"\w+",
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty",
)
# Roman numerals of two letters and more, in capitals ("Phase II"): a lone "I" or "V" is a word as often.
_ROMAN = re.findall(r"\w+", "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX")
_LONG_ROMAN = "|".join(r for r in reversed(_ROMAN) if len(r) > 1)
_NUMBER = rf"#?[A-Za-z]?\d{{1,4}}[A-Za-z]?|(?i:{'|'.join(_SPELLED)})\b|(?:{_LONG_ROMAN})\b"
_LIST = rf"(?:{_NUMBER})(?:\s*(?:,|/|&|\band\b|\bor\b|\bto\b|\bthrough\b|-|–)\s*(?:{_NUMBER}))*"
_SPACED = re.compile(rf"\b([A-Za-z][a-z]{{1,19}}|[A-Z]{{2,6}})s?\s?(?:No\.?\s?)?({_LIST})(?!\w)")
# Letters and digits run together: "SEV1", "P2", "DC3", and a range of them: "P1-P3", "SEV1–SEV3".
_JOINED = re.compile(r"\b([A-Z]{1,5})-?(\d{1,3}(?:\s*(?:-|–|to|through)\s*[A-Z]{0,5}-?\d{1,3})?)\b")
_YEAR = re.compile(r"^(?:199\d|20[0-3]\d)$")
_RANGE = re.compile(r"#?([A-Za-z]?)(\d+)\s*(?:-|–|\bto\b|\bthrough\b)\s*#?([A-Za-z]{0,5})-?(\d+)")
# A number that counts ("take 4 tablets", "allow 10 working days"), not one that names.
_COUNTED = re.compile(
    r"\s*(?:(?:working|business|calendar|school|clear|full|more|extra|additional|consecutive)\s+)?(?:days?|nights?|weeks?|months?|years?|hours?|hrs?|minutes?|mins?|seconds?|secs?|shifts?|times?"
    r"|tablets?|pills?|capsules?|doses?|people|persons?|staff|users?|items?|units?|pieces?|copies|pages?|percent"
    r"|kg|mg|ml|km|miles?|metres?|meters?|gb|tb|mb|euros?|dollars?|pounds?|usd|eur|gbp)\b",
    re.I,
)
# A number the passages name as a lower bound ("Android 12 or later", "Grade 6 and above", "Windows 10+"): it names
# the ones after it too.
_OR_LATER = re.compile(r"\s*(?:\+|(?:and|or)\s+(?:later|above|higher|newer|up|over)\b|onwards?\b)", re.I)
# Short forms a document writes for a word: "T2" for Terminal 2, "Bldg 3" for Building 3.
_SHORT = {"bldg": "building", "blding": "building", "rm": "room", "fl": "floor", "flr": "floor", "dept": "department"}


def _digits(number: str) -> str:
    low = number.lower().lstrip("#")
    if low in _SPELLED:
        return str(_SPELLED.index(low) + 1)
    if number in _ROMAN:
        return str(_ROMAN.index(number) + 1)
    return low


def _numbers(listed: str) -> set[str]:
    """The numbers a list names, a range's in full ("3-5" is 3, 4 and 5; "B10 to B12" B10, B11 and B12), lower-cased,
    in digits ("two" and "II" are 2)."""
    found = {_digits(n) for n in re.findall(_NUMBER, listed)}
    # The letters before the second number ("B12" of "B10 to B12", "SEV3" of "SEV1–SEV3") are the first's again.
    for prefix, start, _, end in _RANGE.findall(listed):
        if int(start) < int(end) <= int(start) + 50:
            found |= {f"{prefix.lower()}{n}" for n in range(int(start), int(end) + 1)}
    return found


def _names(text: str, *, capitalised: bool) -> dict[str, tuple[set[str], str, bool]]:
    """The numbered things of `text`: each word (lower case, without a plural s) with the numbers it is named by,
    the first name as written, and whether a number of it is named as a lower bound ("12 or later")."""
    named: dict[str, tuple[set[str], str, bool]] = {}
    for pattern in (_SPACED, _JOINED):
        for match in pattern.finditer(text):
            word, listed = match.group(1), match.group(2)
            low = word.lower()
            if low in _NOT_NAMES or (capitalised and not word[0].isupper()) or _COUNTED.match(text, match.end()):
                continue
            numbers = {n for n in _numbers(listed) if not _YEAR.match(n)}
            if numbers:
                low = _SHORT.get(low, low)
                key = low.removesuffix("s") if len(low) > 3 else low
                found, written, bound = named.get(key, (set(), match.group(0).strip(), False))
                named[key] = (found | numbers, written, bound or bool(_OR_LATER.match(text, match.end())))
    return named


def numbered_missing(question: str, texts: Iterable[str]) -> str | None:
    """The numbered thing `question` names ("Line 2"), as written there, when the `texts` sent name others of its
    kind ("Line 3") and not it; else None. A thing the passages also write by its initial ("T2" for Terminal 2)
    counts as named by that too; one whose number they give as a lower bound ("Android 12 or later") is left."""
    asked = _names(question, capitalised=False)
    if not asked:
        return None
    named: dict[str, tuple[set[str], bool]] = {}
    for text in texts:
        for word, (numbers, _, bound) in _names(text, capitalised=True).items():
            found, was_bound = named.get(word, (set(), False))
            named[word] = (found | numbers, was_bound or bound)
    for word, (numbers, written, _) in asked.items():
        others, bound = named.get(word, (set(), False))
        initial, _ = named.get(word[0], (set(), False))
        if others and not bound and not numbers & (others | initial):
            return written
    return None
