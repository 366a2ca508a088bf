"""The generator of labelled names and addresses: exact offsets, fixed seeds, two disjoint pools."""

from __future__ import annotations

import json
import random

import pytest

from inspection.evaluation import evaluate_pii
from inspection.pii_texts import FRESH, HELD_OUT, POOLS, TUNING, assemble, generate, main
from inspection.pii_texts.draw import Draw, Pii, transliterate

LABELS = {"PERSON", "STREET_ADDRESS", "EMAIL_ADDRESS", "PHONE_NUMBER"}


def test_assemble_records_where_each_value_lands():
    text = assemble(
        ["Ship to ", Pii("PERSON", "Ana Łęcka"), ", ", Pii("STREET_ADDRESS", "ul. Polna 3\n00-625 Warszawa")]
    )

    assert text.text == "Ship to Ana Łęcka, ul. Polna 3\n00-625 Warszawa"
    assert [(s.start, s.end, s.label) for s in text.spans] == [(8, 17, "PERSON"), (19, 46, "STREET_ADDRESS")]


@pytest.mark.parametrize("pool", [TUNING, HELD_OUT, FRESH])
def test_every_span_of_every_template_is_the_value_inserted(pool):
    draw = Draw(random.Random(11))
    for template_id, template in POOLS[pool].items():
        for _ in range(8):
            pieces = template(draw)
            text = assemble(pieces, template_id)
            inserted = [p for p in pieces if isinstance(p, Pii)]
            assert [text.text[s.start : s.end] for s in text.spans] == [p.value for p in inserted], template_id
            assert all(p.value and p.value == p.value.strip() for p in inserted), template_id
            assert all(a.end <= b.start for a, b in zip(text.spans, text.spans[1:], strict=False)), template_id


def test_the_same_seed_gives_the_same_texts_and_another_seed_others():
    assert generate(5, 60, HELD_OUT) == generate(5, 60, HELD_OUT)
    assert generate(5, 60, TUNING) == generate(5, 60, TUNING)
    assert [t.text for t in generate(5, 60, TUNING)] != [t.text for t in generate(6, 60, TUNING)]


def test_pools_are_disjoint_fixed_and_about_two_to_one():
    tuning, held_out = POOLS[TUNING], POOLS[HELD_OUT]

    assert not set(tuning) & set(held_out)
    assert not set(tuning.values()) & set(held_out.values())
    assert len(tuning) + len(held_out) >= 60
    assert 1.5 <= len(tuning) / len(held_out) <= 2.5


def test_the_fresh_pool_shares_no_template_with_the_others_and_keeps_its_seed():
    fresh = POOLS[FRESH]
    others = {**POOLS[TUNING], **POOLS[HELD_OUT]}

    assert len(fresh) >= 30
    assert not set(fresh) & set(others)
    assert not set(fresh.values()) & set(others.values())
    assert generate(41, 40, FRESH) == generate(41, 40, FRESH)


@pytest.mark.parametrize("pool", [TUNING, HELD_OUT, FRESH])
def test_every_label_appears_and_some_texts_have_none(pool):
    texts = generate(2, 300, pool)
    labels = {s.label for t in texts for s in t.spans}
    person_locales = {s.locale for t in texts for s in t.spans if s.label == "PERSON"}

    assert labels == LABELS
    assert len(person_locales) >= 20
    assert sum(1 for t in texts if not t.spans) >= 20
    assert {t.template_id for t in texts} == set(POOLS[pool])


def test_unknown_pool_is_refused():
    with pytest.raises(ValueError, match="unknown pool"):
        generate(1, 1, "dev")


def test_command_line_writes_presidio_lines_that_evaluation_reads(capsys):
    main(["--pool", "held_out", "--seed", "3", "--n", "12"])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    assert len(records) == 12
    assert records == [t.as_dict() for t in generate(3, 12, HELD_OUT)]
    assert all(set(r) == {"text", "spans", "template_id"} for r in records)
    report = evaluate_pii(records, inspector=lambda text: [])
    assert report["per_label"]["PERSON"]["recall"] == 0.0
    assert report["per_label"]["PERSON"]["support"] > 0


def test_transliteration_keeps_letters_of_their_own():
    assert transliterate("Пётр Арсений", "ru_RU") == "Pyotr Arseniy"
    assert transliterate("Олексій Мар'їнка", "uk_UA") == "Oleksii Mar'yinka"
    assert transliterate("Ευάγγελος Μπαλτζής, ΤΚ 69294", "el_GR") == "Evangelos Baltzis, TK 69294"
