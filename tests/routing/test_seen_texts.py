"""The gateway's memory of texts it inspected (routing/seen_texts.py): a conversation sent again with one more
turn is inspected for the new turn only, under the same patterns and inspector, and keeps no text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from inspection import CustomPattern, inspect_question, ner
from routing import seen_texts

EARLIER = "Ticket from Dana Cho, dana.cho@quillfern.example: the export fails."
CUSTOMER = CustomPattern("customer_id", r"\bCUST-\d{6}\b")


@pytest.fixture(autouse=True)
def _empty() -> Iterator[None]:
    seen_texts.forget()
    yield
    seen_texts.forget()


def test_each_text_is_inspected_once_and_its_findings_are_the_inspectors() -> None:
    first = seen_texts.inspect_texts([EARLIER, "Which queue takes it?", EARLIER], custom=())
    assert first[EARLIER] == inspect_question(EARLIER)
    assert len(seen_texts.QUESTIONS) == 2
    again = seen_texts.inspect_texts([EARLIER, "Which queue takes it?", "And who approves that?"], custom=())
    assert again[EARLIER] == first[EARLIER]
    assert len(seen_texts.QUESTIONS) == 3  # only the new turn was added


def test_other_patterns_or_another_inspector_inspect_again() -> None:
    text = "Customer CUST-204518 asked again."
    assert seen_texts.inspect_texts([text], custom=())[text] == []
    (found,) = seen_texts.inspect_texts([text], custom=(CUSTOMER,))[text]
    assert found.kind == "custom:customer_id"
    ner.set_enabled(False)
    try:
        seen_texts.inspect_texts([text], custom=())
    finally:
        ner.set_enabled(None)
    assert len(seen_texts.QUESTIONS) == 3


def test_no_text_is_kept_only_its_digest() -> None:
    seen_texts.inspect_texts([EARLIER], custom=())
    (key,) = seen_texts.QUESTIONS._seen
    assert EARLIER.encode() not in repr(key).encode() and "dana.cho" not in repr(seen_texts.QUESTIONS._seen)


def test_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seen_texts.QUESTIONS, "max_entries", 3)
    seen_texts.inspect_texts([f"turn {n}" for n in range(5)], custom=())
    assert len(seen_texts.QUESTIONS) == 3
