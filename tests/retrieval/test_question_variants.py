"""Seeded rewrites of evaluation questions as people type them (retrieval.question_variants)."""

from __future__ import annotations

import re

import pytest

from retrieval.question_variants import vary

QUESTION = "How can I request access to the production database without a manager's information?"


def test_the_rewrite_depends_only_on_kind_seed_and_id_on_every_machine():
    # Pinned: a seed taken from Python's per-process string hash, or a change to the slips, would change it.
    assert vary(QUESTION, "typos", seed=4, key="q1") == (
        "How can I request access to the production database wihtout a manager's informatiin?"
    )
    assert vary(QUESTION, "typos", seed=3, key="q1") == QUESTION
    assert vary(QUESTION, "typos", seed=4, key="q2") != vary(QUESTION, "typos", seed=4, key="q1")


def test_typos_slip_about_one_long_word_in_five_never_the_first_letter():
    words = [
        "Rotating",
        "credentials",
        "requires",
        "approval",
        "from",
        "security",
        "engineering",
        "before",
        "deployment",
        "happens",
    ]
    changed = total = 0
    for seed in range(200):
        varied = vary(" ".join(words), "typos", seed=seed).split()
        assert len(varied) == len(words)
        for before, after in zip(words, varied, strict=True):
            total += 1
            if before != after:
                changed += 1
                assert after[0] == before[0]
                assert abs(len(after) - len(before)) <= 1
    assert 0.12 < changed / total < 0.28


def test_lower_abbrev_and_chat_rewrite_as_described():
    assert vary(QUESTION, "lower", key="x").rstrip("?") == QUESTION.lower().rstrip("?")
    assert vary(QUESTION, "abbrev") == "How can I request access to the prod db w/o a manager's info?"
    chat = vary(QUESTION, "chat")
    assert chat == "how do i request access to the production database without a managers information"
    assert not re.search(r"[A-Z'?]", chat)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown variant 'shouting'"):
        vary(QUESTION, "shouting")
