"""chunk_sections: size bounds, sentence-aligned overlap, heading boundaries, determinism."""

from __future__ import annotations

import re

import pytest

from retrieval.chunking import ChunkDraft, chunk_sections
from retrieval.parsing import Section


def sentences(count: int, start: int = 1) -> str:
    return " ".join(f"Sentence {n:03d} says something useful about backups." for n in range(start, start + count))


def sentence_numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"Sentence (\d{3})", text)]


LONG_SECTION = Section(
    ("Ops", "Backups"),
    "\n\n".join([sentences(3), sentences(12, start=4), "Short closing paragraph.", sentences(20, start=16)]),
)


def test_small_section_is_one_chunk_with_its_heading_path() -> None:
    section = Section(("Policy",), "First paragraph.\n\nSecond paragraph.")
    assert chunk_sections([section], max_chars=500, overlap_chars=50) == [
        ChunkDraft(("Policy",), "First paragraph.\n\nSecond paragraph.")
    ]


def test_sections_without_text_give_no_chunks() -> None:
    assert chunk_sections([Section(("Empty",), ""), Section((), " \n\n \n")], max_chars=100, overlap_chars=10) == []


@pytest.mark.parametrize("max_chars, overlap_chars", [(60, 0), (80, 30), (200, 60), (400, 150), (1200, 200)])
def test_chunks_stay_within_bounds_and_are_never_blank(max_chars: int, overlap_chars: int) -> None:
    chunks = chunk_sections([LONG_SECTION], max_chars=max_chars, overlap_chars=overlap_chars)
    assert chunks
    for chunk in chunks:
        assert chunk.text.strip()
        assert len(chunk.text) <= max_chars + overlap_chars
        assert chunk.heading_path == ("Ops", "Backups")


def test_without_overlap_every_sentence_appears_exactly_once_and_in_order() -> None:
    chunks = chunk_sections([LONG_SECTION], max_chars=200, overlap_chars=0)
    numbers = [n for chunk in chunks for n in sentence_numbers(chunk.text)]
    assert numbers == list(range(1, 36))
    assert all(len(chunk.text) <= 200 for chunk in chunks)


def test_paragraphs_that_fit_are_packed_whole() -> None:
    paragraphs = ["Alpha " * 10, "Bravo " * 10, "Charlie " * 10, "Delta " * 10]
    section = Section(("Notes",), "\n\n".join(p.strip() for p in paragraphs))
    chunks = chunk_sections([section], max_chars=150, overlap_chars=0)
    assert [chunk.text.count("\n\n") for chunk in chunks] == [1, 1]
    for chunk in chunks:
        for paragraph in chunk.text.split("\n\n"):
            assert len(set(paragraph.split())) == 1


def test_long_paragraph_is_split_at_sentence_boundaries() -> None:
    chunks = chunk_sections([Section((), sentences(10))], max_chars=130, overlap_chars=0)
    assert len(chunks) == 5
    for chunk in chunks:
        assert re.fullmatch(r"(Sentence \d{3} says something useful about backups\.( |$))+", chunk.text)


def test_abbreviations_do_not_end_a_sentence() -> None:
    text = "Use a queue, e.g. Kafka or RabbitMQ, for events. Ask Dr. Smith first. Then deploy it."
    chunks = chunk_sections([Section((), text)], max_chars=50, overlap_chars=0)
    assert [chunk.text for chunk in chunks] == [
        "Use a queue, e.g. Kafka or RabbitMQ, for events.",
        "Ask Dr. Smith first. Then deploy it.",
    ]


def test_overlap_repeats_whole_trailing_sentences_of_the_previous_chunk() -> None:
    max_chars, overlap_chars = 200, 120
    chunks = chunk_sections([Section(("Runbook",), sentences(20))], max_chars=max_chars, overlap_chars=overlap_chars)
    assert len(chunks) > 2
    for previous, current in zip(chunks, chunks[1:], strict=False):
        shared = [n for n in sentence_numbers(current.text) if n in sentence_numbers(previous.text)]
        assert shared, "each chunk after the first starts with overlap"
        assert shared == sentence_numbers(previous.text)[-len(shared) :]
        assert shared == sentence_numbers(current.text)[: len(shared)]
        first_new = sentence_numbers(current.text)[len(shared)]
        overlap_text = current.text[: current.text.index(f"Sentence {first_new:03d}")]
        assert len(overlap_text) <= overlap_chars
        assert previous.text.endswith(overlap_text.rstrip())


def test_overlap_never_uses_part_of_a_sentence() -> None:
    # Each sentence is longer than the overlap budget, so no whole sentence can be repeated.
    chunks = chunk_sections([Section((), sentences(6))], max_chars=120, overlap_chars=40)
    numbers = [n for chunk in chunks for n in sentence_numbers(chunk.text)]
    assert numbers == list(range(1, 7))


def test_chunks_never_span_two_sections() -> None:
    sections = [
        Section(("Guide", "Install"), sentences(6)),
        Section(("Guide", "Tiny"), "One line."),
        Section(("Guide", "Upgrade"), sentences(6, start=7)),
    ]
    chunks = chunk_sections(sections, max_chars=200, overlap_chars=80)
    assert ChunkDraft(("Guide", "Tiny"), "One line.") in chunks
    for chunk in chunks:
        numbers = sentence_numbers(chunk.text)
        if chunk.heading_path == ("Guide", "Install"):
            assert set(numbers) <= set(range(1, 7))
        elif chunk.heading_path == ("Guide", "Upgrade"):
            assert set(numbers) <= set(range(7, 13))
    assert [c.heading_path for c in chunks] == sorted(
        (c.heading_path for c in chunks), key=[s.heading_path for s in sections].index
    )


def test_long_sentence_without_punctuation_is_split_at_word_boundaries() -> None:
    words = [f"word{n}" for n in range(200)]
    chunks = chunk_sections([Section((), " ".join(words))], max_chars=100, overlap_chars=30)
    assert len(chunks) > 1
    assert all(len(chunk.text) <= 100 for chunk in chunks)  # pieces of a sentence are never overlap
    assert [word for chunk in chunks for word in chunk.text.split()] == words


def test_a_word_longer_than_a_chunk_is_cut_by_length() -> None:
    token = "x" * 250
    chunks = chunk_sections([Section((), f"See {token} here.")], max_chars=100, overlap_chars=0)
    assert all(0 < len(chunk.text) <= 100 for chunk in chunks)
    assert "".join(chunk.text.replace(" ", "") for chunk in chunks) == f"See{token}here."


def test_long_list_is_split_between_items() -> None:
    items = "\n".join(f"- Item {n:02d} needs review" for n in range(30))
    chunks = chunk_sections([Section(("Checklist",), items)], max_chars=100, overlap_chars=0)
    assert len(chunks) > 1
    for chunk in chunks:
        assert all(re.fullmatch(r"- Item \d\d needs review", line) for line in chunk.text.split("\n"))


def test_chunking_is_deterministic() -> None:
    first = chunk_sections([LONG_SECTION], max_chars=150, overlap_chars=50)
    assert first == chunk_sections([LONG_SECTION], max_chars=150, overlap_chars=50)


@pytest.mark.parametrize("max_chars, overlap_chars", [(0, 0), (-5, 0), (100, -1), (100, 100)])
def test_invalid_sizes_are_rejected(max_chars: int, overlap_chars: int) -> None:
    with pytest.raises(ValueError):
        chunk_sections([LONG_SECTION], max_chars=max_chars, overlap_chars=overlap_chars)
