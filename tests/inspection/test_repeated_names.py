"""A name found in full is the same name where the text writes one of its words again alone."""

from __future__ import annotations

import pytest

from inspection import inspect_question, inspect_text
from inspection.findings import Finding
from inspection.repeated_names import DETECTOR, repeated_names
from routing.redaction import Vault, redact

CHAT = (
    "Ingrid Næss  9:31\nanyone know why the staging certs expired?\nthought Hrubá renewed them\n"
    "Zdenka Hrubá  9:40\nonly prod, will do staging now"
)
LETTER = "Von: Enno Bartels\nBetreff: Zugang\n\nBitte den VPN-Zugang bis Freitag verlängern.\n\nViele Grüße\nEnno"


def people(text: str, *, question: bool = True) -> list[str]:
    found = inspect_question(text) if question else inspect_text(text)
    return [text[f.start : f.end] for f in found if f.kind == "person"]


@pytest.mark.parametrize("question", [True, False])
@pytest.mark.parametrize(
    ("text", "alone"),
    [
        (CHAT, "Hrubá"),  # a chat export: the surname in a message, the full name as the next speaker
        (LETTER, "Enno"),  # a letter signed with the given name of the sender named at its top
    ],
)
def test_a_word_of_a_full_name_written_again_alone_is_the_same_person(text, alone, question):
    assert alone in people(text, question=question)


def test_only_words_of_full_names_that_the_name_lists_hold_are_sought_again():
    text = "Ask Apollo. The Citrix Workspace app crashed; Citrix support said Apollo should reinstall it."
    found = [
        Finding("person", text.index("Apollo"), text.index("Apollo") + 6, 0.7, "test"),
        Finding("person", text.index("Citrix"), text.index("Workspace") + 9, 0.7, "test"),
    ]

    # a lone name is not sought again (it may be a false alarm); "Citrix" and "Workspace" are no listed names
    assert repeated_names(text, found) == []


def test_an_everyday_word_is_not_sought_when_the_text_uses_it_as_a_word_or_after_an_article():
    grant = "Grant Ortiz signed the form. The grant covers travel."
    council = "Mary Council chairs it. The Council meets on Monday; Council said yes."

    assert repeated_names(grant, [Finding("person", 0, 11, 0.7, "test")]) == []
    again = repeated_names(council, [Finding("person", 0, 12, 0.7, "test")])
    assert [council[f.start : f.end] for f in again] == ["Council"]
    assert again[0].start == council.rindex("Council") and again[0].detector == DETECTOR


def test_the_lone_surname_is_redacted_with_the_full_name():
    redacted = redact(CHAT, inspect_question(CHAT), Vault()).text

    assert "Hrubá" not in redacted and "Zdenka" not in redacted


def test_a_name_the_question_gives_in_full_is_redacted_where_a_passage_writes_it_alone(ingest, employee, cloud):
    from routing.egress import outbound_text
    from routing.services import answer_question

    ingest("refunds.md", "# Refunds\n\nRefunds over 500 euros need a second approver. Hrubá approved the March batch.")

    answer = answer_question(question="Did Zdenka Hrubá approve the March refunds batch?", acting_user=employee)

    sent = "\n".join(outbound_text(request.body) for request in cloud.requests)
    assert answer.backend == "claude" and "approved the March batch" in sent  # the passage went, redacted
    assert "Hrubá" not in sent and "Zdenka" not in sent
