from __future__ import annotations

import pytest

from retrieval.selectors import get_reader, search_passages
from retrieval.shorthand import expansion, with_expansions
from retrieval.terms import content_terms


@pytest.mark.parametrize(
    ("typed", "searched"),
    [
        ("rollback cmd for dockline-api?", "rollback cmd command for dockline-api?"),
        ("k8s creds in prod", "k8s kubernetes creds credentials in prod production"),
        ("max ttl w/o approval", "max maximum ttl w/o without approval"),
        ("ack time for sev2 oncall?", "ack acknowledge time for sev2 oncall on call?"),
    ],
)
def test_shorthand_is_searched_with_what_it_stands_for_beside_it(typed, searched):
    assert with_expansions(typed) == searched


@pytest.mark.parametrize(
    "text",
    [
        "Prod DB",  # capitals: an acronym or a name of the documents' own
        "prod-us and db.example.com",  # inside a longer token: a name, a host
        "/usr/bin/env and info@example.com",  # a path, an address
        "5 min window",  # "min" is minutes as often as minimum: never expanded
    ],
)
def test_words_that_are_not_typed_shorthand_are_left_as_they_are(text):
    assert with_expansions(text) == text


def test_the_answers_word_matching_reads_shorthand_as_the_words_it_stands_for():
    spelled = content_terms("rollback command for the production database")
    assert content_terms("rollback cmd for the prod db") == spelled
    assert expansion("wfh") == "work from home"
    assert {"work", "home"} <= content_terms("wfh policy")


def test_apostrophes_left_out_do_not_make_function_words_content():
    assert content_terms("whats the ttl, dont we rotate it?") == content_terms("ttl, rotate")


def test_a_question_in_shorthand_finds_the_passage_that_spells_it_out(ingest, employee):
    ingest("db.md", "# Databases\n\nThe production database password rotates every ninety days in the vault.")
    ingest("office.md", "# Office\n\nThe production of badges for new staff takes a week at reception.")
    ingest("other.md", "# Lunch\n\nThe canteen serves lunch from noon; the password for its wifi is on the wall.")

    found = search_passages(get_reader(employee), "prod db pw", k=3, mode="keyword").passages

    assert found[0].source_name == "db.md"


def test_a_shorthand_word_typed_with_a_capital_is_read_as_written():
    assert content_terms("Who is Max?") == {"max"}  # a name, not "maximum"
    assert content_terms("whats the max ttl") == {"maximum", "ttl"}
