"""Reversible redaction: sensitive spans become placeholders such as [EMAIL_1], restored locally.

Pure: no Django, no I/O. The Vault lives only in the memory of one request; it
refuses to be pickled or copied and its repr shows counts, never values.
Secrets get [SECRET_n] placeholders whose values are never stored, so no
restore can bring them back.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol

SECRET = "secret"

# A placeholder: [KIND_n], KIND in capitals, digits and underscores.
PLACEHOLDER = re.compile(r"\[([A-Z][A-Z0-9_]*)_([1-9][0-9]*)\]")


class Span(Protocol):
    """What redaction needs of a finding (inspection.Finding has these)."""

    @property
    def kind(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


def placeholder_label(kind: str) -> str:
    """The capitalised label of a finding kind: custom:customer-id -> CUSTOM_CUSTOMER_ID."""
    label = re.sub(r"[^A-Z0-9]+", "_", kind.upper()).strip("_")
    return label if label and label[0].isalpha() else f"K_{label}"


class Vault:
    """Placeholders of one request and the values they stand for, in memory only.

    The same (kind, value) gets the same placeholder each time. Secrets are
    numbered but never stored.
    """

    __slots__ = ("_by_placeholder", "_by_value", "_next", "_secrets")

    def __init__(self) -> None:
        self._by_placeholder: dict[str, tuple[str, str]] = {}
        self._by_value: dict[tuple[str, str], str] = {}
        self._next: Counter[str] = Counter()
        self._secrets = 0

    def placeholder_for(self, kind: str, value: str) -> str:
        """The placeholder standing for `value`; a new one the first time it is seen."""
        if kind == SECRET:
            self._secrets += 1
            return f"[SECRET_{self._secrets}]"
        key = (kind, value)
        if key not in self._by_value:
            label = placeholder_label(kind)
            self._next[label] += 1
            placeholder = f"[{label}_{self._next[label]}]"
            self._by_value[key] = placeholder
            self._by_placeholder[placeholder] = key
        return self._by_value[key]

    def value_of(self, placeholder: str) -> str | None:
        """The value behind `placeholder`, or None (unknown, or a secret)."""
        entry = self._by_placeholder.get(placeholder)
        return entry[1] if entry else None

    def restorable(self) -> Iterable[str]:
        """The placeholders that restore() can map back."""
        return self._by_placeholder.keys()

    def counts(self) -> dict[str, int]:
        """Distinct values held, by kind; secrets counted as withheld."""
        counts = Counter(kind for kind, _ in self._by_placeholder.values())
        if self._secrets:
            counts[SECRET] = self._secrets
        return dict(sorted(counts.items()))

    def __len__(self) -> int:
        return len(self._by_placeholder)

    # The one deliberate way out of memory: a request held for approval keeps its vault encrypted
    # (routing/sealing.py), never in clear. Secrets are not in it: they were never stored.
    def export_for_sealing(self) -> dict[str, tuple[str, str]]:
        """placeholder -> (kind, value), for routing.sealing.seal_vault only: never log, store or send it."""
        return dict(self._by_placeholder)

    @classmethod
    def from_sealed(cls, entries: dict[str, tuple[str, str]]) -> Vault:
        """A vault holding what export_for_sealing() gave (read back by routing.sealing.open_vault)."""
        vault = cls()
        for placeholder, (kind, value) in entries.items():
            vault._by_placeholder[placeholder] = (kind, value)
            vault._by_value[(kind, value)] = placeholder
        return vault

    def __repr__(self) -> str:
        held = ", ".join(f"{kind}={n}" for kind, n in self.counts().items())
        return f"<Vault {held or 'empty'}>"

    __str__ = __repr__

    # Never serialised: a vault written anywhere would be a copy of the PII it hides.
    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise TypeError("a redaction Vault cannot be pickled, copied or serialised")

    def __reduce__(self) -> NoReturn:
        raise TypeError("a redaction Vault cannot be pickled, copied or serialised")

    def __getstate__(self) -> NoReturn:
        raise TypeError("a redaction Vault cannot be pickled, copied or serialised")


@dataclass(frozen=True)
class Redaction:
    """The redacted text, and how many spans of each kind were replaced (never their values)."""

    text: str
    counts_by_kind: dict[str, int] = field(default_factory=dict)


@dataclass
class _Cluster:
    start: int
    end: int
    kind: str
    longest: int


def _clusters(findings: Sequence[Span], length: int) -> list[_Cluster]:
    """Overlapping findings merged, so no character of any finding survives.

    A merged span takes the kind of its longest finding, except that a secret
    anywhere in it makes the whole span a secret (never restorable).
    """
    clusters: list[_Cluster] = []
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        start, end = max(0, f.start), min(length, f.end)
        if end <= start:
            continue
        last = clusters[-1] if clusters else None
        if last and start < last.end:
            last.end = max(last.end, end)
            if last.kind != SECRET and (f.kind == SECRET or end - start > last.longest):
                last.kind = f.kind
            last.longest = max(last.longest, end - start)
        else:
            clusters.append(_Cluster(start, end, f.kind, end - start))
    return clusters


def redact(text: str, findings: Sequence[Span], vault: Vault) -> Redaction:
    """Replace each finding's span by its placeholder, recording the values in `vault`."""
    parts: list[str] = []
    counts: Counter[str] = Counter()
    position = 0
    for cluster in _clusters(findings, len(text)):
        parts.append(text[position : cluster.start])
        parts.append(vault.placeholder_for(cluster.kind, text[cluster.start : cluster.end]))
        counts[cluster.kind] += 1
        position = cluster.end
    parts.append(text[position:])
    return Redaction(text="".join(parts), counts_by_kind=dict(sorted(counts.items())))


def restore(text: str, vault: Vault) -> str:
    """Map the vault's placeholders in `text` back to their values; others are left as they are."""

    def value(match: re.Match[str]) -> str:
        restored = vault.value_of(match.group(0))
        return match.group(0) if restored is None else restored

    return PLACEHOLDER.sub(value, text)


class StreamRestorer:
    """restore() over a stream of text deltas, where a placeholder may be split across deltas.

    feed() returns what can be shown now; it holds back only a tail that is a
    proper prefix of one of the vault's placeholders (so never more than the
    longest placeholder). flush() returns the rest at the end of the stream.
    """

    __slots__ = ("_vault", "_pending")

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._pending = ""

    def feed(self, delta: str) -> str:
        text = self._pending + delta
        hold = self._held_from(text)
        self._pending = text[hold:]
        return restore(text[:hold], self._vault)

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return restore(text, self._vault)

    def _held_from(self, text: str) -> int:
        # A placeholder holds one "[", so no complete one can straddle the cut.
        placeholders = list(self._vault.restorable())
        window = max((len(p) for p in placeholders), default=0) - 1
        start = max(0, len(text) - window)
        i = text.find("[", start)
        while i != -1:
            tail = text[i:]
            if any(len(p) > len(tail) and p.startswith(tail) for p in placeholders):
                return i
            i = text.find("[", i + 1)
        return len(text)
