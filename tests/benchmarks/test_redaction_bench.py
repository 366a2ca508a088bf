"""The redaction benchmark: its generated gold spans, its scoring, and Presidio run without the network."""

from __future__ import annotations

import ipaddress
import json
import re
import socket
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import phonenumbers
import pytest

from benchmarks import redaction
from benchmarks.redaction import _structured, measure, presidio_findings, redaction_benchmark
from benchmarks.redaction_texts import (
    CARD_BRANDS,
    IBAN_LAYOUTS,
    STRUCTURED_KINDS,
    LabelledText,
    Span,
    as_records,
    generate_texts,
)
from inspection.evaluation import LABEL_TO_KIND
from inspection.findings import Finding

TEXTS = generate_texts(count=90, seed=11)
REAL_TLDS = {"com", "uk", "io", "de", "fr", "org", "nl", "net", "au"}


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _check(span: Span, value: str) -> None:
    family, *rest = span.form.split()
    if span.kind == "email":
        assert re.fullmatch(r"[a-z0-9._+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+", value), value
        assert value.rsplit(".", 1)[1] in REAL_TLDS
    elif span.kind == "phone":
        region, form = rest
        number = phonenumbers.parse(value, region)
        assert phonenumbers.is_valid_number(number), value
        assert phonenumbers.region_code_for_number(number) == region
        assert value.startswith("+") == (form in ("international", "e164")), value
    elif span.kind == "payment_card":
        brand, form = rest
        prefixes, length, groups = CARD_BRANDS[brand]
        digits = re.sub(r"[ -]", "", value)
        assert digits.isdigit() and len(digits) == length and digits.startswith(prefixes), value
        assert _luhn_ok(digits), value
        if form != "compact":
            assert tuple(len(g) for g in re.split(r"[ -]", value)) == groups, value
    elif span.kind == "iban":
        country, form = rest
        compact = value.replace(" ", "")
        assert compact[:2] == country and len(compact) == 4 + sum(n for n, _ in IBAN_LAYOUTS[country]), value
        rearranged = compact[4:] + compact[:4]
        assert int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1, value
        assert (" " in value) == (form == "print"), value
    elif span.kind == "ip_address":
        address = ipaddress.ip_address(value)
        assert address.version == (4 if family == "ipv4" else 6), value
    elif span.kind == "ssn":
        digits = re.sub(r"[ -]", "", value)
        area, group, serial = int(digits[:3]), int(digits[3:5]), int(digits[5:])
        assert len(digits) == 9 and 0 < area < 900 and area != 666 and group > 0 and serial > 0, value
    else:
        raise AssertionError(f"unexpected kind {span.kind}")


def test_every_generated_span_is_the_identifier_it_claims_to_be_and_exactly_it():
    for labelled in TEXTS:
        text = labelled.text
        for span in labelled.spans:
            value = text[span.start : span.end]
            _check(span, value)
            # Exact: the span is neither cut inside a word nor followed by more of one.
            assert span.start == 0 or not text[span.start - 1].isalnum(), (text[span.start - 5 : span.end], span)
            assert span.end == len(text) or not text[span.end].isalnum(), (text[span.start : span.end + 5], span)


def test_the_generated_set_has_every_kind_in_several_forms_and_a_mix_of_lengths():
    forms = Counter(span.form for t in TEXTS for span in t.spans)
    kinds = {span.kind for t in TEXTS for span in t.spans}
    lengths = [len(t.text) for t in TEXTS]

    assert kinds == set(STRUCTURED_KINDS)
    assert len({f for f in forms if f.startswith("phone")}) >= 10
    assert len({f.split()[1] for f in forms if f.startswith("card")}) >= 5
    assert len({f.split()[1] for f in forms if f.startswith("iban")}) >= 6
    assert min(lengths) < 300 and any(450 <= n <= 1000 for n in lengths) and max(lengths) >= 1800


def test_the_same_seed_gives_the_same_texts_and_another_seed_others():
    assert generate_texts(count=6, seed=3) == generate_texts(count=6, seed=3)
    assert generate_texts(count=6, seed=3) != generate_texts(count=6, seed=4)


HAND_MADE = LabelledText(
    "Mail ann@quillfern.com or bob@northpeak.io, call +44 20 7946 0958, card 4111 1111 1111 1111.",
    (
        Span("email", 5, 22, "email a"),
        Span("email", 26, 42, "email b"),
        Span("phone", 49, 65, "phone GB international"),
        Span("payment_card", 72, 91, "card visa spaced"),
    ),
)


def _detector_missing_bob(text: str) -> list[Finding]:
    """Finds the first e-mail, overlaps the phone by one character, and calls the card a phone."""
    return [
        Finding("email", 5, 22, 1.0, "fake"),
        Finding("phone", 64, 70, 1.0, "fake"),
        Finding("phone", 72, 91, 1.0, "fake"),
        Finding("person", 26, 42, 1.0, "fake"),  # the right place, the wrong kind: not found
    ]


def test_recall_counts_a_span_found_only_when_a_finding_of_its_kind_overlaps_it():
    row = measure(lambda text: text, _detector_missing_bob, as_records([HAND_MADE]), seconds=0, labelled=[HAND_MADE])

    assert row["recall"] == {"email": 0.5, "phone": 1.0, "payment_card": 0.0, "structured": 0.5}
    assert row["support"] == {"email": 2, "phone": 1, "payment_card": 1}
    # 3 scored findings, 2 of them on a span of their kind; the person finding is not scored.
    assert row["precision"]["structured"] == round(2 / 3, 4)
    assert row["missed"] == {"card visa spaced": "1/1", "email b": "1/1"}
    assert row["texts_per_s"] > 0 and row["timed_texts"] >= 1


