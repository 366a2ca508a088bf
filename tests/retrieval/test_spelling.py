"""Mistyped question words are searched with the word they were meant to be beside them (retrieval.spelling),
unless a document the asker may read holds the word as typed."""

from __future__ import annotations

import pytest

from retrieval.selectors import as_searched, get_reader, readable_words, search_passages
from retrieval.spelling import correction, in_english, with_corrections


@pytest.mark.parametrize(
    ("typed", "searched"),
    [
        ("how do i renew my certficate", "how do i renew my certficate certificate"),
        ("Deploymnet failed, passwrod rejected", "Deploymnet deployment failed, passwrod password rejected"),
        ("where do I upload a reciept?", "where do I upload a reciept receipt?"),
    ],
)
def test_a_mistyped_word_is_searched_with_the_word_it_was_meant_to_be(typed, searched):
    assert with_corrections(typed) == searched


@pytest.mark.parametrize(
    "text",
    [
        "rotate the tokens and passwords",  # English words in another form than the word list's
        "staffing the recruiting booth",
        "ask PeopleOps in GitHub",  # names written with capitals inside
        "the ngrok tunnel",  # no English word one slip away
        "the hte teh",  # words under five letters
        "did you recieve it",  # as near to "receive" as to "relieve": no guess
        "ssh to db01.prod.example.com or mail ops@example.com",  # hosts and addresses
    ],
)
def test_real_words_names_and_ties_are_left_as_they_are(text):
    assert with_corrections(text) == text


def test_shorthand_is_shorthand_not_a_slip():
    assert correction("prod") is None
    assert correction("elegans") == "elegant"  # the word list alone would mend a species name


def test_a_word_the_readers_documents_hold_is_searched_as_typed(ingest, employee):
    ingest("worms.md", "# Lifespan\n\nC. elegans worms fed less live longer in the lab.")
    reader = get_reader(employee)

    assert readable_words(reader, ["elegans", "elegnt"]) == {"elegans"}
    assert as_searched(reader, "elegans lifespan") == "elegans lifespan"
    assert as_searched(reader, "prod certficate") == "prod production certficate certificate"


def test_a_word_only_documents_the_reader_may_not_read_hold_is_still_corrected(ingest, employee, admin):
    # Whether a confidential document holds a word must not change what an employee's search reads.
    ingest("worms.md", "# Lifespan\n\nC. elegans worms fed less live longer in the lab.", classification="confidential")
    ingest("hr.md", "# Pay\n\nThe elegans project pays a bonus.", groups=["finance"])

    assert readable_words(get_reader(employee), ["elegans"]) == set()
    assert as_searched(get_reader(employee), "elegans lifespan") == "elegans elegant lifespan"
    assert readable_words(get_reader(admin), ["elegans"]) == {"elegans"}


def test_a_question_with_a_mistyped_word_finds_the_passage_that_spells_it_right(ingest, employee):
    ingest("certs.md", "# Certificates\n\nRenew the client certificate in the portal before it expires.")
    ingest("renewals.md", "# Renewals\n\nRenew your parking permit at reception; renewals open in January.")

    found = search_passages(get_reader(employee), "renew certficate", k=2, mode="keyword").passages

    assert found[0].source_name == "certs.md"


def test_in_english_replaces_a_slip_where_search_writes_both():
    assert in_english("within what time frxme must it be patched?") == "within what time frame must it be patched?"
    assert with_corrections("within what time frxme") == "within what time frxme frame"
    # Names and words with a tie are left as they are.
    assert in_english("ask GitHub about the fome") == "ask GitHub about the fome"
