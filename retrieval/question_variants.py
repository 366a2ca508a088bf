"""Questions as people type them: seeded rewrites of an evaluation question (pure, no I/O).

Evaluation sets are written carefully; employees are not. Each kind rewrites a question the way a hurried
person would, so that `eval_answers --variant KIND` measures how much answers (retrieval included) lose
to it:

- `lower`: all lower case, the final question mark often left off;
- `typos`: about one word in five of four letters or more gets one slip (two letters swapped, one
  dropped, one doubled, or a neighbouring key struck instead);
- `abbrev`: the usual shorthand of chat and operations ("pls", "w/", "prod", "config", "info", "u");
- `chat`: typed like a chat message: "how do i …" phrasing where the question allows it, apostrophes
  and capitals dropped.

The same (kind, seed, question id) gives the same rewrite on every machine: the generator is seeded with a
hash of them, never with Python's per-process string hash.
"""

from __future__ import annotations

import hashlib
import random
import re

KINDS = ("lower", "typos", "abbrev", "chat")

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {
    ch: "".join(
        row[j]
        for row_index, row in enumerate(_KEYBOARD_ROWS)
        for j in range(len(row))
        if abs(row_index - r) <= 1
        if abs(j - c) <= 1 and row[j] != ch
    )
    for r, row_keys in enumerate(_KEYBOARD_ROWS)
    for c, ch in enumerate(row_keys)
}
_SHORTHAND = {
    "please": "pls",
    "you": "u",
    "your": "ur",
    "with": "w/",
    "without": "w/o",
    "information": "info",
    "because": "bc",
    "about": "abt",
    "people": "ppl",
    "production": "prod",
    "configuration": "config",
    "documentation": "docs",
    "environment": "env",
    "administrator": "admin",
    "application": "app",
    "applications": "apps",
    "authentication": "auth",
    "repository": "repo",
    "database": "db",
    "message": "msg",
    "maximum": "max",
    "minimum": "min",
    "approximately": "approx",
    "requirements": "reqs",
    "organization": "org",
    "government": "gov",
    "telephone": "phone",
    "tomorrow": "tmrw",
    "before": "b4",
    "something": "smth",
}
_WORD = re.compile(r"[A-Za-z]+")


def _rng(kind: str, seed: int, key: str) -> random.Random:
    digest = hashlib.sha256(f"{kind}\0{seed}\0{key}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _slip(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)  # never the first letter: people rarely slip there
    how = rng.choice(("swap", "drop", "double", "neighbour"))
    if how == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if how == "drop":
        return word[:i] + word[i + 1 :]
    if how == "double":
        return word[:i] + word[i] + word[i:]
    near = _NEIGHBOURS.get(word[i].lower())
    return word[:i] + rng.choice(near) + word[i + 1 :] if near else word[:i] + word[i + 1 :]


def _typos(question: str, rng: random.Random) -> str:
    def maybe(match: re.Match[str]) -> str:
        word = match.group(0)
        return _slip(word, rng) if len(word) >= 4 and rng.random() < 0.2 else word

    return _WORD.sub(maybe, question)


def _abbrev(question: str) -> str:
    def short(match: re.Match[str]) -> str:
        word = match.group(0)
        return _SHORTHAND.get(word.lower(), word)

    return _WORD.sub(short, question)


def _chat(question: str) -> str:
    text = question.strip()
    text = re.sub(r"^(?:how (?:can|should|would|could) i)\b", "how do i", text, flags=re.I)
    text = re.sub(r"^(?:what(?:'s| is) the (?:process|procedure) (?:for|to))\b", "how do i", text, flags=re.I)
    text = text.replace("'", "").replace("’", "")
    return text.lower().rstrip("?.! ")


def vary(question: str, kind: str, *, seed: int = 0, key: str = "") -> str:
    """`question` rewritten as `kind` (one of KINDS); `key` (the question's id) and `seed` pick the slips."""
    if kind not in KINDS:
        raise ValueError(f"unknown variant {kind!r}: use one of {', '.join(KINDS)}")
    rng = _rng(kind, seed, key or question)
    if kind == "lower":
        text = question.lower()
        return text.rstrip("?") if rng.random() < 0.5 else text
    if kind == "typos":
        return _typos(question, rng)
    if kind == "abbrev":
        return _abbrev(question)
    return _chat(question)
