"""Follow-up questions searched as typed and as retrieval.follow_up makes them standalone, over the demo corpus.

The measurement of docs/conversations.md: `pytest tests/retrieval/test_follow_up_queries.py -s` prints it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.clearance import Classification
from retrieval.follow_up import PreviousTurn, refers_back, standalone_query
from retrieval.selectors import Reader, search_passages

PAIRS = yaml.safe_load((Path(__file__).parent / "follow_ups.yaml").read_text())
# As many passages as the gate ranks for an answer (routing.services.PASSAGES_PER_ANSWER).
K = 4


@pytest.mark.parametrize(
    "question, expected",
    [
        ("And who approves that?", True),
        ("What about contractors?", True),
        ("How long does it take?", True),
        ("Any exceptions?", True),
        ("How many weeks of parental leave do I get?", False),
        ("What is the laptop encryption requirement?", False),
        ("", False),
    ],
)
def test_a_question_refers_back_when_it_leans_on_the_turn_before(question: str, expected: bool) -> None:
    assert refers_back(question) is expected


def test_a_follow_up_carries_the_previous_questions_key_words_and_cited_titles() -> None:
    previous = PreviousTurn("How do I request production access?", (7,), ("Production Access Request SOP",))

    assert standalone_query("And who approves that?", previous) == (
        "And who approves that? request production access Production Access Request SOP"
    )
    assert standalone_query("How do I rotate a database credential?", previous) == (
        "How do I rotate a database credential?"
    )
    assert standalone_query("And who approves that?", None) == "And who approves that?"


def _rank(reader: Reader, query: str, answer_in: str) -> int | None:
    sources = [p.source_name for p in search_passages(reader, query, k=K).passages]
    return sources.index(answer_in) + 1 if answer_in in sources else None


@pytest.mark.slow
@pytest.mark.django_db
def test_follow_ups_find_the_document_they_refer_to_once_made_standalone() -> None:
    call_command("setup_demo", stdout=None)
    reader = Reader(clearance=Classification.RESTRICTED, group_ids=tuple(Group.objects.values_list("id", flat=True)))
    bare: list[int | None] = []
    rewritten: list[int | None] = []
    switches: list[tuple[int | None, int | None]] = []
    missed: list[str] = []
    for pair in PAIRS:
        # The previous answer cites the first question's best passage (as the extractive answer would).
        best = search_passages(reader, pair["first"], k=1).passages[0]
        previous = PreviousTurn(pair["first"], (best.chunk_id,), (best.title,))
        ranks = (
            _rank(reader, pair["follow_up"], pair["answer_in"]),
            _rank(reader, standalone_query(pair["follow_up"], previous), pair["answer_in"]),
        )
        if pair.get("switch"):
            switches.append(ranks)
        else:
            bare.append(ranks[0])
            rewritten.append(ranks[1])
            if ranks[1] != 1:
                missed.append(f"{pair['follow_up']} ({ranks[1]})")

    def share(ranks: list[int | None], top: int) -> float:
        return sum(r is not None and r <= top for r in ranks) / len(ranks)

    print(
        f"\n{len(bare)} follow-ups: top-1 {share(bare, 1):.2f} -> {share(rewritten, 1):.2f}, "
        f"top-{K} {share(bare, K):.2f} -> {share(rewritten, K):.2f} (as typed -> standalone); "
        f"{len(switches)} topic switches, ranks as typed / standalone: {switches}; not first: {missed}"
    )
    assert share(rewritten, 1) >= 0.8 and share(rewritten, K) >= 0.9
    assert share(bare, K) < share(rewritten, K)
    assert all(after == 1 for _, after in switches)
