"""A term the question asks about that none of the passages sent names.

"Will TTS reimburse a coworking space membership?", "which yubikey models work as the second factor" and "skua
scratch inode limit per user" retrieve passages near their topic (purchases, logins, scratch quotas) that score as
well as an answer's. What tells them apart is the term they ask about: a word of the asking clause that is not
common English and that no passage sent holds in any form. Keyword search ranks a passage holding so rare a word
high, so passages without it are not about it, and the documents the asker can read say nothing of it that search
could find.

"Common English" is wordfreq's list of English words by frequency (its `large` list, drawn from subtitles, books,
news, Wikipedia, web text and more): the words used at least once in a million (3 on wordfreq's Zipf scale, some
28,000 words). A casual word the passages lack is the asker's own ("my coworker", "reimburse", "leftover leave", all
among them) and is no reason to refuse; "sabbatical", "coworking", "onboarding", "kubernetes", "inode" and
"yubikey" are rarer. The line was drawn at 2.5 (the 50,000 most frequent words) until the eighteenth session; at 3
it catches one more unanswerable question of the five sets read and refuses no answerable one of eight
(docs/answer-quality.md). A word is not a term either when it is:
- shorter than MIN_LETTERS (a slip of a short word, "whst" or "tehy", cannot be told from a term), or written in
  capitals only ("SAML", "HPA"): an acronym is as often spelt out in the documents;
- shorthand (retrieval.shorthand) or one slip from it ("prrod"), or a function word;
- an inflection of a common word ("coworkers"), or one slip away from one of the SLIP_WORDS most frequent
  ("recieve", "goverment");
- a given name or surname (inspection.gazetteer), or the word after a given name ("Dana Whitfield"): a question
  about a person's team may be answered by a rule;
- held by a passage in some form (`_held`): as it is, by its stem, in American spelling ("anonymisation"), joined
  from a hyphenated or two-word spelling ("co-working", "dress code"), as the start of a longer word ("crypto" in
  "cryptocurrency"), starting with a passage word's stem ("accrual", "accrue"), or one slip from a long passage word.

Only the clauses that ask are read ("looks like a crypto miner. what's the command…" asks for a command).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Callable, Iterable

from rapidfuzz.distance import OSA

from retrieval.shorthand import SHORTHAND, expansion
from retrieval.terms import function_word, stem
from routing.backends.asked_details import asking_clauses

# Common English: used at least once in a million words (3 on wordfreq's Zipf scale), 600 centibels below 1.
COMMON_FREQUENCY = 1e-6
COMMON_STEPS = round(-100 * math.log10(COMMON_FREQUENCY))
SLIP_WORDS = 20_000
MIN_LETTERS = 5
_WORD = re.compile(r"(?<![\w@./-])[A-Za-z]+(?![\w@-]|[./]\w)")
_PASSAGE_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")


@functools.cache
def common_english() -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """The common English words, and the SLIP_WORDS most frequent of them by first letter (for slips). Read once
    per process (about 0.3 s and some 20 MB, the package's own modules included), by a web worker's warm-up
    (config/gunicorn_conf.py) before its first question. Not inspection.gazetteer.common_words, the embedding
    model's 20,000 words: it lacks "coworker", "reimburse" and "wifi"."""
    import wordfreq

    # The list groups words by frequency in steps of a centibel, most frequent first: step i holds the words used
    # 10^(-i/100) of the time, so common English is the first COMMON_STEPS + 1 steps.
    steps = wordfreq.get_frequency_list("en", wordlist="large")
    common = frozenset(w for step in steps[: COMMON_STEPS + 1] for w in step if w.isalpha())
    ranked = list(itertools.islice((w for step in steps for w in step if w.isalpha()), SLIP_WORDS))
    # wordfreq keeps the whole list (some 15 MB) in its cache; only these words are needed from now on.
    wordfreq.get_frequency_list.cache_clear()
    by_first: dict[str, list[str]] = {}
    for word in ranked:
        by_first.setdefault(word[0], []).append(word)
    return common, {k: tuple(v) for k, v in by_first.items()}


def _inflected_from(word: str) -> set[str]:
    """The words `word` may be an inflection of ("yubikeys", "coworking", "rotated", "stopped"): the word less an
    ending of the plural, the past or the -ing form, with a final "e" restored or a doubled consonant undone."""
    bases = {word}
    for ending in ("s", "es", "ed", "ing"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            base = word[: -len(ending)]
            bases |= {base, base + "e"}
            if len(base) > 2 and base[-1] == base[-2]:
                bases.add(base[:-1])
    return bases


def _slip(word: str, candidates: Iterable[str]) -> bool:
    return any(abs(len(w) - len(word)) <= 1 and OSA.distance(word, w, score_cutoff=1) <= 1 for w in candidates)


def is_common(word: str) -> bool:
    """Whether `word` (lower case) is common English or an inflection of such a word, or one slip from one of the
    SLIP_WORDS most frequent ("recieve"; "inode" is a slip of the surname "inoue", further down the list).
    Inflections, not stems: "coworking" shares its Snowball stem with the common "coworker" and is not one."""
    words, by_first = common_english()
    return bool(_inflected_from(word) & words) or _slip(word, by_first.get(word[0], ()))


# British spellings written the American way, so that "anonymisation" meets "anonymized" and "oesophageal"
# "esophageal".
_AMERICAN = ((re.compile(r"is(ation|e|ed|es|ing)$"), r"iz\1"), (re.compile(r"our"), "or"), (re.compile(r"^oe|ae"), "e"))


def _american(word: str) -> str:
    for pattern, replacement in _AMERICAN:
        word = pattern.sub(replacement, word)
    return word


def _passage_words(texts: Iterable[str]) -> set[str]:
    """The passages' words, lower case, each also in American spelling, hyphenated words also joined and split,
    and each two neighbouring words joined ("dress code" is "dresscode", "Power BI" "powerbi")."""
    words: set[str] = set()
    for text in texts:
        found = _PASSAGE_WORD.findall(text.lower())
        for word in found:
            words.add(word.replace("-", ""))
            words.update(word.split("-"))
        words.update(a.replace("-", "") + b.replace("-", "") for a, b in zip(found, found[1:], strict=False))
    return words | {_american(w) for w in words}


def _held(word: str, held: set[str], held_stems: set[str]) -> bool:
    """Whether the passages hold `word` (lower case) in some form: as it is or in American spelling, by its stem,
    as the start of a longer word ("crypto" of "cryptocurrency"), starting with a passage word's stem of
    MIN_LETTERS or more ("accrual" with "accrue", "postdocs" with "postdoctoral"), or one slip from a passage word
    of six letters or more ("kuberentes")."""
    for form in {word, _american(word)}:
        root = stem(form)
        if form in held or root in held_stems or any(w.startswith(form) for w in held):
            return True
        if len(root) >= MIN_LETTERS and any(w.startswith(root) for w in held):
            return True
        if any(form.startswith(s) for s in held_stems if len(s) >= MIN_LETTERS):
            return True
    return len(word) >= 6 and _slip(word, (w for w in held if w[:1] == word[:1] and len(w) >= 6))


def _after(words: list[str]) -> Iterable[tuple[str, str]]:
    """Each word with the word before it ("" for the first)."""
    return zip(["", *words], words, strict=False)


def _person(before: str, word: str, is_name: Callable[[str], bool]) -> bool:
    """Whether a capitalised `word` is a person's name: a given name or surname the lists know, or the word after a
    capitalised given name they know ("Dana Whitfield": few surnames are common enough to be listed), unless that
    name is a function word too ("Will Datasite hold it?")."""
    if not word[0].isupper():
        return False
    after_a_name = bool(before) and before[0].isupper() and is_name(before) and not function_word(before.lower())
    return is_name(word) or after_a_name


def absent_term(question: str, texts: Iterable[str], *, is_name: Callable[[str], bool]) -> str | None:
    """The first word of `question`'s asking clauses, as written there, that is a term none of `texts` (the
    passages sent) holds, as the module says; None when there is none. `is_name` tells a person's given name or
    surname."""
    candidates = [
        word
        for clause in asking_clauses(question)
        for before, word in _after(_WORD.findall(clause))
        if len(word) >= MIN_LETTERS
        and not word.isupper()
        and not function_word(low := word.lower())
        and not expansion(low)
        and not _slip(low, SHORTHAND)
        and not is_common(low)
        and not _person(before, word, is_name)
    ]
    if not candidates:
        return None
    held = _passage_words(texts)
    held_stems = {stem(w) for w in held}
    for word in candidates:
        if not _held(word.lower(), held, held_stems):
            return word
    return None
