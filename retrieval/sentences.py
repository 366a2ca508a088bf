"""A line of text cut into its sentences, as the extractive answer quotes them.

A full stop ends a sentence except where it ends an abbreviation: "Call the Service Desk at ext. 4357", "Check in
at 7:45 a.m. at the entrance", "use a manager, e.g. KeePassXC", "Dr. Osei approves it". A regular expression
that cut at every full stop before a capital or a digit quoted "call the Service Desk at ext." without the
number. pysbd (rule-based sentence boundary disambiguation, its English abbreviation list and rules for
numbers, initials and lists; pure Python, MIT) decides instead.
"""

from __future__ import annotations

import functools
import re
import threading

import pysbd

_ENDS = re.compile(r"[.!?][\"')\]”’]*\s+$")

# A Segmenter keeps the text it works on in itself: one per thread, as for the stemmer (retrieval/terms.py).
_segmenters = threading.local()


def _segmenter() -> pysbd.Segmenter:
    segmenter = getattr(_segmenters, "english", None)
    if segmenter is None:
        segmenter = _segmenters.english = pysbd.Segmenter(language="en", clean=False)
    return segmenter


# The same passages come back for many questions: their lines are cut once (pysbd takes some 0.1 ms a line).
@functools.lru_cache(maxsize=8192)
def split_sentences(line: str) -> tuple[str, ...]:
    """The sentences of `line`, each stripped, none empty."""
    if "." not in line and "!" not in line and "?" not in line:
        return (line.strip(),) if line.strip() else ()
    sentences: list[str] = []
    pending = ""
    for piece in _segmenter().segment(line):  # the pieces put together are the line (clean=False)
        pending += piece
        # A sentence ends at its final stop followed by a space: not inside an address ("…/login?next=/home").
        if _ENDS.search(piece):
            sentences.append(pending.strip())
            pending = ""
    if pending.strip():
        sentences.append(pending.strip())
    return tuple(s for s in sentences if s)
