from __future__ import annotations

from routing.backends import get_backend
from routing.backends.base import Bundle, ContextPassage
from routing.backends.extractive import NOTHING_FOUND


def passage(n: int, text: str) -> ContextPassage:
    return ContextPassage(n=n, chunk_id=100 + n, document_id=n, title=f"Doc {n}", text=text)


def answer(question: str, *passages: ContextPassage) -> str:
    return "".join(get_backend("extractive").generate(Bundle(question=question, passages=passages)))


def test_it_answers_with_the_matching_sentences_and_cites_them():
    text = answer(
        "How do I roll back a bad deploy?",
        passage(1, "Lunch is served at noon in the atrium. Badges are required on every floor."),
        passage(2, "To roll back a bad deploy, press Revert in the deploy dashboard. Then post in #deploys."),
    )

    assert text.startswith("To roll back a bad deploy, press Revert in the deploy dashboard. [2]")
    assert "[1]" not in text and "Lunch" not in text


def test_sentences_keep_the_order_of_their_passages():
    text = answer(
        "parental leave weeks",
        passage(1, "Parental leave is sixteen weeks at full pay."),
        passage(2, "Parental leave may start up to two weeks before the due date."),
    )

    assert text.index("[1]") < text.index("[2]")


def test_it_says_plainly_when_nothing_relevant_was_found():
    assert answer("What is the wifi password?") == NOTHING_FOUND
    assert answer("quantum chromodynamics", passage(1, "Expenses are filed within thirty days of travel.")) == (
        NOTHING_FOUND
    )
