"""The name model reads only the sentences that can hold a capitalised name (inspection.ner.model_spans),
and finds what it finds reading the whole text."""

from __future__ import annotations

import pytest

from inspection import ner
from inspection.gazetteer import name_lists
from inspection.pii_texts import HELD_OUT, TUNING, PiiText, generate

FILLER = "what do we tell the customer while the payments team checks the ledger and how long does it take? "


def pieces(text: str) -> list[str]:
    return [text[s:e] for s, e in ner.model_spans(text, name_lists())]


def test_sentences_of_lower_case_words_and_everyday_openers_are_left_out():
    text = FILLER * 6 + "Restart the pod. Ask Ana Lima about it. " + FILLER * 6
    read = pieces(text)
    assert len(read) == 1 and "Ana Lima" in read[0]
    assert sum(map(len, read)) < len(text) / 5
    assert [text[f.start : f.end] for f in ner.find_entities(text)] == ["Ana Lima"]


def test_a_sentence_opened_by_a_name_that_is_also_a_word_is_read():
    text = FILLER * 6 + "Smith said the deploy failed. " + FILLER * 6
    assert any("Smith said" in p for p in pieces(text))
    assert {text[f.start : f.end] for f in ner.find_entities(text)} == {"Smith"}


def test_an_initial_or_a_title_does_not_end_a_sentence():
    text = FILLER * 6 + "tech: M. Carlsen | eta 14:30. " + FILLER * 4 + "ping Dr. Okafor today. " + FILLER * 6
    read = pieces(text)
    assert any("M. Carlsen" in p for p in read) and any("Dr. Okafor" in p for p in read)


def test_a_text_mostly_of_sentences_that_can_hold_names_is_read_whole():
    text = "Ana Lima and Bo Chen met Priya. They agreed. Then Olga Krylova called Tomás."
    assert ner.model_spans(text, name_lists()) == [(0, len(text))]


def test_a_name_typed_in_lower_case_is_found_in_a_sentence_the_model_does_not_read():
    text = FILLER * 6 + "then olga krylova said the vpn was down. " + FILLER * 6
    assert not any("olga" in p for p in pieces(text))
    assert [text[f.start : f.end] for f in ner.find_entities(text, in_question=True)] == ["olga krylova"]


@pytest.mark.parametrize("pool", [TUNING, HELD_OUT])
@pytest.mark.parametrize("in_question", [True, False])
def test_reading_only_those_sentences_finds_the_people_reading_the_whole_text_finds(monkeypatch, pool, in_question):
    """Texts of the generator padded with ordinary sentences between their lines, so that the model reads
    pieces of them: the labelled people found reading the whole text are found reading the pieces (the model
    reads a piece with a word of context on each side; its guesses still shift a little with what is around,
    either way, hence one in a hundred)."""
    padded = [_padded(t) for t in generate(7, 120, pool)]
    read_pieces = [ner.find_entities(text, in_question=in_question) for text, _ in padded]
    monkeypatch.setattr(ner, "model_spans", lambda text, names, **_: [(0, len(text))])
    read_whole = [ner.find_entities(text, in_question=in_question) for text, _ in padded]
    found_whole = found_pieces = 0
    for (_, people), whole, part in zip(padded, read_whole, read_pieces, strict=True):
        found_whole += sum(any(_overlap(f, p) for f in whole) for p in people)
        found_pieces += sum(any(_overlap(f, p) for f in part) for p in people)
    assert found_whole > 60
    assert found_pieces >= found_whole * 0.99


def _padded(text: PiiText) -> tuple[str, list[tuple[int, int]]]:
    """The text with an ordinary sentence after each line, and its people's spans in the padded text."""
    out, people, at = [], [], 0
    for line in text.text.splitlines(keepends=True):
        start = sum(map(len, out))
        for span in text.spans:
            if span.label == "PERSON" and at <= span.start and span.end <= at + len(line):
                people.append((start + span.start - at, start + span.end - at))
        out += [line, "\n" + FILLER + "\n" if line.endswith("\n") else ""]
        at += len(line)
    return "".join(out) + "\n" + FILLER * 3, people


def _overlap(finding: ner.Finding, span: tuple[int, int]) -> bool:
    return finding.start < span[1] and span[0] < finding.end


@pytest.mark.parametrize(
    "sentence",
    [
        "The OUTCOME of CD4 and PI3K in HSCs was measured by DNA assays.",  # capitals, digits, acronyms
        "Results were sent to the Board on Tuesday.",  # everyday words, capitalised, apart
        "Step 3: click Reset MFA.",  # an everyday word beside an acronym
        "T cells and B cells rose.",  # single letters
    ],
)
def test_a_sentence_whose_capitalised_words_are_shaped_as_no_name_is_left_out(sentence):
    text = FILLER * 3 + sentence + " " + FILLER * 3
    assert not any(sentence[:20] in p for p in pieces(text))


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Please forward the plan to Kang Gang as well.", "Kang Gang"),  # two everyday words, side by side
        ("Escalate to Wiśniewska before noon.", "Wiśniewska"),  # no everyday word
        ("Copy SMITH on the ticket.", "SMITH"),  # a surname in capitals
    ],
)
def test_a_sentence_with_a_name_shaped_word_is_read(sentence, name):
    text = FILLER * 3 + sentence + " " + FILLER * 3
    assert any(name in p for p in pieces(text))


def test_a_word_inside_an_identifier_found_by_another_detector_does_not_make_its_sentence_read():
    sentence = "Send it to IBAN GB82 WEST 1234 5698 7654 32 today."  # WEST is a surname in capitals
    text = FILLER * 3 + sentence + " " + FILLER * 3
    assert any("WEST" in p for p in pieces(text))
    start = text.index("GB82")
    taken = [(start, start + len("GB82 WEST 1234 5698 7654 32"))]
    read = [text[s:e] for s, e in ner.model_spans(text, name_lists(), taken=taken)]
    assert not any("WEST" in p for p in read)
