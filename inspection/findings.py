"""The value types of inspection, kept in their own module so detectors can import them without cycles."""

from __future__ import annotations

from dataclasses import dataclass

# Findings of a company's own patterns have kind `custom:<name>`.
CUSTOM_PREFIX = "custom:"
KINDS: tuple[str, ...] = (
    "email",
    "phone",
    "payment_card",
    "iban",
    "ssn",
    "ip_address",
    "person",
    "address",
    "secret",
)


@dataclass(frozen=True)
class Finding:
    """One piece of sensitive data in an inspected text.

    `kind` is one of `KINDS` or `custom:<name>`; `start`/`end` are character offsets (end exclusive);
    `confidence` is in 0..1; `detector` names the rule that found it, for explanations.
    """

    kind: str
    start: int
    end: int
    confidence: float
    detector: str


@dataclass(frozen=True)
class CustomPattern:
    """A regex a company declares in its policy (customer ids, ticket ids, project code names).

    Its findings have kind `custom:<name>`; a question carrying one is of `data_class` (an integer of
    accounts.clearance.Classification, which this package cannot import; confidential unless the
    policy says otherwise).
    """

    name: str
    pattern: str
    data_class: int = 2

    @property
    def kind(self) -> str:
        return CUSTOM_PREFIX + self.name
