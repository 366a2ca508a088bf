"""Findings of texts this process inspected lately, so that the same text is not inspected twice: a conversation
sent again with one more turn (every gateway request carries the whole conversation) is inspected for its new
texts only, and the egress guard reads a prompt's texts once, not again in the exact bytes of the request that
carries them (nor the system prompt, the same in every request, more than once).

Keyed by the SHA-256 of the text, the custom patterns and the inspector's version: the texts themselves are
not kept, and findings hold kinds and offsets, never values. Per process, bounded (least recently used out).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

from inspection import CustomPattern, Finding, inspect_question
from inspection.stored import inspector_version

# About a thousand conversations of a few turns each; an entry is a digest and a few findings.
MAX_ENTRIES = 8192

Inspect = Callable[[str, Sequence[CustomPattern]], list[Finding]]
_every: list[SeenTexts] = []  # for forget()


class SeenTexts:
    """One way of inspecting texts (`inspect`), remembered per text digest, patterns and inspector version."""

    def __init__(self, inspect: Inspect, *, max_entries: int = MAX_ENTRIES) -> None:
        self.inspect = inspect
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._seen: OrderedDict[tuple[bytes, tuple[CustomPattern, ...], str], tuple[Finding, ...]] = OrderedDict()
        _every.append(self)

    def findings(self, texts: Iterable[str], *, custom: Sequence[CustomPattern]) -> dict[str, list[Finding]]:
        """Each distinct text's findings, from memory where this process inspected the text under the same
        patterns and inspector, else inspected now and remembered."""
        version, patterns = inspector_version(), tuple(custom)
        found: dict[str, list[Finding]] = {}
        for text in texts:
            if text in found:
                continue
            key = (hashlib.sha256(text.encode()).digest(), patterns, version)
            with self._lock:
                cached = self._seen.get(key)
                if cached is not None:
                    self._seen.move_to_end(key)
            if cached is None:
                cached = tuple(self.inspect(text, patterns))
                with self._lock:
                    self._seen[key] = cached
                    while len(self._seen) > self.max_entries:
                        self._seen.popitem(last=False)
            found[text] = list(cached)
        return found

    def forget(self) -> None:
        """Empty the memory (tests; a benchmark measuring texts seen for the first time)."""
        with self._lock:
            self._seen.clear()

    def __len__(self) -> int:
        return len(self._seen)


# The gateway's: texts of conversations, read in question mode (inspection.inspect_question).
QUESTIONS = SeenTexts(lambda text, custom: inspect_question(text, custom=custom))


def inspect_texts(texts: Iterable[str], *, custom: Sequence[CustomPattern]) -> dict[str, list[Finding]]:
    """Each distinct text's findings in question mode (inspection.inspect_question), from the cache where this
    process saw the text under the same patterns and inspector, else inspected now and remembered."""
    return QUESTIONS.findings(texts, custom=custom)


def forget() -> None:
    """Empty every memory, the egress guard's (routing.egress.OUTBOUND) too (tests; a benchmark measuring texts
    seen for the first time)."""
    for seen in _every:
        seen.forget()
