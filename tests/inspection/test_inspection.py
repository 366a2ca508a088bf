"""inspect_text as a whole: the public types, overlap resolution, custom patterns, names and addresses."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

from inspection import KINDS, CustomPattern, Finding, inspect_text, ner, resolve_overlaps

ROOT = Path(__file__).resolve().parents[2]


def found(text: str, **kwargs) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in inspect_text(text, **kwargs)]


def test_the_public_types_are_frozen_and_the_kinds_are_named():
    finding = Finding("email", 0, 5, 0.9, "email")

    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.kind = "phone"  # type: ignore[misc]
    assert KINDS == ("email", "phone", "payment_card", "iban", "ssn", "ip_address", "person", "address", "secret")


def test_empty_and_plain_texts_have_no_findings():
    assert inspect_text("") == []
    assert inspect_text("How many days of leave do new employees get?") == []


def test_findings_come_sorted_by_start_without_overlaps():
    text = (
        "Hi, I'm Ada Lovelace (ada.lovelace@example.com, +44 20 7946 0958). Card 4539 1488 0343 6467 "
        "from 192.168.14.7, IBAN GB82 WEST 1234 5698 7654 32, SSN 536-22-1234."
    )

    findings = inspect_text(text)

    assert [f.kind for f in findings] == ["person", "email", "phone", "payment_card", "ip_address", "iban", "ssn"]
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))


@pytest.mark.parametrize(
    "findings, expected",
    [
        # a secret beats the IP address inside it
        (
            [Finding("ip_address", 20, 28, 0.9, "ipv4"), Finding("secret", 0, 30, 0.95, "url_credentials")],
            [("secret", 0, 30)],
        ),
        # a checksum-verified card beats phone-shaped digits
        (
            [Finding("phone", 5, 24, 0.8, "phonenumbers"), Finding("payment_card", 5, 24, 0.85, "luhn")],
            [("payment_card", 5, 24)],
        ),
        # a bare high-entropy string loses to a validated IBAN
        (
            [Finding("secret", 0, 22, 0.6, "high_entropy"), Finding("iban", 0, 22, 0.95, "mod97")],
            [("iban", 0, 22)],
        ),
        # same kind: overlapping findings merge into one
        (
            [Finding("secret", 0, 10, 0.8, "credential_assignment"), Finding("secret", 5, 20, 0.95, "jwt")],
            [("secret", 0, 20)],
        ),
        # an address block keeps what lies around the phone inside it
        (
            [Finding("address", 0, 40, 0.7, "address_pattern"), Finding("phone", 15, 25, 0.9, "phonenumbers")],
            [("address", 0, 15), ("phone", 15, 25), ("address", 25, 40)],
        ),
        # a custom pattern beats a phone guess
        (
            [Finding("phone", 0, 12, 0.75, "phonenumbers"), Finding("custom:ticket", 0, 12, 0.9, "custom_pattern")],
            [("custom:ticket", 0, 12)],
        ),
        # non-overlapping findings all stay, in order
        (
            [Finding("email", 30, 40, 0.95, "email"), Finding("phone", 0, 10, 0.9, "phonenumbers")],
            [("phone", 0, 10), ("email", 30, 40)],
        ),
    ],
)
def test_resolve_overlaps(findings, expected):
    assert [(f.kind, f.start, f.end) for f in resolve_overlaps(findings)] == expected


def test_a_connection_string_is_a_secret_not_an_ip_address():
    text = "use postgres://app:Pa55w0rd-x@10.1.2.3:5432/db"

    assert found(text) == [("secret", "postgres://app:Pa55w0rd-x@10.1.2.3")]


def test_a_card_number_is_not_also_a_phone():
    assert found("call 4539 1488 0343 6467") == [("payment_card", "4539 1488 0343 6467")]


def test_custom_patterns_become_custom_kinds():
    custom = [CustomPattern("customer_id", r"\bCU-\d{5}\b"), CustomPattern("project", r"\bProject (?:Falcon|Osprey)\b")]

    assert found("CU-88812 asked about Project Falcon", custom=custom) == [
        ("custom:customer_id", "CU-88812"),
        ("custom:project", "Project Falcon"),
    ]


def test_a_custom_pattern_that_can_match_empty_finds_nothing_empty():
    assert found("abc", custom=[CustomPattern("maybe", r"x*")]) == []


def test_an_invalid_custom_pattern_raises():
    with pytest.raises(re.error):
        inspect_text("abc", custom=[CustomPattern("broken", r"(unclosed")])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Please ask Dr. Ana Lima about it", [("person", "Ana Lima")]),
        ("My name is Rubija", [("person", "Rubija")]),
        ("I would like to remove my kid Lukas from the will.", [("person", "Lukas")]),
        (
            "Tilly Nicholson lives at 10252 Main Street",
            [("person", "Tilly Nicholson"), ("address", "10252 Main Street")],
        ),
        ("Meet me at 221B Baker Street, London", [("address", "221B Baker Street")]),
        ("Dexter lives on Ziegelgasse 19 street.", [("person", "Dexter"), ("address", "Ziegelgasse 19")]),
        ("Ship to Rua do Arenque 1634 please", [("address", "Rua do Arenque 1634")]),
        (
            "Please return to Unit 5146 Box 1772\nDPO AE 91410 in case",
            [("address", "Unit 5146 Box 1772\nDPO AE 91410")],
        ),
        (
            "William Hughes\n\n20789 Allika 46\nApt. 12\nTALLINN\n",
            [("person", "William Hughes"), ("address", "20789 Allika 46\nApt. 12\nTALLINN")],
        ),
    ],
)
def test_names_and_addresses_that_announce_themselves(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # A street word standing alone between the street's name and its number.
        ("The parcel depot is on Lindauer Strasse 12.", "Lindauer Strasse 12."),
        ("The office is at Petőfi Sándor u. 22.", "Petőfi Sándor u. 22."),
        ("Post it to 3318 Kongens gate 41 in Trondheim", "3318 Kongens gate 41"),
        # What follows an address label, when it holds a number and a word.
        ("Delivery address: 48 calle mayor 3, sevilla, spain", "48 calle mayor 3, sevilla, spain"),
        # A country and the postcode after it, the end of a block printed on one line.
        ("Invoices go to Oslo, Norway 0150 by post.", "Norway 0150"),
        # A street's name and number after a verb of living or sending.
        ("She lives near the end of Ingrid Haugen 14.", "Ingrid Haugen 14"),
        ("Return the keys to Marta and Vestergade 9 today", "Marta and Vestergade 9"),
        # A street line, then a postcode and a town, after a comma or on the next line.
        ("Send it to Mäkelänkatu 58, 00510 Helsinki please", "Mäkelänkatu 58, 00510 Helsinki"),
        ("ship it to ul. Długa 12/4\n80-827 Gdańsk", "ul. Długa 12/4\n80-827 Gdańsk"),
        ("new address: kvarngatan 7, 118 47 stockholm", "kvarngatan 7, 118 47 stockholm"),
        ("Deliver to 12 bis rue des Lilas\n69003 Lyon", "12 bis rue des Lilas\n69003 Lyon"),
    ],
)
def test_addresses_written_street_name_first_or_labelled(text, expected):
    assert found(text) == [("address", expected)]


@pytest.mark.parametrize(
    "text",
    [
        "The DB is on Debian 12 now",
        "Then move to Step 3 and restart",
        "We moved to Grafana 10 last year",
        "The rollout is at Stage 2",
        "Open the gate 3 times",
        "Visitor log — Gate 7, March 16",
        "Gate 3 is closed for resurfacing",
        "Set the address: see step 3 in the wiki",
        "The bind address is :8443 now",
        "Germany 2024 results were good",
        "It weighs approximately 330,000 times the mass of the Earth",
        "Improving the first 7, 30 and 90 days of a new hire",
        "01003    W    ERRCODE_WARNING\n01006    W    ERRCODE_PRIVILEGE",
        "Run step 4, 2024 Roadmap is next",
    ],
)
def test_versions_steps_and_other_addresses_are_not_postal_addresses(text):
    assert found(text) == []


def test_a_labelled_ip_or_email_address_keeps_its_own_kind():
    assert found("Our IP address: 10.1.2.3") == [("ip_address", "10.1.2.3")]
    assert found("Email address: ops@example.org") == [("email", "ops@example.org")]


@pytest.mark.parametrize(
    "text",
    [
        "I am Happy to help",
        "This is Monday.",
        "I have 3 apples in the Park",
        "the meeting is in room 12 on floor 3",
        "send it via email 5 times",
        "the corner of the table and chair",
    ],
)
def test_ordinary_sentences_are_not_names_or_addresses(text):
    assert found(text) == []


def test_ner_can_be_switched_off_and_the_patterns_still_work():
    ner.set_enabled(False)
    try:
        assert not ner.is_active()
        assert found("Dr. Ana Lima, ana@example.com") == [("person", "Ana Lima"), ("email", "ana@example.com")]
    finally:
        ner.set_enabled(None)


def test_a_catastrophic_custom_pattern_cannot_hang_inspection() -> None:
    # `(a+)+$` takes Python's backtracking engine 2^n steps on n "a"s and a "b": hours at n = 40. Run in a
    # child process so that a regression fails at the bound instead of hanging the suite; the bound leaves
    # room for the child's imports and models on a loaded machine, and the child times the inspection alone,
    # once a first text has loaded the name model.
    code = (
        "import time; from inspection import CustomPattern, inspect_text; inspect_text('Ada Lovelace'); "
        "started = time.perf_counter(); "
        "found = inspect_text('a' * 40 + 'b', custom=[CustomPattern('x', '(a+)+$')]); "
        "print(len(found), round(time.perf_counter() - started, 3))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, cwd=ROOT)

    assert done.returncode == 0, done.stderr
    found, seconds = done.stdout.split()
    assert found == "0" and float(seconds) < 10, done.stdout
