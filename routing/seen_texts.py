"""Findings of texts this process inspected lately, so that a conversation sent again with one more turn
(every gateway request carries the whole conversation) is inspected for its new texts only.

Keyed by the SHA-256 of the text, the custom patterns and the inspector's version: the texts themselves are
not kept, and findings hold kinds and offsets, never values. Per process, bounded (least recently used out).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from inspection import CustomPattern, Finding, inspect_question
from inspection.stored import inspector_version

# About a thousand conversations of a few turns each; an entry is a digest and a few findings.
MAX_ENTRIES = 8192

_lock = threading.Lock()
_seen: OrderedDict[tuple[bytes, tuple[CustomPattern, ...], str], tuple[Finding, ...]] = OrderedDict()


def inspect_texts(texts: Iterable[str], *, custom: Sequence[CustomPattern]) -> dict[str, list[Finding]]:
    """Each distinct text's findings in question mode (inspection.inspect_question), from the cache where this
    process saw the text under the same patterns and inspector, else inspected now and remembered."""
    version, patterns = inspector_version(), tuple(custom)
    found: dict[str, list[Finding]] = {}
    for text in texts:
        if text in found:
            continue
        key = (hashlib.sha256(text.encode()).digest(), patterns, version)
        with _lock:
            cached = _seen.get(key)
            if cached is not None:
                _seen.move_to_end(key)
        if cached is None:
            cached = tuple(inspect_question(text, custom=patterns))
            with _lock:
                _seen[key] = cached
                while len(_seen) > MAX_ENTRIES:
                    _seen.popitem(last=False)
        found[text] = list(cached)
    return found


def forget() -> None:
    """Empty the cache (tests; a benchmark measuring texts seen for the first time)."""
    with _lock:
        _seen.clear()
