from __future__ import annotations

import copy
import json
import logging
import pickle
import random
from dataclasses import dataclass

import pytest

from inspection import inspect_question
from routing.redaction import StreamRestorer, Vault, placeholder_label, redact, restore


@dataclass(frozen=True)
class Found:
    """A hand-made finding, shaped like inspection.Finding."""

    kind: str
    start: int
    end: int
    confidence: float = 1.0
    detector: str = "test"


def find(text: str, value: str, kind: str, occurrence: int = 0) -> Found:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(value, start + 1)
    return Found(kind, start, start + len(value))


QUESTION = "Mail ada@example.com or call +44 20 7946 0958 about Ada Lovelace's card; cc ada@example.com."


def question_findings() -> list[Found]:
    return [
        find(QUESTION, "ada@example.com", "email"),
        find(QUESTION, "+44 20 7946 0958", "phone"),
        find(QUESTION, "Ada Lovelace", "person"),
        find(QUESTION, "ada@example.com", "email", occurrence=1),
    ]


def test_it_replaces_each_finding_by_a_numbered_placeholder_and_counts_kinds():
    vault = Vault()

    redaction = redact(QUESTION, question_findings(), vault)

    assert redaction.text == "Mail [EMAIL_1] or call [PHONE_1] about [PERSON_1]'s card; cc [EMAIL_1]."
    assert redaction.counts_by_kind == {"email": 2, "person": 1, "phone": 1}


def test_restore_round_trips_the_original_text():
    vault = Vault()
    redaction = redact(QUESTION, question_findings(), vault)

    assert restore(redaction.text, vault) == QUESTION


def test_the_same_value_keeps_its_placeholder_across_texts_of_one_request():
    vault = Vault()
    redact("to bob@example.com", [Found("email", 3, 18)], vault)
    second = redact("from eve@example.com and bob@example.com", [Found("email", 5, 20), Found("email", 25, 40)], vault)

    assert second.text == "from [EMAIL_2] and [EMAIL_1]"


def test_custom_kinds_get_readable_labels():
    vault = Vault()
    text = "Customer CU-88812 asked."

    redaction = redact(text, [find(text, "CU-88812", "custom:customer_id")], vault)

    assert redaction.text == "Customer [CUSTOM_CUSTOMER_ID_1] asked."
    assert placeholder_label("custom:ticket-id") == "CUSTOM_TICKET_ID"
    assert placeholder_label("ip_address") == "IP_ADDRESS"


def test_secrets_are_replaced_but_never_restorable():
    vault = Vault()
    text = "Use key AKIAIOSFODNN7EXAMPLE and again AKIAIOSFODNN7EXAMPLE"
    findings = [find(text, "AKIAIOSFODNN7EXAMPLE", "secret"), find(text, "AKIAIOSFODNN7EXAMPLE", "secret", 1)]

    redaction = redact(text, findings, vault)

    assert redaction.text == "Use key [SECRET_1] and again [SECRET_2]"
    assert redaction.counts_by_kind == {"secret": 2}
    assert restore(redaction.text, vault) == redaction.text
    assert vault.value_of("[SECRET_1]") is None
    assert len(vault) == 0
    assert "AKIA" not in repr(vault)


def test_overlapping_findings_merge_and_a_secret_inside_wins():
    vault = Vault()
    text = "DSN postgres://app:hunter2@db.example.com/prod here"
    dsn = find(text, "postgres://app:hunter2@db.example.com/prod", "secret")
    email_like = find(text, "hunter2@db.example.com", "email")

    redaction = redact(text, [email_like, dsn], vault)

    assert redaction.text == "DSN [SECRET_1] here"
    assert "hunter2" not in restore(redaction.text, vault)


def test_overlapping_findings_leave_no_character_of_either():
    vault = Vault()
    text = "Write to Ada Lovelace, 12 Analytical Row, London."
    person = find(text, "Ada Lovelace", "person")
    address = Found("address", person.start + 4, text.index("London") + len("London"))

    redaction = redact(text, [person, address], vault)

    assert redaction.text == "Write to [ADDRESS_1]."
    assert restore(redaction.text, vault) == text


def test_unknown_and_hallucinated_placeholders_are_left_alone():
    vault = Vault()
    redact("ask ada@example.com", [Found("email", 4, 19)], vault)

    assert (
        restore("[EMAIL_1], [EMAIL_9], [PERSON_1] and [1]", vault) == "ada@example.com, [EMAIL_9], [PERSON_1] and [1]"
    )


