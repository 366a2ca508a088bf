"""Recall per family of formats on generated identifiers (inspection/formats.py). The seed here was
never looked at while the detectors were changed: it is the held-out split (seeds 1, 7 and 20261204 were)."""

from __future__ import annotations

from collections import Counter

from inspection import inspect_question, inspect_text
from inspection.formats import FAMILIES, look_alikes, samples

HELD_OUT_SEED = 31337


def covered(sample, findings) -> bool:  # type: ignore[no-untyped-def]
    return any(f.kind == sample.kind and f.start <= sample.start and sample.end <= f.end for f in findings)


def test_every_family_is_found_at_least_98_in_100_times() -> None:
    hits, totals = Counter(), Counter()
    for sample in samples(HELD_OUT_SEED, per_family=150):
        totals[sample.family] += 1
        hits[sample.family] += covered(sample, inspect_question(sample.text))

    recall = {family: hits[family] / totals[family] for family in totals}
    assert set(recall) == {*FAMILIES, "unicode_hidden"}
    assert min(recall.values()) >= 0.98, recall


def test_phone_shaped_look_alikes_are_found_as_phones_at_most_1_in_100_times() -> None:
    # Air waybills, tracking, order and invoice numbers, ranges, amounts, dates, versions, card and IBAN
    # fragments: most said to be what they are by the word before them.
    texts = list(look_alikes(HELD_OUT_SEED, 300))
    flagged = [t for t in texts for read in (inspect_question, inspect_text) if any(f.kind == "phone" for f in read(t))]

    assert len({t[:12] for t in texts}) > 20
    assert len(flagged) <= 6, flagged


def test_the_generator_is_the_same_for_the_same_seed_and_spans_hold_the_identifier() -> None:
    first, again = list(samples(3, per_family=20)), list(samples(3, per_family=20))

    assert first == again
    assert all(s.text[s.start : s.end].strip() == s.text[s.start : s.end] != "" for s in first)
    assert len({s.text for s in first}) > 100


def test_a_number_wrapped_onto_the_next_line_is_found_whole_and_two_lines_of_numbers_stay_apart() -> None:
    wrapped = "Call the vendor at +1 415\n   555 0134 ext\n 22 tomorrow."
    listed = "Desk: 415-555-0134\n415-555-0199"

    assert [wrapped[f.start : f.end] for f in inspect_question(wrapped)] == ["+1 415\n   555 0134 ext\n 22"]
    assert [listed[f.start : f.end] for f in inspect_question(listed)] == ["415-555-0134", "415-555-0199"]
