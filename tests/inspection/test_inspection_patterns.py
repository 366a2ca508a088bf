"""Structured PII detectors, through inspect_text: what each finds, its exact span, and what it must not find."""

from __future__ import annotations

import pytest

from inspection import inspect_text


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in inspect_text(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        # e-mail
        ("Write to ada.lovelace@example.co.uk today", [("email", "ada.lovelace@example.co.uk")]),
        ("cc: Bob+ops@mail.example.org.", [("email", "Bob+ops@mail.example.org")]),
        # phone: international, national formats of several countries, local ones announced by context
        ("Call me on +44 20 7946 0958 tomorrow", [("phone", "+44 20 7946 0958")]),
        ("My number is (415) 555-2671.", [("phone", "(415) 555-2671")]),
        ("415.555.2671", [("phone", "415.555.2671")]),
        ("Tel. 01 42 68 53 00", [("phone", "01 42 68 53 00")]),
        ("phone: 030 1234567", [("phone", "030 1234567")]),
        ("mobile 98765 43210", [("phone", "98765 43210")]),
        ("0049 30 1234567", [("phone", "0049 30 1234567")]),
        ("Phone:\n467 3395", [("phone", "467 3395")]),
        ("416 60 039 office", [("phone", "416 60 039")]),
        # a reference word earlier in the sentence does not make a later number a reference
        ("Wrong number on the account: it says (415) 555-2671.", [("phone", "(415) 555-2671")]),
        ("The phone number for the health unit is 415-556-2766.", [("phone", "415-556-2766")]),
        # payment cards: Luhn-valid, grouped or not
        ("Card 4539 1488 0343 6467 was charged", [("payment_card", "4539 1488 0343 6467")]),
        ("pay with 4111-1111-1111-1111", [("payment_card", "4111-1111-1111-1111")]),
        ("amex 378282246310005", [("payment_card", "378282246310005")]),
        ("credit card 060426070011 transactions", [("payment_card", "060426070011")]),  # said to be a card
        # IBAN: compact, grouped, lower case
        ("IBAN GB82 WEST 1234 5698 7654 32 please", [("iban", "GB82 WEST 1234 5698 7654 32")]),
        ("to DE89370400440532013000.", [("iban", "DE89370400440532013000")]),
        ("gb82west12345698765432", [("iban", "gb82west12345698765432")]),
        # SSN
        ("Here's my SSN: 536-22-1234", [("ssn", "536-22-1234")]),
        ("SSN 536221234", [("ssn", "536221234")]),
        # IP addresses
        ("from 192.168.14.7, again", [("ip_address", "192.168.14.7")]),
        ("host 2001:db8::8a2e:370:7334 is down", [("ip_address", "2001:db8::8a2e:370:7334")]),
        ("fe80::1ff:fe23:4567:890a%eth0", [("ip_address", "fe80::1ff:fe23:4567:890a%eth0")]),
        ("user@10.0.0.1", [("ip_address", "10.0.0.1")]),  # no alphabetic TLD: not an e-mail
    ],
)
def test_detects(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # phone-shaped numbers that are not phones
        "On 2024-03-15 we paid $1 250 000",
        "the build broke at 12:30:45 on 15/03/2024",
        "order 123456789 shipped",
        "Account no. 4155550134 is closed",
        "ticket #415-555-2671",
        "in 2023 we hired 1200 people",
        "ZIP 90210",
        "My zip code is 90010-170",
        "Invoice INV-2024-000123 total 1,234.56 EUR",
        "ISBN 978-3-16-148410-0",
        "version 10.4.2 is out",
        # cards, IBANs, SSNs that fail their checks
        "4111 1111 1111 1112",
        "1234 5678 9012 3456",
        "0000 0000 0000 0000",
        "GB82 WEST 1234 5698 7654 33",
        "078-05-1120",
        "666-12-3456",
        "536-00-1234",
        "536221234",  # nine bare digits without a word saying SSN
        # IPs
        "256.1.1.1",
        "1.2.3",
        "::1",
        # e-mail-ish
        "a@b",
        "user@localhost",
    ],
)
def test_does_not_detect(text):
    assert [kind for kind, _ in found(text) if kind != "address"] == []


def test_a_house_number_before_a_street_is_not_a_phone():
    text = "The restaurant is at 17151 2450 Crown St"

    assert found(text) == [("address", "17151 2450 Crown St")]


def test_findings_have_confidence_and_detector():
    (finding,) = inspect_text("IBAN GB82WEST12345698765432")

    assert finding.detector == "mod97"
    assert 0.0 < finding.confidence <= 1.0
