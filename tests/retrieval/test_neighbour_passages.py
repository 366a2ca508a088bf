"""The chunks next to the best passage come with it (retrieval.selectors.neighbour_passages), through the
same access filter, and routing.services.passages_for_answer sends them after the ranked passages."""

from __future__ import annotations

import pytest

from retrieval.models import Chunk
from retrieval.selectors import get_reader, neighbour_passages, search_passages
from routing.services import PASSAGES_PER_ANSWER, nearer_first, passages_for_answer

SECTIONS = [
    ("Eligibility", "Employees become eligible for the travel card after their first full pay period. " * 8),
    ("Limits", "The travel card limit is 7,500 dollars a month unless a director approves more. " * 8),
    ("Receipts", "Upload every receipt within five business days of coming back from the trip. " * 8),
    ("Lost cards", "Report a lost travel card to the card desk the same day it goes missing. " * 8),
]
HANDBOOK = "# Travel card\n\n" + "\n\n".join(f"## {title}\n\n{text}" for title, text in SECTIONS)


@pytest.fixture
def handbook(ingest):
    document = ingest("travel-card.md", HANDBOOK, "internal").document
    chunks = list(Chunk.objects.filter(document=document).order_by("ordinal"))
    assert len(chunks) >= 4, "the handbook must span several chunks for this test"
    return chunks


def test_the_chunks_after_and_before_a_passage_come_marked_after_first(handbook, employee, django_assert_num_queries):
    reader = get_reader(employee)
    middle = next(p for p in search_passages(reader, "travel card limit dollars", k=1).passages)
    ordinals = {c.id: c.ordinal for c in handbook}

    with django_assert_num_queries(1):  # the neighbours and the access filter in one query
        neighbours = neighbour_passages(reader, middle)

    assert all(p.neighbour for p in neighbours)
    assert [ordinals[p.chunk_id] - ordinals[middle.chunk_id] for p in neighbours] in ([1, -1], [1], [-1])
    assert middle.chunk_id not in {p.chunk_id for p in neighbours}


def test_the_neighbour_sharing_more_of_the_question_comes_first(handbook, employee):
    reader = get_reader(employee)
    middle = search_passages(reader, "travel card limit dollars", k=1).passages[0]
    after, before = neighbours = neighbour_passages(reader, middle)
    assert "Receipts" in after.heading_path and "Eligibility" in before.heading_path

    # A policy's passage limit often keeps one of the two: the one the question speaks of.
    assert nearer_first("What is the card limit, and when are employees eligible for it?", neighbours) == [
        before,
        after,
    ]
    assert nearer_first("What is the card limit, and when are receipts due?", neighbours) == [after, before]
    assert nearer_first("What is the card limit?", neighbours) == [after, before]  # a tie: the one after first


def test_a_reader_who_may_not_read_the_document_gets_no_neighbours(handbook, employee, contractor):
    passage = search_passages(get_reader(employee), "travel card limit dollars", k=1).passages[0]

    assert neighbour_passages(get_reader(contractor), passage) == []


def test_an_answer_is_written_from_the_ranked_passages_then_the_best_ones_neighbours(handbook, employee, ingest):
    # Other cards' limits outrank the travel card's other sections, so its neighbours are not among the ranked.
    for card in ("fuel", "purchase", "phone", "taxi"):
        ingest(f"{card}.md", f"# {card} card\n\nThe {card} card limit is 300 dollars a month.", "internal")
    reader = get_reader(employee)

    passages = passages_for_answer(reader, "What is the travel card limit in dollars?")

    ranked = [p for p in passages if not p.neighbour]
    added = [p for p in passages if p.neighbour]
    assert (
        ranked == search_passages(reader, "What is the travel card limit in dollars?", k=PASSAGES_PER_ANSWER).passages
    )
    assert added and passages[: len(ranked)] == ranked
    assert {p.document_id for p in added} == {ranked[0].document_id}
    assert not {p.chunk_id for p in added} & {p.chunk_id for p in ranked}
