"""The content words of a text, as question and passages are compared word by word.

A question's content words are what it is about: its words less the function words ("how", "the", "I'm"), each
shorthand word read as what it stands for ("prod db" is "production database"), each reduced to its Snowball stem
("rotation" and "rotate" meet), and an HTTP status code read as its class too ("502" is a "5xx"). The extractive
answer scores sentences by them, the gate orders a passage's neighbours by them, and the spelling correction of
search tells a real word in another form ("tokens") from a slip by the stem.
"""

from __future__ import annotations

import functools
import re
import threading

import snowballstemmer

from retrieval.shorthand import expansion

STOPWORDS = frozenset(
    re.findall(
        r"[\w']+",
        """a an and are as at be by can do does did for from has have had how i if in is it its may me my of on or our
    should so than that the their them then there these they this to up us was we what when where which who why will
    with would you your into about after before over under not no yes any all each also must just got get getting
    im i'm i've ive am been being some much many need know want like please tell thing things one hi hey ok okay
    lot lots really because now going very still actually currently anyone someone something
    whats hows wheres whos thats theres dont doesnt didnt cant wont isnt arent wasnt youre theyre""",
    )
)
ANY_CASE_WORD = re.compile(r"[A-Za-z0-9]+(?:['-][A-Za-z0-9]+)*")

# A Snowball stemmer keeps the word it works on in itself: one shared by a worker's threads returned
# other threads' stems and raised IndexError (a 500 under load). One per thread.
_stemmers = threading.local()


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    # Snowball's English stemmer: "changes"/"changing"/"change" and "rotation"/"rotate" meet.
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


# A contraction of a function word ("I'm", "what's", "that'll", "don't") is a function word.
_CONTRACTION = re.compile(r"(?:'(?:s|m|d|ll|re|ve)|n't)$")
# The adverb of "how often", "how long", "how soon" asks the question; it is not what the question is about.
_HOW_ADVERB = re.compile(r"\bhow\s+(?:often|long|soon|early|late|quickly|fast|far|old)\b", re.I)


def function_word(word: str) -> bool:
    return word in STOPWORDS or _CONTRACTION.sub("", word) in STOPWORDS


# An HTTP status code stands for its class too: "coming back 5xx" is about the passage's "HTTP 502".
_STATUS_CODE = re.compile(r"[1-5]\d\d")


def content_terms(text: str) -> set[str]:
    text = _HOW_ADVERB.sub("how", text.replace("’", "'"))
    # Shorthand is read as what it stands for, on both sides: "prod db" meets "production database".
    words = [w for word in ANY_CASE_WORD.findall(text) for w in _spelled(word) if len(w) > 1 and not function_word(w)]
    return {stem(w) for w in words} | {w[0] + "xx" for w in words if _STATUS_CODE.fullmatch(w)}


def _spelled(word: str) -> list[str]:
    """The lower-cased word, or the words a shorthand word typed in lower case stands for ("Max" is a name)."""
    full = expansion(word) if word.islower() else None
    return [word.lower()] if full is None else full.split()
