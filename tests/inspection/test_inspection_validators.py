"""Checksums and rules behind the structured detectors: Luhn, IBAN mod-97, US SSN, entropy."""

from __future__ import annotations

import pytest

from inspection.validators import iban_valid, luhn_valid, shannon_entropy, ssn_valid


@pytest.mark.parametrize(
    "digits, expected",
    [
        ("4111111111111111", True),  # Visa test number
        ("4539148803436467", True),
        ("378282246310005", True),  # Amex test number
        ("30569309025904", True),  # Diners, 14 digits
        ("6011111111111117", True),  # Discover
        ("4111111111111112", False),  # last digit off by one
        ("1234567890123456", False),
        ("4111 1111 1111 1111", False),  # separators are the caller's job
        ("", False),  # no digits, no number
    ],
)
def test_luhn(digits, expected):
    assert luhn_valid(digits) is expected


@pytest.mark.parametrize(
    "iban, expected",
    [
        ("GB82WEST12345698765432", True),
        ("GB82 WEST 1234 5698 7654 32", True),
        ("gb82west12345698765432", True),
        ("DE89370400440532013000", True),
        ("FR1420041010050500013M02606", True),
        ("NO9386011117947", True),  # the shortest, 15 characters
        ("GB82WEST12345698765433", False),  # checksum
        ("GB82WEST1234569876543", False),  # one character short for GB
        ("XX82WEST12345698765432", False),  # no such country
        ("GBXXWEST12345698765432", False),  # check digits must be digits
    ],
)
def test_iban_mod97(iban, expected):
    assert iban_valid(iban) is expected


@pytest.mark.parametrize(
    "area, group, serial, expected",
    [
        ("536", "22", "1234", True),
        ("001", "01", "0001", True),
        ("899", "99", "9999", True),
        ("000", "12", "3456", False),  # area 000 is never issued
        ("666", "12", "3456", False),  # nor 666
        ("900", "12", "3456", False),  # nor 900-999 (ITINs live there)
        ("987", "65", "4321", False),
        ("536", "00", "1234", False),  # group 00
        ("536", "22", "0000", False),  # serial 0000
        ("078", "05", "1120", False),  # the Woolworth wallet card
        ("123", "45", "6789", False),  # the textbook example
    ],
)
def test_ssn_rules(area, group, serial, expected):
    assert ssn_valid(area, group, serial) is expected


@pytest.mark.parametrize(
    "value, low, high",
    [
        ("", 0.0, 0.0),
        ("aaaaaaaa", 0.0, 0.0),
        ("abab", 1.0, 1.0),
        ("0123456789abcdef", 4.0, 4.0),
        ("Zq8vN3xL0pT7rK2mW9yB4cH6jD1fG5sA", 4.5, 5.0),
    ],
)
def test_shannon_entropy(value, low, high):
    assert low - 1e-9 <= shannon_entropy(value) <= high + 1e-9