def test_a_perfect_detector_has_recall_and_precision_1():
    def perfect(text: str) -> list[Finding]:
        return [Finding(s.kind, s.start, s.end, 1.0, "gold") for s in HAND_MADE.spans]

    row = measure(lambda text: text, perfect, as_records([HAND_MADE]), seconds=0)

    assert row["recall"]["structured"] == 1.0 and row["precision"]["structured"] == 1.0


def test_presidio_labels_and_entities_map_to_our_kinds_and_the_rest_is_left_out():
    records = [{"text": "x" * 40, "spans": [
        {"start": 0, "end": 5, "label": "EMAIL_ADDRESS"},
        {"start": 6, "end": 10, "label": "PERSON"},
        {"start": 11, "end": 20, "label": "US_SSN"},
    ]}]  # fmt: skip
    results = [
        SimpleNamespace(entity_type="CREDIT_CARD", start=1, end=3, score=0.9),
        SimpleNamespace(entity_type="DATE_TIME", start=4, end=6, score=0.8),
    ]

    assert _structured(records, LABEL_TO_KIND)[0]["spans"] == [
        {"start": 0, "end": 5, "label": "email"},
        {"start": 11, "end": 20, "label": "ssn"},
    ]
    assert [f.kind for f in presidio_findings(results)] == ["payment_card", "presidio:DATE_TIME"]


def test_without_presidio_the_benchmark_still_measures_sluice_and_says_why_the_rest_is_skipped(monkeypatch):
    def not_installed() -> None:
        raise ImportError("No module named 'presidio_analyzer'")

    monkeypatch.setattr(redaction, "presidio_pattern_analyzer", not_installed)

    result = redaction.redaction_benchmark(seconds=0, texts=6, pii_set=None)

    assert result["texts"] == 6 and result["sluice"]["texts_per_s"] > 0 and result["sluice"]["timed_texts"] == 6
    assert 0.5 < result["sluice"]["recall"]["structured"] <= 1
    # Like for like with Presidio's patterns without the name model; with it, as the gate reads a question.
    assert result["sluice"]["ner"] is False and result["sluice_with_names"]["timed_texts"] == 6
    assert "presidio_analyzer" in result["presidio_patterns"]["skipped"]
    assert "presidio_analyzer" in result["presidio_full"]["skipped"]
    assert "speedup" not in result and "skipped" in result["presidio_synth_dev"]


class NetworkAttempts(list):
    """Installed over the socket functions: records every non-loopback lookup or connection and refuses it."""

    def refuse(self, target: Any) -> None:
        host = target[0] if isinstance(target, tuple) else target
        if isinstance(host, str) and (host == "localhost" or host.startswith("127.") or host == "::1"):
            return
        self.append(target)
        raise OSError(f"network blocked in tests: {target}")


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> NetworkAttempts:
    attempts = NetworkAttempts()
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.refuse(host)
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.refuse(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


def test_the_network_guard_sees_tldextract_fetching_the_suffix_list_by_default(network_attempts):
    import tldextract

    # What Presidio's EmailRecognizer would do unconfigured: fetch publicsuffix.org (then fall back).
    result = tldextract.TLDExtract(cache_dir=None)("ann@quillfern.com")

    assert network_attempts, "the guard did not see the suffix-list fetch"
    assert result.suffix == "com"


@pytest.mark.slow
def test_the_benchmark_measures_both_on_the_same_texts_without_touching_the_network(network_attempts, tmp_path: Path):
    import tldextract.tldextract

    pii_set = tmp_path / "pii.jsonl"
    pii_set.write_text(
        json.dumps({"text": "Here's my SSN: 460-89-9847", "spans": [{"start": 15, "end": 26, "label": "US_SSN"}]})
        + "\n"
        + json.dumps({"text": "My name is Rubija", "spans": [{"start": 11, "end": 17, "label": "PERSON"}]})
        + "\n"
    )

    result = redaction_benchmark(seconds=0.05, texts=9, pii_set=pii_set)

    assert network_attempts == []
    assert tldextract.tldextract.TLD_EXTRACTOR.suffix_list_urls == ()
    assert result["texts"] == 9 and result["presidio"]["nlp_engine"] == "no_op"
    for name in ("sluice", "presidio_patterns", "presidio_all_patterns"):
        row = result[name]
        assert row["texts_per_s"] > 0 and row["timed_texts"] >= 9, name
        assert 0.5 < row["recall"]["structured"] <= 1 and 0 < row["precision"]["structured"] <= 1, name
        assert set(row["recall"]) <= {*STRUCTURED_KINDS, "structured"}
    assert result["sluice"]["support"] == result["presidio_patterns"]["support"]
    assert result["speedup"] == round(result["sluice"]["texts_per_s"] / result["presidio_patterns"]["texts_per_s"], 2)
    assert "skipped" in result["presidio_full"] or result["presidio_full"]["texts_per_s"] > 0
    dev = result["presidio_synth_dev"]
    assert dev["texts"] == 2 and dev["sluice"]["support"] == {"ssn": 1} and dev["sluice"]["recall"]["ssn"] == 1.0
    json.dumps(result)  # JSON-able as it is