def test_the_vault_cannot_be_pickled_copied_or_serialised():
    vault = Vault()
    redact("ada@example.com", [Found("email", 0, 15)], vault)

    with pytest.raises(TypeError):
        pickle.dumps(vault)
    with pytest.raises(TypeError):
        copy.deepcopy(vault)
    with pytest.raises(TypeError):
        copy.copy(vault)
    with pytest.raises(TypeError):
        json.dumps(vault)
    with pytest.raises(TypeError):
        vars(vault)


def test_the_vault_prints_and_logs_counts_only(caplog):
    vault = Vault()
    redact("ada@example.com, Ada", [Found("email", 0, 15), Found("person", 17, 20)], vault)

    with caplog.at_level(logging.INFO):
        logging.getLogger("sluice.test").info("vault: %s %r", vault, vault)

    assert repr(vault) == "<Vault email=1, person=1>"
    assert f"{vault}" == repr(vault)
    assert "ada@example.com" not in caplog.text and "Ada" not in caplog.text


# -- streaming restore ---------------------------------------------------------------------------


def stream_restore(vault: Vault, deltas: list[str]) -> tuple[str, list[str]]:
    restorer = StreamRestorer(vault)
    shown = [restorer.feed(d) for d in deltas]
    shown.append(restorer.flush())
    return "".join(shown), shown


def test_stream_restore_handles_a_placeholder_split_at_every_point():
    vault = Vault()
    redacted = redact(QUESTION, question_findings(), vault).text
    answer = f"Write to {redacted} Thanks [1]."
    expected = restore(answer, vault)

    for i in range(len(answer) + 1):
        for j in range(i, len(answer) + 1):
            assert stream_restore(vault, [answer[:i], answer[i:j], answer[j:]])[0] == expected, (i, j)


def test_stream_restore_survives_random_chunkings():
    vault = Vault()
    redacted = redact(QUESTION, question_findings(), vault).text
    answer = f"[EMAIL_1][PHONE_1]{redacted}[EMAIL_1 [EMAIL_ [1] [[PERSON_1]]"
    expected = restore(answer, vault)
    rng = random.Random(7)

    for _ in range(300):
        cuts = sorted(rng.sample(range(len(answer) + 1), rng.randint(0, 12)))
        deltas = [answer[a:b] for a, b in zip([0, *cuts], [*cuts, len(answer)], strict=True)]
        assert stream_restore(vault, deltas)[0] == expected, cuts


def test_stream_restore_holds_back_only_a_possible_placeholder_prefix():
    vault = Vault()
    redact("ada@example.com", [Found("email", 0, 15)], vault)
    restorer = StreamRestorer(vault)

    assert restorer.feed("Mail [EMA") == "Mail "
    assert restorer.feed("IL_1] now") == "ada@example.com now"
    # A bracket that cannot start a known placeholder is shown at once.
    assert restorer.feed(" see [1] and [X") == " see [1] and [X"
    assert restorer.feed(" [EMAIL_1") == " "
    assert restorer.flush() == "[EMAIL_1"


def test_stream_restore_never_holds_more_than_the_longest_placeholder():
    vault = Vault()
    redact("ada@example.com", [Found("email", 0, 15)], vault)
    restorer = StreamRestorer(vault)

    shown = "".join(restorer.feed(c) for c in "x" * 50 + "[EMAIL_")
    assert shown == "x" * 50
    assert restorer.feed("x" * 5) == "[EMAIL_xxxxx"


def test_stream_restore_with_an_empty_vault_passes_text_through():
    assert stream_restore(Vault(), ["[EMAIL_", "1] ok"])[1] == ["[EMAIL_", "1] ok", ""]


def test_phone_numbers_found_by_inspection_are_replaced_exactly_as_written_and_the_waybill_stays():
    text = (
        "Consegna AWB 456-78376788 a Via Garibaldi 12, 00184 Roma RM.\n"
        "Tel. 06 4821 9930 int. 12, cell. (+39) 347/123 4567 o +39 512 345 6789."
    )
    findings = [f for f in inspect_question(text) if f.kind == "phone"]
    vault = Vault()

    redaction = redact(text, findings, vault)

    assert [text[f.start : f.end] for f in findings] == [
        "06 4821 9930 int. 12",
        "(+39) 347/123 4567",
        "+39 512 345 6789",
    ]
    assert redaction.text.endswith("Tel. [PHONE_1], cell. [PHONE_2] o [PHONE_3].")
    assert "AWB 456-78376788" in redaction.text
    assert restore(redaction.text, vault) == text
