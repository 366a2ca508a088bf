"""A follow-up question made standalone for retrieval: "and who approves that?" searched as itself finds
whatever mentions approving; searched with what it refers to, it finds the document of the turn before.

On-prem and deterministic, with no model: when the question leans on the turn before (it refers back with
a pronoun such as "that" or "it", opens with "and", "but" …, has at most two words of its own, or opens
with "what about" without naming a new topic), the previous question's key words and the titles of the
documents the previous answer cited are added to the query. A question that stands on its own is searched
as typed. docs/conversations.md has the measurement (tests/retrieval/test_follow_up_queries.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[\w'’-]+")
# Words that point back at something said before.
REFERRING = frozenset(
    re.findall(
        r"\S+",
        """it its it's itself that those these this they them their theirs there he she him her his one ones same
        such former latter above""",
    )
)
# Openers that continue the turn before ("and for staging?") and those that may also turn to a new topic
# ("what about parental leave?" after a question on expenses; but "what about contractors?" narrows it).
CONTINUING = ("and", "but", "also", "so", "then", "or", "plus", "what if", "in that case")
PIVOTING = ("what about", "how about")
# Words that carry no topic: question words, auxiliaries, pronouns, fillers.
_FUNCTION_WORDS = frozenset(
    re.findall(
        r"\S+",
        """a an and are as at be been being by can could do does did done for from has have had how i if in into is
    it its may me might my of on or our ours shall should so than that the their them then there these they this
    those to
    up us was we were what when where which who whom whose why will with would you your yours about after before
    over under not no yes any all each also must just get gets got getting am some much many need needs know want
    like please tell thing things one ones hi hey ok okay what's who's how's else more most other than too very""",
    )
)
# At most this many words of its own, and a question leans on the turn before.
SHORT_QUESTION_WORDS = 2
# What is carried over: enough to name the topic, not so much that it drowns the follow-up's own words.
CARRIED_WORDS = 8
CARRIED_TITLES = 2


@dataclass(frozen=True)
class PreviousTurn:
    """What a follow-up may refer to: the conversation's previous question (as typed, never leaving the
    building: it is only searched with) and the passages and document titles its answer cited."""

    question: str
    cited_chunk_ids: tuple[int, ...] = ()
    cited_titles: tuple[str, ...] = ()


def _words(text: str) -> list[str]:
    return [w.strip("'’-") for w in _WORD.findall(text.lower())]


def key_words(text: str) -> list[str]:
    """The words of `text` that name its topic, in order, each once."""
    return list(dict.fromkeys(w for w in _words(text) if w and w not in _FUNCTION_WORDS and not w.isdigit()))


def refers_back(question: str, previous: PreviousTurn | None = None) -> bool:
    """Whether `question` leans on the turn before: a referring word, a continuing opener, hardly any words
    of its own; or a pivoting opener unless two or more of its words are all new to `previous`."""
    words = _words(question)
    if not words:
        return False
    opening = " ".join(words[:3])
    if any(w in REFERRING for w in words) or _opens(opening, CONTINUING):
        return True
    own = key_words(question)
    if not _opens(opening, PIVOTING):
        return len(own) <= SHORT_QUESTION_WORDS
    if previous is None or len(own) < 2:
        return True
    before = set(key_words(" ".join([previous.question, *previous.cited_titles])))
    return any(w in before for w in own)


def _opens(opening: str, openers: tuple[str, ...]) -> bool:
    return any(opening == o or opening.startswith(o + " ") for o in openers)


def standalone_query(question: str, previous: PreviousTurn | None) -> str:
    """The query retrieval searches for `question`: the question itself, plus, when it refers back, the key
    words of the previous question it lacks and the titles of the documents the previous answer cited."""
    if previous is None or not refers_back(question, previous):
        return question
    own = set(key_words(question))
    carried = [w for w in key_words(previous.question) if w not in own][:CARRIED_WORDS]
    titles = list(dict.fromkeys(t for t in previous.cited_titles if t))[:CARRIED_TITLES]
    if not carried and not titles:
        return question
    return " ".join([question, *carried, *titles])
