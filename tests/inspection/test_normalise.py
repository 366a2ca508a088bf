"""Identifiers written with Unicode that dodges a plain pattern are found, and their spans are exactly
what the user wrote, so redaction leaves no part of them behind."""

from __future__ import annotations

import pytest

from inspection import inspect_question, inspect_text
from inspection.normalise import normalise
from routing.redaction import Vault, redact

ZWSP, NBSP, THIN = "\u200b", "\u00a0", "\u2009"


def test_ascii_text_is_left_as_it_is_without_a_map() -> None:
    assert normalise("call 555-0134").origin is None


def test_each_normalised_character_knows_where_it_came_from() -> None:
    text = f"a{ZWSP}b\uff10\ufb01c"  # a, zero-width space, b, full-width 0, the ligature fi, c

    n = normalise(text)

    assert n.text == "ab0fic"
    assert n.origin == (0, 2, 3, 4, 4, 5)
    assert n.original_span(1, 5) == (2, 5)  # "b0fi" came from b, the full-width 0 and the ligature


@pytest.mark.parametrize(
    "written, kind",
    [
        (f"jo{ZWSP}hn.doe@example.com", "email"),
        (f"john.doe@exam{ZWSP}ple.com", "email"),
        ("john.doe\uff20example.com", "email"),
        (f"4111{ZWSP}1111 1111 1111", "payment_card"),
        (f"4111{NBSP}1111{NBSP}1111{NBSP}1111", "payment_card"),
        (f"4111{THIN}1111{THIN}1111{THIN}1111", "payment_card"),
        ("4111.1111.1111.1111", "payment_card"),
        ("4111/1111/1111/1111", "payment_card"),
        ("4111_1111_1111_1111", "payment_card"),
        (
            "\uff14\uff11\uff11\uff11 \uff11\uff11\uff11\uff11 \uff11\uff11\uff11\uff11 \uff11\uff11\uff11\uff11",
            "payment_card",
        ),
        ("٤١١١ ١١١١ ١١١١ ١١١١", "payment_card"),
        ("DE89-3704-0044-0532-0130-00", "iban"),
        (f"DE89{NBSP}3704{NBSP}0044{NBSP}0532{NBSP}0130{NBSP}00", "iban"),
        (f"DE89 3704{ZWSP} 0044 0532 0130 00", "iban"),
        ("\uff24\uff25" + "89 3704 0044 0532 0130 00", "iban"),
        (f"415-555{ZWSP}-0134", "phone"),
        (f"078{ZWSP}-05-1120", "ssn"),
        ("10\uff0e20\uff0e30\uff0e40", "ip_address"),
        ("10\u300220\u300230\u300240", "ip_address"),
    ],
)
def test_identifiers_hidden_with_unicode_are_found_whole(written: str, kind: str) -> None:
    labels = {"email": "Mail", "payment_card": "My card", "iban": "IBAN", "phone": "Phone:", "ssn": "SSN"}
    text = f"{labels.get(kind, 'From')} {written} please."

    found = inspect_question(text)

    assert [(f.kind, text[f.start : f.end]) for f in found] == [(kind, written)]
    redacted = redact(text, found, Vault()).text
    assert written not in redacted and ZWSP not in redacted


def test_a_zero_width_space_inside_the_local_part_leaves_nothing_of_the_address() -> None:
    text = f"write to jo{ZWSP}hn@example.com today"

    redacted = redact(text, inspect_text(text), Vault()).text

    assert "jo" not in redacted.replace("today", "") and "example" not in redacted


def test_look_alike_letters_do_not_hide_a_key() -> None:
    # A Cyrillic А in the prefix of an AWS access key id.
    text = "key \u0410KIAQ3EGRU5NXLPQ2T7M leaked"

    assert [f.kind for f in inspect_question(text)] == ["secret"]
