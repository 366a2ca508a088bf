"""Inspection: find personal data, secrets and company-declared patterns in a text.

Pure: no Django, no I/O. `inspect_text` runs every detector and resolves overlaps, so the result can be
redacted span by span. Detectors live in `patterns` (structured PII), `secrets`, `names` (name and
address heuristics) and `ner` (optional spaCy model).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

import re2

from inspection import ner
from inspection.fields import find_labelled_fields
from inspection.findings import KINDS, CustomPattern, Finding
from inspection.names import find_addresses, find_people
from inspection.normalise import normalise
from inspection.patterns import (
    find_emails,
    find_ibans,
    find_ip_addresses,
    find_payment_cards,
    find_phones,
    find_ssns,
)
from inspection.repeated_names import repeated_names
from inspection.secrets import find_secrets

__all__ = [
    "KINDS",
    "CustomPattern",
    "Finding",
    "compile_custom_pattern",
    "find_custom",
    "inspect_question",
    "inspect_text",
    "resolve_overlaps",
]

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # the error is raised, with its reason; nothing on stderr

# When findings of different kinds overlap, the higher rank wins: a credential URL beats the IP inside it,
# a checksum-verified card beats the phone-shaped digits, anything beats a name or address guess.
_RANK = {
    "secret": 90,
    "custom": 80,
    "payment_card": 70,
    "iban": 70,
    "email": 65,
    "ssn": 60,
    "ip_address": 55,
    "phone": 50,
    "address": 30,
    "person": 30,
}
# A bare high-entropy string is a guess; validated structured data outranks it.
_DETECTOR_RANK = {"high_entropy": 45}
# Kinds whose spans are blocks of words: when something more specific sits inside, the rest is kept.
_SPLITTABLE = frozenset({"address", "person"})


@functools.lru_cache(maxsize=256)
def compile_custom_pattern(pattern: str) -> Any:
    """Compile a company-declared regex (cached) with RE2, whose matching time grows linearly with the text:
    a pattern such as `(a+)+$`, which takes Python's engine exponential time, runs on every question and
    passage here. RE2 has no back-references or look-arounds; raises `re.error` saying so, or when the
    pattern is otherwise invalid."""
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as e:
        reason = e.args[0].decode() if e.args and isinstance(e.args[0], bytes) else str(e)
        advice = "patterns run with RE2, so write it without back-references or look-arounds"
        raise re.error(f"{reason}: {advice}") from None


def find_custom(text: str, custom: Sequence[CustomPattern]) -> list[Finding]:
    """The matches of the company's declared patterns in `text`, unresolved. Raises `re.error` if one
    does not compile."""
    findings = []
    for declared in custom:
        for m in compile_custom_pattern(declared.pattern).finditer(text):
            if m.end() > m.start():  # a pattern that can match empty would flag every position
                findings.append(Finding(f"custom:{declared.name}", m.start(), m.end(), 0.9, "custom_pattern"))
    return findings


def _rank(finding: Finding) -> int:
    if finding.detector in _DETECTOR_RANK:
        return _DETECTOR_RANK[finding.detector]
    return _RANK.get(finding.kind.split(":", 1)[0], 0)


def _merge_same_kind(findings: list[Finding]) -> list[Finding]:
    merged: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.kind, f.start, -f.end)):
        last = merged[-1] if merged else None
        if last is not None and last.kind == f.kind and f.start < last.end:
            best = last if (last.confidence, last.end - last.start) >= (f.confidence, f.end - f.start) else f
            merged[-1] = Finding(
                f.kind, last.start, max(last.end, f.end), max(last.confidence, f.confidence), best.detector
            )
        else:
            merged.append(f)
    return merged


def resolve_overlaps(findings: Sequence[Finding]) -> list[Finding]:
    """Merge overlapping findings of one kind, then let the more specific (then longer) kind win overlaps.

    Returns non-overlapping findings sorted by start. Name and address blocks keep what is left of them
    around a more specific finding (a phone line inside an address block).
    """
    return sorted(_accept(_merge_same_kind(list(findings))), key=lambda f: (f.start, f.end))


def _accept(merged: list[Finding]) -> list[Finding]:
    """The findings that win their overlaps, best rank (then longest, most confident, first) first."""
    candidates = sorted(merged, key=lambda f: (-_rank(f), -(f.end - f.start), -f.confidence, f.start))
    accepted: list[Finding] = []
    for f in candidates:
        overlapping = [a for a in accepted if a.start < f.end and f.start < a.end]
        if not overlapping:
            accepted.append(f)
        elif f.kind in _SPLITTABLE:
            accepted.extend(_remainders(f, overlapping))
    return accepted


def _outranking_phones(findings: list[Finding]) -> list[tuple[int, int]]:
    """Spans of the findings that `resolve_overlaps` keeps and that outrank a phone number.

    Whether one of them is kept does not depend on any finding ranked below it, so these are kept
    whatever the phone detector finds, and a phone candidate overlapping one of them would be dropped.
    """
    phone = _RANK["phone"]
    stronger = [f for f in _merge_same_kind(findings) if _rank(f) > phone]
    return [(f.start, f.end) for f in _accept(stronger)]


def _remainders(finding: Finding, taken: list[Finding]) -> list[Finding]:
    pieces = []
    cursor = finding.start
    for t in sorted(taken, key=lambda t: t.start):
        if t.start > cursor:
            pieces.append((cursor, t.start))
        cursor = max(cursor, t.end)
    if cursor < finding.end:
        pieces.append((cursor, finding.end))
    return [
        Finding(finding.kind, s, e, finding.confidence, finding.detector)
        for s, e in pieces
        if e - s >= 3  # a stray comma or space is not an address
    ]


def _outside_addresses(phones: list[Finding], addresses: list[Finding]) -> list[Finding]:
    # House numbers and postcodes ("17151 2450 Crown St") look like local phone numbers; inside an
    # address only a number with strong evidence (a country code, a valid number with context) stays a phone.
    return [
        p for p in phones if p.confidence >= 0.9 or not any(a.start <= p.start and p.end <= a.end for a in addresses)
    ]


def inspect_text(
    text: str, *, custom: Sequence[CustomPattern] = (), question: bool = False, names: bool = True
) -> list[Finding]:
    """All findings in `text`, sorted by start, overlaps resolved (see `resolve_overlaps`).

    The detectors read the text normalised (`inspection.normalise`: full-width, other-script digits,
    look-alike letters and Unicode spaces and dashes folded, invisible characters dropped); each finding's
    span is in `text` itself, so redaction replaces exactly what was written. `custom` are the company's
    declared patterns; their findings have kind `custom:<name>`. A `question` is judged conservatively (see
    `inspect_question`). `names=False` leaves out the name model (`inspection.ner`), for a text whose parts
    were each inspected with it already. Raises `re.error` if a custom pattern does not compile.
    """
    if not text:
        return []
    normalised = normalise(text)
    findings = _detect(normalised.text, custom, question=question, names=names)
    if normalised.origin is None:
        return findings
    mapped = [Finding(f.kind, *normalised.original_span(f.start, f.end), f.confidence, f.detector) for f in findings]
    return resolve_overlaps(mapped)


def inspect_question(text: str, *, custom: Sequence[CustomPattern] = ()) -> list[Finding]:
    """`inspect_text` for what a user types and may leave the building (a question, a comment): judged
    conservatively, so a key-shaped token is a secret even if it looks like a documentation example, and a
    lone given name that is also an everyday word is a name. Documents keep such examples unflagged and
    ask more of a name (`inspect_text`), or every runbook that shows an example key would read as holding
    a secret, and every "General Counsel" would be masked as a person."""
    return inspect_text(text, custom=custom, question=True)


def _detect(text: str, custom: Sequence[CustomPattern], *, question: bool, names: bool) -> list[Finding]:
    findings = find_secrets(text, examples_count=question)
    findings += find_emails(text)
    findings += find_payment_cards(text)
    findings += find_ibans(text)
    findings += find_ssns(text)
    findings += find_ip_addresses(text)
    declared = find_custom(text, custom) if custom else []
    # Phone candidates inside a card, an IBAN, an IP address … would lose to it: they are not checked.
    taken = _outranking_phones(findings + declared)
    addresses = find_addresses(text)
    findings += _outside_addresses(find_phones(text, taken=taken), addresses)
    # Identifiers found so far: a word inside one does not send its sentence to the name model.
    identifiers = [(f.start, f.end) for f in findings + declared]
    findings += find_people(text)
    findings += find_labelled_fields(text)
    findings += addresses
    findings += declared
    if names:
        people = ner.find_entities(text, in_question=question, taken=identifiers)
        findings += _people_apart_from(people, addresses, text)
    resolved = resolve_overlaps(findings)
    # A surname or a given name found once, written again alone later, is the same person.
    return resolve_overlaps(resolved + repeated_names(text, resolved))


def _people_apart_from(found: list[Finding], addresses: list[Finding], text: str) -> list[Finding]:
    """The model's findings, less the people it reads inside or right after a street address: a street
    or a town named after someone ("04862 Victor Hugo u. 49", "Suite 100  Dolores  Uruguay")."""

    def in_an_address(f: Finding) -> bool:
        return any(
            a.start < f.end and f.start < a.end + 3 and not text[a.end : f.start].strip(" \t,") for a in addresses
        )

    return [f for f in found if f.kind != "person" or not in_an_address(f)]
