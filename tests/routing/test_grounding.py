"""Holding an answer to its passages, without a database: citations checked as they stream,
abstentions recognised, and sources attributed to an answer that cites nothing."""

from __future__ import annotations

import re

import pytest

from routing.grounding import CitationFilter, Source, attribute, declines


def streamed(text: str, passages: int, size: int) -> tuple[str, int]:
    checker = CitationFilter(passages)
    shown = [checker.feed(text[i : i + size]) for i in range(0, len(text), size)]
    return "".join(shown) + checker.flush(), checker.removed


@pytest.mark.parametrize(
    "text, checked, removed",
    [
        ("Roll back from the dashboard [1].", "Roll back from the dashboard [1].", 0),
        ("Roll back from the dashboard [9].", "Roll back from the dashboard.", 1),
        ("Ask the lead [2, 9] or the team [1 and 3].", "Ask the lead [2] or the team [1][3].", 1),
        ("It is in the runbook [passage 2][Passage 7].", "It is in the runbook [2].", 1),
        ("Run `kubectl get pods[0]` [4] then wait.", "Run `kubectl get pods[0]` then wait.", 1),
        ("Write to [EMAIL_1] about it [3].", "Write to [EMAIL_1] about it [3].", 0),
        ("An open bracket at the end [", "An open bracket at the end [", 0),
    ],
)
def test_citations_of_passages_not_given_are_removed_and_counted_however_the_stream_is_cut(text, checked, removed):
    for size in (1, 2, 3, 5, 8, len(text)):
        assert streamed(text, 3, size) == (checked, removed)


def test_the_filter_holds_back_only_what_may_still_become_a_citation():
    checker = CitationFilter(3)

    assert checker.feed("Roll back from the dashboard") == "Roll back from the dashboard"
    assert checker.feed(" [") == ""  # the space and the bracket wait for what follows
    assert checker.feed("9") == ""
    assert checker.feed("]. Then") == ". Then"
    assert checker.feed(" a long tail [that is not a citation at all, just prose") == (
        " a long tail [that is not a citation at all, just prose"
    )


@pytest.mark.parametrize(
    "text, cites, expected",
    [
        ("The documents do not say.", False, True),
        ("The passages don't mention who approves production access.", False, True),
        ("I could not find anything about this in the documents.", False, True),
        ("There is no information about parking in the passages provided.", False, True),
        ("The documents do not say who approves it [1].", True, True),  # it says so first
        ("File a ticket [1]. The documents do not say who approves it.", True, False),  # answered in part
        ("The passages don't mention a deadline, but the on-call lead approves it [1].", True, False),
        ("File a ticket. The documents do not say who approves it.", False, True),
        ("File a ticket in the access queue; your manager approves it.", False, False),
    ],
)
def test_an_answer_that_says_the_passages_do_not_answer_declines(text, cites, expected):
    assert declines(text, cites=cites) is expected


SOURCES = [
    Source(1, "Access", "To request production access, open a ticket in the ops queue. The on-call lead approves it."),
    Source(2, "Deploys", "Roll back a bad deploy with the rollback pipeline for the previous release tag."),
    Source(3, "Leave", "Annual leave is booked in the HR portal at least two weeks ahead."),
]


def test_sentences_of_an_answer_that_cites_nothing_are_attributed_to_the_passages_they_come_from():
    answer = (
        "Open a ticket in the ops queue to request production access. The on-call lead approves it. "
        "To undo a bad deploy, run the rollback pipeline for the previous release tag. I hope this helps!"
    )

    assert attribute(answer, SOURCES) == (1, 2)


def test_an_answer_the_passages_do_not_hold_is_attributed_to_nothing():
    assert attribute("Parking permits are issued by the facilities desk on the ground floor.", SOURCES) == ()
    assert attribute("Yes.", SOURCES) == ()


def test_with_an_embedder_meaning_counts_beside_the_words():
    # A toy embedder: one axis per topic, lit by the topic's words, so the test needs no model.
    topics = ({"ticket", "access", "permissions", "prod", "production"}, {"rollback", "deploy"}, {"leave", "holiday"})

    def embed(texts):
        return [
            [1.0 if topic & set(re.findall(r"[\w-]+", t.lower())) else 0.0 for topic in topics] + [0.1] for t in texts
        ]

    # A paraphrase: few of the passage's words, its meaning.
    paraphrase = "Ask for prod permissions by filing a ticket in the queue."
    assert attribute(paraphrase, SOURCES) == ()
    assert attribute(paraphrase, SOURCES, embed) == (1,)
    # Most of a passage's words, about another topic that no passage holds.
    borrowed = "The on-call lead approves leave in the ops queue."
    assert attribute(borrowed, SOURCES) == (1,)
    assert attribute(borrowed, SOURCES, embed) == ()
